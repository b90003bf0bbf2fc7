"""Export to SavedModel and LiteRT (TFLite), and the parity check behind it."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

FORMATS = ("litert", "tf_saved_model")
QUANTIZATIONS = (None, "dynamic_int8")


def _infer_format(path, format):
    if format is None:
        format = "litert" if str(path).endswith(".tflite") else "tf_saved_model"
    if format not in FORMATS:
        raise ValueError(f"`format` must be one of {FORMATS}. Received: format={format!r}")
    return format


def _input_signature(model, input_shape):
    if input_shape is None:
        return None
    if len(input_shape) != 2 or not all(isinstance(s, int) and s > 0 for s in input_shape):
        raise ValueError(
            f"`input_shape` must be (height, width) positive ints. Received: {input_shape!r}"
        )
    import keras

    channels = model.input_shape[-1]
    return [keras.InputSpec(shape=(1, *input_shape, channels), dtype="float32")]


def export(model, path, format=None, *, quantize=None, input_shape=None, verbose=False):
    """Exports a zoo model for serving or for a phone.

    The file or directory appears only once it is complete. On the JAX and
    PyTorch backends the export runs in a TensorFlow-backend subprocess
    (LiteRT conversion needs TensorFlow), through a temporary preset.

    Args:
        model: a zoo task (e.g. an `ImageRestorer`).
        path: `*.tflite` for LiteRT, else a SavedModel directory.
        format: `"litert"` or `"tf_saved_model"` (default: from `path`).
        quantize: `None` (float32) or `"dynamic_int8"` (LiteRT only: int8
            weights, float activations).
        input_shape: `(height, width)` to fix the input size (phones prefer
            static shapes); default: any size.
        verbose: print the exporter's messages.

    Returns:
        The path written.

    Example:
    ```python
    zoo.export(denoiser, "denoiser.tflite")
    zoo.export(denoiser, "denoiser_savedmodel", format="tf_saved_model")
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
    signature = _input_signature(model, input_shape)
    if path.exists() and path.is_dir() != (format == "tf_saved_model"):
        raise ValueError(f"`path` {str(path)!r} exists and is not a {format} target.")
    path.parent.mkdir(parents=True, exist_ok=True)
    if keras.config.backend() != "tensorflow":
        return _export_in_tensorflow(model, path, format, quantize, input_shape)

    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        target = staging / path.name
        kwargs = {}
        if quantize == "dynamic_int8":
            import tensorflow as tf

            kwargs["optimizations"] = [tf.lite.Optimize.DEFAULT]
        model.export(str(target), format=format, verbose=verbose,
                     input_signature=signature, **kwargs)
        if path.is_dir():
            shutil.rmtree(path)
        os.replace(target, path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return str(path)


def _export_in_tensorflow(model, path, format, quantize, input_shape):
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
        if input_shape:
            command += ["--input-shape", f"{input_shape[0]}x{input_shape[1]}"]
        env = dict(os.environ, KERAS_BACKEND="tensorflow")
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"Export in a TensorFlow subprocess failed:\n{done.stderr[-2000:]}")
    return str(path)


def run_exported(path, inputs):
    """Runs an exported LiteRT file or SavedModel on a float32 batch."""
    path = str(path)
    inputs = np.asarray(inputs, dtype=np.float32)
    if path.endswith(".tflite"):
        from ai_edge_litert.interpreter import Interpreter

        interpreter = Interpreter(model_path=path)
        detail = interpreter.get_input_details()[0]
        if tuple(detail["shape"]) != inputs.shape:
            interpreter.resize_tensor_input(detail["index"], inputs.shape)
        interpreter.allocate_tensors()
        interpreter.set_tensor(detail["index"], inputs)
        interpreter.invoke()
        return interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
    import tensorflow as tf

    loaded = tf.saved_model.load(path)
    return np.asarray(loaded.serve(tf.constant(inputs)))


def parity(model, path, inputs):
    """Max abs difference between `model.predict` and the exported artifact."""
    expected = np.asarray(model.predict(inputs, verbose=0))
    return float(np.max(np.abs(run_exported(path, inputs) - expected)))
