"""Export to SavedModel and LiteRT (TFLite), and the parity check behind it."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from zoo.quantization import default_float_layers, keep_float_weights, weighted_layer_names

FORMATS = ("litert", "tf_saved_model")
QUANTIZATIONS = (None, "dynamic_int8")
# Prompts of `random_inputs` for a text-to-image model (cycled to the batch).
CHECK_PROMPTS = (
    "a large red circle above a small blue square",
    "a small green triangle on the left",
    "yellow square, bottom",
)


def exportable(model):
    """The Keras model that `export` writes for `model`.

    A text-to-image GAN exports `model.export_model()`, its text encoder and
    generator in one graph (token ids + padding mask + noise -> image);
    other models export themselves.
    """
    export_model = getattr(model, "export_model", None)
    return export_model() if callable(export_model) else model


def _infer_format(path, format):
    tflite = path.name.endswith(".tflite")
    if format is None:
        format = "litert" if tflite else "tf_saved_model"
    if format not in FORMATS:
        raise ValueError(f"`format` must be one of {FORMATS}. Received: format={format!r}")
    # Checked here: Keras would only say so later, naming a staging path.
    if format == "litert" and not tflite:
        raise ValueError(
            f"`path` must end in .tflite for format='litert'. Received: path={str(path)!r}"
        )
    if format == "tf_saved_model" and tflite:
        raise ValueError(
            "`path` names a .tflite file but format='tf_saved_model' writes a directory: "
            f"drop the suffix or use format='litert'. Received: path={str(path)!r}"
        )
    return format


def _check_target(path, format):
    """Raises unless writing `path` would replace only a previous export."""
    if path.name in ("", ".."):  # ".", "/", "..": never replace a working directory
        raise ValueError(
            f"`path` must name a file or directory to create. Received: path={str(path)!r}"
        )
    if not path.exists():
        return
    if path.is_dir() != (format == "tf_saved_model"):
        raise ValueError(f"`path` {str(path)!r} exists and is not a {format} target.")
    # A directory is replaced whole: only an empty one or an earlier SavedModel,
    # never a folder of the user's own files.
    if path.is_dir() and any(path.iterdir()) and not (path / "saved_model.pb").is_file():
        raise ValueError(
            f"`path` {str(path)!r} is a directory that holds files and is not a SavedModel; "
            "export would replace it. Give a new or empty directory."
        )


def _size_multiple(model):
    """The multiple that `model`'s input sides must be (1 for any size)."""
    multiple = getattr(model, "size_multiple", None)
    if multiple is None:
        multiple = getattr(getattr(model, "backbone", None), "size_multiple", 1)
    return int(multiple)


def _input_signature(model, input_shape):
    """Fixed-size `InputSpec`s, one per model input, named as the inputs."""
    if input_shape is None:
        return None
    if len(input_shape) != 2 or not all(isinstance(s, int) and s > 0 for s in input_shape):
        raise ValueError(
            f"`input_shape` must be (height, width) positive ints. Received: {input_shape!r}"
        )
    multiple = _size_multiple(model)
    if any(side % multiple for side in input_shape):
        # The U-Net's skip connections would otherwise fail deep in Keras.
        raise ValueError(
            f"`input_shape` sides must be multiples of {multiple} for this model "
            f"(`size_multiple`). Received: input_shape={tuple(input_shape)!r}"
        )
    import keras

    def spec(tensor):
        return keras.InputSpec(
            shape=(1, *input_shape, tensor.shape[-1]), dtype=tensor.dtype, name=tensor.name
        )

    return [keras.tree.map_structure(spec, model.input)]


