"""PixelShuffle: numpy reference on every backend, tf.nn.depth_to_space on TF."""

import keras
import numpy as np
import pytest

from zoo.layers import PixelShuffle


def depth_to_space(x, s):
    """NHWC depth to space in numpy: out[h*s+i, w*s+j, c] = in[h, w, (i*s+j)*C+c]."""
    n, h, w, cs = x.shape
    c = cs // (s * s)
    out = np.empty((n, h * s, w * s, c), x.dtype)
    for i in range(s):
        for j in range(s):
            out[:, i::s, j::s, :] = x[..., (i * s + j) * c : (i * s + j + 1) * c]
    return out


def _x(shape, seed=0):
    return np.random.default_rng(seed).random(shape, dtype=np.float32)


@pytest.mark.backend
@pytest.mark.parametrize("scale, shape", [(2, (2, 3, 5, 12)), (3, (1, 4, 1, 18)), (4, (1, 2, 3, 16))])
def test_matches_numpy_reference(scale, shape):
    x = _x(shape)
    out = keras.ops.convert_to_numpy(PixelShuffle(scale)(x))
    np.testing.assert_array_equal(out, depth_to_space(x, scale))


@pytest.mark.backend
def test_unknown_height_and_width_in_a_model():
    inputs = keras.Input((None, None, 8))
    model = keras.Model(inputs, PixelShuffle(2)(inputs))
    assert model.output_shape == (None, None, None, 2)
    for shape in [(1, 3, 7, 8), (2, 5, 2, 8)]:
        x = _x(shape)
        out = keras.ops.convert_to_numpy(model(x))
        np.testing.assert_array_equal(out, depth_to_space(x, 2))


@pytest.mark.backend
def test_config_round_trip():
    layer = PixelShuffle(3, name="shuffle")
    clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert isinstance(clone, PixelShuffle) and clone.scale == 3 and clone.name == "shuffle"


@pytest.mark.backend
@pytest.mark.parametrize("scale", [1, 0, 2.5, True, "2"])
def test_bad_scale_raises(scale):
    with pytest.raises((ValueError, TypeError), match="scale"):
        PixelShuffle(scale)


@pytest.mark.backend
def test_channels_not_divisible_raise():
    with pytest.raises(ValueError, match="divisible by 4"):
        PixelShuffle(2)(_x((1, 2, 2, 6)))


@pytest.mark.skipif(keras.config.backend() != "tensorflow", reason="TensorFlow reference")
@pytest.mark.parametrize("scale", [2, 3, 4])
def test_matches_tf_depth_to_space(scale):
    import tensorflow as tf

    x = _x((2, 5, 7, 2 * scale * scale), seed=scale)
    expected = tf.nn.depth_to_space(x, scale).numpy()
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(PixelShuffle(scale)(x)), expected)


def test_nearest_upsample_repeats_each_pixel_with_static_shape():
    import keras

    from zoo.layers import nearest_upsample

    inputs = keras.Input((3, 5, 2))
    outputs = nearest_upsample(inputs, name="up")
    assert tuple(outputs.shape) == (None, 6, 10, 2)  # static: LiteRT keeps CONV_2D builtin
    x = np.random.default_rng(0).random((2, 3, 5, 2), dtype=np.float32)
    y = keras.ops.convert_to_numpy(keras.Model(inputs, outputs)(x))
    np.testing.assert_array_equal(y, x.repeat(2, axis=1).repeat(2, axis=2))


@pytest.mark.parametrize("scale", [2.0, 2.5, None, True])
def test_non_int_scale_raises_type_error(scale):
    with pytest.raises(TypeError, match="scale"):
        PixelShuffle(scale)


def test_numpy_int_scale_stored_as_int():
    layer = PixelShuffle(np.int32(2))
    assert type(layer.scale) is int and type(layer.get_config()["scale"]) is int
