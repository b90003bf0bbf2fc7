"""TextGANGenerator: shapes, range, text conditioning, config round trip."""

import keras
import numpy as np
import pytest

from zoo.layers import CoordinateBias
from zoo.models import TextGANGenerator
from zoo.models.text_gan import ConditionalBatchNorm, TextCrossAttention

pytestmark = pytest.mark.backend


def _inputs(n=2, text_dim=8, noise_dim=4, length=5, seed=0):
    rng = np.random.default_rng(seed)
    mask = np.ones((n, length), np.int32)
    mask[:, 3:] = 0
    return {
        "noise": rng.normal(size=(n, noise_dim)).astype("float32"),
        "text": rng.normal(size=(n, text_dim)).astype("float32"),
        "token_states": rng.normal(size=(n, length, text_dim)).astype("float32"),
        "padding_mask": mask,
    }


def _tiny(**kwargs):
    defaults = dict(text_dim=8, noise_dim=4, image_size=16, width=4, embedding_dim=8,
                    attention_resolutions=(8,), num_heads=2)
    defaults.update(kwargs)
    return TextGANGenerator(**defaults)


def test_output_shape_range_and_config_round_trip():
    keras.utils.set_random_seed(0)
    generator = _tiny()
    x = _inputs()
    images = keras.ops.convert_to_numpy(generator(x, training=False))
    assert images.shape == (2, 16, 16, 3) and images.dtype == np.float32
    assert np.all(np.abs(images) <= 1.0)
    assert generator.uses_token_states
    assert any(isinstance(layer, ConditionalBatchNorm) for layer in generator.layers)
    assert any(isinstance(layer, TextCrossAttention) for layer in generator.layers)

    restored = TextGANGenerator.from_config(generator.get_config())
    restored.set_weights(generator.get_weights())
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(restored(x, training=False)), images, atol=1e-5
    )


def test_text_changes_the_image_and_padding_does_not():
    keras.utils.set_random_seed(1)
    generator = _tiny()
    # Give the conditional norms and the attention gate non-zero weights.
    for layer in generator.layers:
        if isinstance(layer, (ConditionalBatchNorm, TextCrossAttention)):
            layer.set_weights([np.random.default_rng(2).normal(0, 0.3, w.shape).astype("float32")
                               for w in layer.get_weights()])
    x = _inputs()
    base = keras.ops.convert_to_numpy(generator(x, training=False))
    other_text = dict(x, text=x["text"][::-1].copy())
    assert not np.allclose(keras.ops.convert_to_numpy(generator(other_text, training=False)), base)
    padded = dict(x, token_states=x["token_states"].copy())
    padded["token_states"][:, 3:] = 100.0  # behind padding_mask == 0
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(generator(padded, training=False)), base, atol=1e-5
    )


def test_coordinates_start_as_the_plain_generator_and_then_move_the_image():
    keras.utils.set_random_seed(3)
    plain = _tiny()
    with_coordinates = _tiny(coordinates=True)
    assert with_coordinates.get_config()["coordinates"] is True
    added = [layer for layer in with_coordinates.layers if isinstance(layer, CoordinateBias)]
    assert [layer.name for layer in added] == ["block_0_coordinates", "block_1_coordinates"]
    for layer in plain.layers:
        with_coordinates.get_layer(layer.name).set_weights(layer.get_weights())
    x = _inputs()
    base = keras.ops.convert_to_numpy(plain(x, training=False))
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(with_coordinates(x, training=False)), base, atol=1e-6
    )
    added[-1].set_weights([np.full((2, 4), 0.5, "float32")])
    assert not np.allclose(keras.ops.convert_to_numpy(with_coordinates(x, training=False)), base)


def test_without_attention_takes_two_inputs():
    generator = _tiny(attention_resolutions=())
    assert not generator.uses_token_states
    assert len(generator.inputs) == 2


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(image_size=48), "image_size"),
        (dict(channel_multipliers=(4, 2)), "channel_multipliers"),
        (dict(attention_resolutions=(32,)), "attention_resolutions"),
        (dict(width=0), "width"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        _tiny(**kwargs)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(image_size=16.0), "image_size"),
        (dict(image_size=None), "image_size"),
        (dict(image_size=True), "image_size"),
        (dict(width=2.5), "width"),
        (dict(width=None), "width"),
        (dict(text_dim=8.5), "text_dim"),
        (dict(noise_dim=True), "noise_dim"),
        (dict(embedding_dim=None), "embedding_dim"),
        (dict(num_heads=2.0), "num_heads"),
        (dict(channel_multipliers=(4, 2.5, 1)), "channel_multipliers"),
        (dict(channel_multipliers=(4, None, 1)), "channel_multipliers"),
        (dict(attention_resolutions=(8.0,)), "attention_resolutions"),
        (dict(attention_resolutions=(True,)), "attention_resolutions"),
        (dict(attention_resolutions=8), "attention_resolutions"),
    ],
)
def test_non_int_arguments_raise_type_error(kwargs, match):
    with pytest.raises(TypeError, match=match):
        _tiny(**kwargs)


@pytest.mark.parametrize("image_size", [0, 4, 12, 20, 24, 100])
def test_image_size_must_be_four_times_a_power_of_two(image_size):
    with pytest.raises(ValueError, match="image_size"):
        _tiny(image_size=image_size)
