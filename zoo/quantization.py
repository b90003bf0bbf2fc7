"""Mixed-precision dynamic-range LiteRT files: some layers keep float32 weights.

LiteRT's dynamic-range int8 runs every layer whose weights are int8 with a
hybrid kernel that also quantizes the layer's *input* to int8 at run time,
one range per tensor. For most layers that costs nothing measurable, but
the layer that writes the output (a restorer's last convolution, whose
error lands on the pixels unfiltered) can lose several tenths of a dB. The
TFLite converter has no per-layer switch for dynamic-range quantization,
so `keep_float_weights` rewrites the converted file: the named layers get
their float32 weights back (from a float32 conversion of the same model)
and so run the float kernel.
"""

import re

import numpy as np


def _schema():
    from tensorflow.lite.python import schema_py_generated
    from tensorflow.lite.tools import flatbuffer_utils

    return schema_py_generated, flatbuffer_utils


def _scopes(tensor_name):
    """`a_1/b_1/conv_out_1/convolution` -> its name scopes, with and without
    the `_N` suffix the exporter may add."""
    parts = tensor_name.split("/")[:-1]
    return set(parts) | {re.sub(r"_\d+$", "", part) for part in parts}


def _is_constant(model, tensor):
    """Whether a LiteRT tensor holds data (a weight), not a run-time value."""
    return bool(tensor.buffer) and model.buffers[tensor.buffer].data is not None


def int8_weight_scopes(path):
    """Name scopes of the int8 weight tensors in a LiteRT file, one set per tensor.

    Example:
    ```python
    zoo.export(denoiser, "d8.tflite", quantize="dynamic_int8", float_layers=())
    int8_weight_scopes("d8.tflite")  # [{"dn_cnn_backbone", "conv_in", ...}, ...]
    ```
    """
    schema, flatbuffer_utils = _schema()
    model = flatbuffer_utils.read_model(str(path))
    return [
        _scopes(t.name.decode()) for t in model.subgraphs[0].tensors
        if t.type == schema.TensorType.INT8 and _is_constant(model, t)
    ]


def output_layer_name(model):
    """The last layer with weights, searched into nested models (the output conv).

    Example:
    ```python
    output_layer_name(denoiser)  # "conv_out"
    ```
    """
    for layer in reversed(model.layers):
        if not layer.weights:
            continue
        if hasattr(layer, "layers") and layer.layers:
            return output_layer_name(layer)
        return layer.name
    return None


def default_float_layers(model):
    """Layers a dynamic-int8 export keeps in float32 unless told otherwise.

    The backbone's `int8_float_layers` where it declares them (a network
    whose activations quantize badly in some layers), else the output layer
    (`output_layer_name`), whose int8 error would land on the pixels.

    Example:
    ```python
    default_float_layers(denoiser)  # ["conv_out"]
    ```
    """
    declared = getattr(getattr(model, "backbone", model), "int8_float_layers", None)
    if declared is not None:
        return list(declared)
    name = output_layer_name(model)
    return [name] if name else []


def weighted_layer_names(model):
    """Names of the layers with weights of their own, nested models searched."""
    names = []
    for layer in model.layers:
        if hasattr(layer, "layers") and layer.layers:
            names += weighted_layer_names(layer)
        elif layer.weights:
            names.append(layer.name)
    return names


def keep_float_weights(int8_path, float_path, layer_names):
    """Rewrites `int8_path` so the weights of `layer_names` are float32 again.

    Args:
        int8_path: a dynamic-range int8 LiteRT file.
        float_path: the float32 LiteRT file of the same model (same converter
            run but for quantization, so the tensor names match).
        layer_names: Keras layer names; a weight tensor is restored when one
            of its name scopes is one of these names. (Layers with fewer than
            1024 weights the converter leaves in float32 anyway.)

    Returns:
        The number of weight tensors restored to float32.
    """
    schema, flatbuffer_utils = _schema()
    model = flatbuffer_utils.read_model(str(int8_path))
    graph = model.subgraphs[0]
    reference = flatbuffer_utils.read_model(str(float_path))
    float_data = {
        t.name: reference.buffers[t.buffer].data
        for t in reference.subgraphs[0].tensors
        if t.type == schema.TensorType.FLOAT32 and t.buffer
        and reference.buffers[t.buffer].data is not None
    }
    wanted = set(layer_names)
    restored = 0
    for tensor in graph.tensors:
        if tensor.type != schema.TensorType.INT8:
            continue
        layers = wanted & _scopes(tensor.name.decode())
        if not layers:
            continue
        if not _is_constant(model, tensor):
            # An int8 value computed at run time: an Embedding's int8 lookup,
            # whose consumers expect int8; its table cannot go back alone.
            raise ValueError(
                f"`float_layers`: {sorted(layers)} computes int8 values at run time "
                "(an Embedding's lookup) in the dynamic-int8 file, so its weights "
                "cannot be kept in float32: leave it out of `float_layers`."
            )
        data = float_data.get(tensor.name)
        if data is None or len(data) != 4 * int(np.prod(tensor.shape)):
            raise RuntimeError(
                f"No float32 weights for {tensor.name.decode()!r} in {str(float_path)!r}."
            )
        model.buffers[tensor.buffer].data = np.asarray(data, np.uint8)
        tensor.type = schema.TensorType.FLOAT32
        tensor.quantization = None
        restored += 1
    flatbuffer_utils.write_model(model, str(int8_path))
    return restored
