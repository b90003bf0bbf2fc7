"""CoordinateBias: identity at initialisation, the ramps it adds, validation."""

import keras
import numpy as np
import pytest

from zoo.layers import CoordinateBias

pytestmark = pytest.mark.backend


def test_starts_as_the_identity():
    x = np.random.default_rng(0).normal(size=(2, 5, 3, 4)).astype("float32")
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(CoordinateBias()(x)), x)


def test_adds_a_ramp_per_channel_from_left_top_to_right_bottom():
    layer = CoordinateBias()
    x = np.random.default_rng(1).normal(size=(2, 5, 3, 4)).astype("float32")
    layer.build(x.shape)
    kernel = np.random.default_rng(2).normal(size=(2, 4)).astype("float32")
    layer.set_weights([kernel])
    out = keras.ops.convert_to_numpy(layer(x))
    columns = np.array([-1.0, 0.0, 1.0])[None, :, None]  # x across the width 3
    rows = np.array([-1.0, -0.5, 0.0, 0.5, 1.0])[:, None, None]  # y down the height 5
    expected = x + columns * kernel[0] + rows * kernel[1]
    np.testing.assert_allclose(out, expected, atol=1e-6)


def test_in_a_saved_model_round_trip(tmp_path):
    inputs = keras.Input((4, 6, 3))
    model = keras.Model(inputs, CoordinateBias(name="coordinates")(inputs))
    model.get_layer("coordinates").set_weights([np.ones((2, 3), "float32")])
    model.save(tmp_path / "m.keras")
    restored = keras.saving.load_model(tmp_path / "m.keras")
    x = np.zeros((1, 4, 6, 3), "float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(restored(x)),
                               keras.ops.convert_to_numpy(model(x)), atol=1e-6)
    assert not np.allclose(keras.ops.convert_to_numpy(model(x)), 0.0)


def test_needs_a_known_height_and_width():
    with pytest.raises(ValueError, match="known height, width"):
        CoordinateBias()(keras.Input((None, None, 3)))
