"""GatedConv2D: act(features) * sigmoid(gate) from one convolution."""

import keras
import numpy as np
import pytest

from zoo.layers import GatedConv2D

pytestmark = pytest.mark.backend


def test_shapes_strides_and_dilation():
    x = np.random.default_rng(0).random((1, 17, 12, 2), dtype=np.float32)
    assert GatedConv2D(3, 3, strides=2)(x).shape == (1, 9, 6, 3)
    assert GatedConv2D(3, 3, dilation_rate=2)(x).shape == (1, 17, 12, 3)
    assert GatedConv2D(6, 3, strides=2).compute_output_shape((None, 16, 12, 4)) == (None, 8, 6, 6)


def test_output_is_activated_features_times_sigmoid_gate():
    keras.utils.set_random_seed(0)
    layer = GatedConv2D(3, 3, activation="elu")
    x = np.random.default_rng(1).normal(size=(1, 8, 9, 2)).astype(np.float32)
    out = keras.ops.convert_to_numpy(layer(x))
    raw = keras.ops.convert_to_numpy(layer.conv(x))
    features, gate = raw[..., :3], raw[..., 3:]
    elu = np.where(features > 0, features, np.expm1(features))
    np.testing.assert_allclose(out, elu / (1 + np.exp(-gate)), atol=1e-5)


def test_config_round_trip():
    layer = GatedConv2D(4, 5, strides=2, dilation_rate=1, activation="relu")
    clone = keras.layers.deserialize(keras.layers.serialize(layer))
    assert isinstance(clone, GatedConv2D)
    assert (clone.filters, clone.kernel_size, clone.strides) == (4, 5, 2)
    assert clone.activation is keras.activations.relu
    with pytest.raises(ValueError, match="filters"):
        GatedConv2D(0)


@pytest.mark.parametrize("filters", [2.5, 2.0, None, True, "4"])
def test_non_int_filters_raise_type_error(filters):
    with pytest.raises(TypeError, match="filters"):
        GatedConv2D(filters)


def test_numpy_int_filters_stored_as_int():
    layer = GatedConv2D(np.int64(3))
    assert layer.filters == 3 and type(layer.filters) is int
    assert type(layer.get_config()["filters"]) is int