def export(model, path, format=None, *, quantize=None, float_layers=None, input_shape=None,
           verbose=False):
    """Exports a zoo model for serving or for a phone.

    The file or directory appears only once it is complete. On the JAX and
    PyTorch backends the export runs in a TensorFlow-backend subprocess
    (LiteRT conversion needs TensorFlow), through a temporary preset.

    Args:
        model: a zoo task (e.g. an `ImageRestorer`).
        path: `*.tflite` for LiteRT, else a SavedModel directory (new,
            empty, or an earlier SavedModel, which is replaced).
        format: `"litert"` or `"tf_saved_model"` (default: from `path`).
        quantize: `None` (float32) or `"dynamic_int8"` (LiteRT only: int8
            weights, float activations).
        float_layers: with `quantize`, names of layers whose weights stay
            float32 (see `zoo.quantization`). Default
            (`zoo.quantization.default_float_layers`): the backbone's
            `int8_float_layers` where it declares them (the inpainting U-Net:
            all but its lowest-resolution layers), else the output layer (the
            last layer with weights), whose int8 error would land on the
            pixels unfiltered; `()` quantizes every layer.
        input_shape: `(height, width)` to fix the input size (phones prefer
            static shapes), each a multiple of the model's `size_multiple`;
            default: any such size.
        verbose: print the exporter's messages.

    Returns:
        The path written.

    A text-to-image GAN (`zoo.tasks.TextToImageGAN`) exports its text
    encoder and generator as one graph: inputs `token_ids`, `padding_mask`
    (int32 `[N, L]`, `L` the tokenizer's `sequence_length`) and `noise`
    (float32 `[N, noise_dim]`), output the images, float32
    `[N, S, S, 3]` in [-1, 1]. Tokenizing is not in the file:
    `gan.export_inputs(prompts, seed)` gives the tokens and the noise that
    `gan.generate(prompts, seed)` uses, and
    `zoo.tasks.text_to_image.images_to_uint8` turns the output into
    `generate`'s uint8 images. Its input sizes are fixed by the tokenizer
    and `noise_dim` (any batch), so `input_shape` does not apply. With the
    MiniLM encoder the file holds the encoder's weights too (about 90 MB
    in float32).

    Example:
    ```python
    zoo.export(denoiser, "denoiser.tflite")
    zoo.export(denoiser, "denoiser_savedmodel", format="tf_saved_model")
    zoo.export(gan, "generator.tflite")  # token_ids, padding_mask, noise -> image
    ```
    """
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"`model` must be a Keras model. Received: {type(model).__name__}")
    path = Path(path)
    format = _infer_format(path, format)
    if quantize not in QUANTIZATIONS:
        raise ValueError(f"`quantize` must be one of {QUANTIZATIONS}. Received: {quantize!r}")
    if quantize and format != "litert":
        raise ValueError("`quantize` applies to LiteRT export only (format='litert').")
    if float_layers is not None:
        if not quantize:
            raise ValueError("`float_layers` applies to a quantized export only (`quantize`).")
        if isinstance(float_layers, str) or not all(isinstance(n, str) for n in float_layers):
            raise TypeError(
                f"`float_layers` must be a list of layer names. Received: {float_layers!r}"
            )
        float_layers = list(float_layers)
    generator = callable(getattr(model, "export_model", None))
    if generator and input_shape is not None:
        raise ValueError(
            "`input_shape` fixes an image input's size; a text-to-image model takes token "
            f"ids of its tokenizer's length ({model.sequence_length}) and noise "
            f"({model.noise_dim}): leave `input_shape` as None."
        )
    signature = None if generator else _input_signature(model, input_shape)
    _check_target(path, format)
    target_model = exportable(model)
    if float_layers:  # checked here: a subprocess would only say it failed
        known = weighted_layer_names(target_model)
        unknown = sorted(set(float_layers) - set(known))
        if unknown:
            raise ValueError(
                f"`float_layers` names no layer with weights: {unknown}. Layers with "
                f"weights: {known}"
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    if keras.config.backend() != "tensorflow":
        return _export_in_tensorflow(model, path, format, quantize, float_layers, input_shape)
    if quantize and float_layers is None:
        float_layers = default_float_layers(target_model)

    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        target = staging / path.name
        kwargs = {}
        if quantize == "dynamic_int8":
            import tensorflow as tf

            kwargs["optimizations"] = [tf.lite.Optimize.DEFAULT]
        target_model.export(str(target), format=format, verbose=verbose,
                            input_signature=signature, **kwargs)
        if quantize and float_layers:
            reference = staging / "float32.tflite"
            target_model.export(str(reference), format=format, verbose=verbose,
                                input_signature=signature)
            keep_float_weights(target, reference, float_layers)
        previous = None
        if path.is_dir():  # an earlier SavedModel (`_check_target`): swap it out
            previous = staging / "previous"
            os.replace(path, previous)
        try:
            os.replace(target, path)
        except OSError:
            if previous is not None:  # put the old export back
                os.replace(previous, path)
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return str(path)


def _export_in_tensorflow(model, path, format, quantize, float_layers, input_shape):
    if not hasattr(model, "save_to_preset"):
        raise ValueError(
            "Export needs the TensorFlow backend for this model: run with "
            "KERAS_BACKEND=tensorflow."
        )
    with tempfile.TemporaryDirectory() as tmp:
        preset = Path(tmp) / "preset"
        model.save_to_preset(str(preset))
        command = [sys.executable, "-m", "zoo.cli", "export", "--preset", str(preset),
                   "--format", format, "-o", str(path)]
        if quantize:
            command += ["--quantize", quantize]
        if float_layers is not None:
            command += ["--float-layers", ",".join(float_layers)]
        if input_shape:
            command += ["--input-shape", f"{input_shape[0]}x{input_shape[1]}"]
        env = dict(os.environ, KERAS_BACKEND="tensorflow")
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"Export in a TensorFlow subprocess failed:\n{done.stderr[-2000:]}")
    return str(path)


def _signature_inputs(inputs, specs):
    """`inputs` (an array, or a dict for several inputs) as `{name: array}`."""
    names = sorted(specs)
    if isinstance(inputs, dict):
        if set(inputs) != set(names):
            raise ValueError(
                f"`inputs` must have the keys {names} (the exported model's inputs). "
                f"Received: keys={sorted(inputs)}"
            )
    elif len(names) == 1:
        inputs = {names[0]: inputs}
    else:
        raise ValueError(
            f"The exported model takes {len(names)} inputs {names}: pass `inputs` as a "
            f"dict of arrays. Received: {type(inputs).__name__}"
        )
    return {name: np.asarray(value, dtype=specs[name]) for name, value in inputs.items()}


