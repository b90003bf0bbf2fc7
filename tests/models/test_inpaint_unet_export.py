"""The inpainter exports to LiteRT with its two inputs and fp32 parity (TensorFlow only)."""

import keras
import numpy as np
import pytest

import zoo
from zoo.models import InpaintUNetBackbone, InpaintUNetInpainter

pytestmark = pytest.mark.skipif(
    keras.config.backend() != "tensorflow", reason="LiteRT conversion needs TensorFlow"
)


def test_litert_parity_without_flex_ops(tmp_path):
    from ai_edge_litert.interpreter import Interpreter

    keras.utils.set_random_seed(0)
    inpainter = InpaintUNetInpainter(
        backbone=InpaintUNetBackbone(width=4, depth=1, dilations=[2]))
    path = zoo.export(inpainter, tmp_path / "inpaint.tflite")
    rng = np.random.default_rng(0)
    x = {"images": rng.random((1, 20, 28, 3), dtype=np.float32),
         "masks": (rng.random((1, 20, 28, 1)) < 0.3).astype(np.float32)}
    # The stock interpreter has no Flex (TensorFlow) ops: every op is builtin.
    interpreter = Interpreter(model_path=str(path))
    inputs = {d["name"].split("_")[-1].split(":")[0]: d for d in interpreter.get_input_details()}
    assert set(inputs) == {"images", "masks"}
    for name, detail in inputs.items():
        interpreter.resize_tensor_input(detail["index"], x[name].shape)
    interpreter.allocate_tensors()
    for name, detail in inputs.items():
        interpreter.set_tensor(detail["index"], x[name])
    interpreter.invoke()
    out = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
    assert np.abs(out - inpainter.predict(x, verbose=0)).max() <= 1e-4
