"""zoo.quantization: which layers a mixed int8 export keeps in float32."""

import pytest

import zoo
from zoo.quantization import default_float_layers, output_layer_name, weighted_layer_names


pytestmark = pytest.mark.backend  # plain Keras: the same on every backend


def test_output_layer_of_a_restorer(tiny_restorer):
    restorer = tiny_restorer(depth=3)
    assert output_layer_name(restorer) == "conv_out"
    assert weighted_layer_names(restorer) == ["conv_in", "conv_1", "bn_1", "conv_out"]


def test_output_layer_searches_nested_models_and_skips_weightless_layers():
    backbone = zoo.models.InpaintUNetBackbone(width=4, depth=1, dilations=(2,))
    inpainter = zoo.models.InpaintUNetInpainter(backbone=backbone)
    # The last layer, `KeepKnown`, has no weights: the conv before it writes the pixels.
    assert inpainter.backbone.layers[-1].weights == []
    assert output_layer_name(inpainter) == "to_image"
    # A gated conv is one name (its inner conv is not listed apart).
    assert weighted_layer_names(inpainter) == [
        "stem", "down0", "enc0", "context0", "dec0", "to_image"
    ]


def test_default_float_layers(tiny_restorer):
    assert default_float_layers(tiny_restorer(depth=3)) == ["conv_out"]
    backbone = zoo.models.InpaintUNetBackbone(width=4, depth=2, dilations=(2, 4))
    inpainter = zoo.models.InpaintUNetInpainter(backbone=backbone)
    # The U-Net declares its own: everything but the lowest-resolution layers.
    assert default_float_layers(inpainter) == [
        "stem", "down0", "enc0", "dec1", "dec0", "to_image"
    ]
    assert default_float_layers(inpainter) == backbone.int8_float_layers