def _unpack_outputs(outputs):
    """The signature's `{"output_0": ...}` as an array (a list for several)."""
    keys = sorted(outputs, key=lambda k: (len(k), k))  # output_0, ..., output_10
    values = [np.asarray(outputs[k]) for k in keys]
    return values[0] if len(values) == 1 else values


def run_exported(path, inputs):
    """Runs an exported LiteRT file or SavedModel through its serving signature.

    Args:
        path: a `.tflite` file or a SavedModel directory from `export`.
        inputs: a float32 batch for a single-input model, or a dict of batches
            keyed by input name for a multi-input one (the inpainter's
            `{"images": [B, H, W, 3], "masks": [B, H, W, 1]}`; a text-to-image
            generator's `gan.export_inputs(prompts, seed)`). A model
            exported with a dynamic shape takes any batch size and any
            image size whose sides are multiples of the model's
            `size_multiple` (the file does not record it: e.g. 4 for a
            NAFNet with two levels; `ImageRestorer.restore` pads to it).

    Returns:
        The output batch as a numpy array (a list of arrays for several
        outputs).

    Example:
    ```python
    out = run_exported("inpainter.tflite", {"images": x, "masks": m})
    ```
    """
    path = str(path)
    if path.endswith(".tflite"):
        from ai_edge_litert.interpreter import Interpreter

        interpreter = Interpreter(model_path=path)
        runner = interpreter.get_signature_runner()
        specs = {name: detail["dtype"] for name, detail in runner.get_input_details().items()}
        # The runner resizes its inputs to the given shapes and reallocates.
        return _unpack_outputs(runner(**_signature_inputs(inputs, specs)))
    import tensorflow as tf

    function = tf.saved_model.load(path).signatures["serving_default"]
    _, spec = function.structured_input_signature
    specs = {name: s.dtype.as_numpy_dtype for name, s in spec.items()}
    feed = {k: tf.constant(v) for k, v in _signature_inputs(inputs, specs).items()}
    return _unpack_outputs({k: v.numpy() for k, v in function(**feed).items()})


def random_inputs(model, height, width, batch_size=1, seed=0):
    """Random float32 inputs for `model` at a given size, e.g. for `parity`.

    Images are uniform in [0, 1]; an input named `masks` gets a binary mask
    (about a quarter of the pixels 1, never all of them). A text-to-image
    model gets `model.export_inputs(prompts, seed)`: `CHECK_PROMPTS`
    (cycled to `batch_size`) tokenized, and Gaussian noise; `height` and
    `width` do not apply to it.

    Returns:
        An array for a single-input model, else a dict keyed by input name.

    Example:
    ```python
    x = random_inputs(inpainter, 64, 64)  # {"images": ..., "masks": ...}
    ```
    """
    import keras

    if callable(getattr(model, "export_inputs", None)):
        prompts = [CHECK_PROMPTS[i % len(CHECK_PROMPTS)] for i in range(batch_size)]
        return model.export_inputs(prompts, seed=seed)
    rng = np.random.default_rng(seed)

    def make(tensor):
        shape = (batch_size, height, width, int(tensor.shape[-1]))
        if tensor.name in ("masks", "mask"):
            mask = (rng.random(shape) < 0.25).astype(np.float32)
            mask[:, 0, 0] = 0.0
            return mask
        return rng.random(shape, dtype=np.float32)

    return keras.tree.map_structure(make, model.input)


def parity(model, path, inputs):
    """Max abs difference between `model.predict` and the exported artifact.

    Args:
        model: the Keras model that was exported (for a text-to-image GAN,
            its `export_model()` predicts).
        path: the exported `.tflite` file or SavedModel directory.
        inputs: what `run_exported` takes: an array, or a dict of arrays for a
            multi-input model such as the inpainter.

    Example:
    ```python
    zoo.export(inpainter, "inpainter.tflite")
    parity(inpainter, "inpainter.tflite", random_inputs(inpainter, 64, 64))
    ```
    """
    import keras

    expected = keras.tree.flatten(exportable(model).predict(inputs, verbose=0))
    got = run_exported(path, inputs)
    got = got if isinstance(got, list) else [got]
    if len(got) != len(expected):
        raise ValueError(
            f"The export at {str(path)!r} has {len(got)} outputs; the model has {len(expected)}."
        )
    diff = 0.0
    for g, e in zip(got, expected):
        e = np.asarray(e)
        if g.shape != e.shape:
            raise ValueError(
                f"The export at {str(path)!r} returned shape {g.shape}; the model gives {e.shape}."
            )
        diff = max(diff, float(np.max(np.abs(g.astype(np.float64) - e))))
    return diff
