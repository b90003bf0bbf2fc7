"""TextGANDiscriminator: spectral norm everywhere, projection on the text."""

import keras
import numpy as np
import pytest

import zoo

from zoo.models import TextGANDiscriminator

pytestmark = pytest.mark.backend


def _inputs(n=3, size=16, text_dim=8, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "images": rng.uniform(-1, 1, size=(n, size, size, 3)).astype("float32"),
        "text": rng.normal(size=(n, text_dim)).astype("float32"),
    }


def test_logits_spectral_norm_and_config_round_trip():
    keras.utils.set_random_seed(0)
    discriminator = TextGANDiscriminator(text_dim=8, image_size=16, width=4)
    x = _inputs()
    logits = keras.ops.convert_to_numpy(discriminator(x, training=False))
    assert logits.shape == (3, 1) and np.all(np.isfinite(logits))

    weighted = [
        layer for layer in discriminator.layers
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense))
    ]
    wrapped = [
        layer for layer in discriminator.layers
        if isinstance(layer, zoo.layers.SpectralNormalization)
    ]
    assert not weighted, "every conv and dense layer sits inside SpectralNormalization"
    assert len(wrapped) >= 10

    restored = TextGANDiscriminator.from_config(discriminator.get_config())
    restored.set_weights(discriminator.get_weights())
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(restored(x, training=False)), logits, atol=1e-5
    )


def test_projection_makes_the_score_depend_on_the_text():
    keras.utils.set_random_seed(1)
    discriminator = TextGANDiscriminator(text_dim=8, image_size=16, width=4)
    x = _inputs()
    base = keras.ops.convert_to_numpy(discriminator(x, training=False))
    swapped = dict(x, text=x["text"][::-1].copy())
    assert not np.allclose(keras.ops.convert_to_numpy(discriminator(swapped, training=False)), base)


def test_default_multipliers_at_64():
    discriminator = TextGANDiscriminator(text_dim=8, image_size=64, width=2)
    assert discriminator.channel_multipliers == (1, 2, 4, 8, 8)
    with pytest.raises(ValueError, match="channel_multipliers"):
        TextGANDiscriminator(text_dim=8, image_size=64, channel_multipliers=(1, 2))


def test_attribute_heads_read_the_same_features():
    keras.utils.set_random_seed(2)
    discriminator = TextGANDiscriminator(
        text_dim=8, image_size=16, width=4, attribute_classes=(2, 5, 7)
    )
    x = _inputs()
    out = discriminator(x, training=False)
    assert sorted(out) == ["attributes", "logits"]
    assert tuple(out["logits"].shape) == (3, 1)
    assert tuple(out["attributes"].shape) == (3, 14)
    # The heads are the only layer outside spectral normalisation.
    plain = [layer.name for layer in discriminator.layers
             if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense))]
    assert plain == ["attribute_logits"]

    restored = TextGANDiscriminator.from_config(discriminator.get_config())
    assert restored.attribute_classes == (2, 5, 7)
    restored.set_weights(discriminator.get_weights())
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(restored(x, training=False)["attributes"]),
        keras.ops.convert_to_numpy(out["attributes"]), atol=1e-5,
    )
    with pytest.raises(ValueError, match="attribute_classes"):
        TextGANDiscriminator(text_dim=8, image_size=16, attribute_classes=(3, 1))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(image_size=16.0), "image_size"),
        (dict(image_size=None), "image_size"),
        (dict(width=4.5), "width"),
        (dict(width=True), "width"),
        (dict(text_dim=None), "text_dim"),
        (dict(channel_multipliers=(1, 2.0, 2)), "channel_multipliers"),
        (dict(attribute_classes=(3, 2.5)), "attribute_classes"),
        (dict(attribute_classes=(True,)), "attribute_classes"),
    ],
)
def test_non_int_arguments_raise_type_error(kwargs, match):
    with pytest.raises(TypeError, match=match):
        TextGANDiscriminator(**{"text_dim": 8, "image_size": 16, "width": 4, **kwargs})


@pytest.mark.parametrize("image_size", [4, 12, 48])
def test_bad_image_size_raises(image_size):
    with pytest.raises(ValueError, match="image_size"):
        TextGANDiscriminator(text_dim=8, image_size=image_size, width=4)
