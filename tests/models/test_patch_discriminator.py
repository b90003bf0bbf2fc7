"""PatchDiscriminator: patch logits and features on odd sizes, config, validation."""

import keras
import numpy as np
import pytest

import zoo

from zoo.models.patch_discriminator.patch_discriminator import PatchDiscriminator

pytestmark = pytest.mark.backend


def _images(shape, seed=0):
    return np.random.default_rng(seed).random(shape, dtype=np.float32)


@pytest.mark.parametrize("num_downsamples", [1, 3])
def test_odd_sizes_give_one_logit_per_patch(num_downsamples):
    keras.utils.set_random_seed(0)
    discriminator = PatchDiscriminator(width=4, num_downsamples=num_downsamples)
    outputs = discriminator(_images((2, 37, 50, 3)), training=True)
    stride = 2**num_downsamples
    height, width = -(-37 // stride), -(-50 // stride)  # "same" padding rounds up
    logits = keras.ops.convert_to_numpy(outputs["logits"])
    assert logits.shape == (2, height, width, 1) and logits.dtype == np.float32
    assert np.all(np.isfinite(logits))
    features = outputs["features"]
    assert len(features) == num_downsamples + 1
    assert [tuple(f.shape[1:3]) for f in features[-2:]] == [(height, width)] * 2
    # Channels double per downsampling step from `width`, capped at 8x.
    assert [f.shape[-1] for f in features] == [4 * min(2**i, 8) for i in range(len(features))]


def test_every_layer_is_spectrally_normalised():
    discriminator = PatchDiscriminator(width=4, num_downsamples=2)
    convs = [layer for layer in discriminator.layers if "conv" in type(layer).__name__.lower()]
    normalised = [
        layer for layer in discriminator.layers
        if isinstance(layer, zoo.layers.SpectralNormalization)
    ]
    assert not convs and len(normalised) == 4  # 2 strided, 1 stride-1, 1 logits


def test_config_round_trip_gives_same_output():
    keras.utils.set_random_seed(1)
    discriminator = PatchDiscriminator(width=4, num_downsamples=2, channels=1)
    config = discriminator.get_config()
    assert {k: config[k] for k in ("width", "num_downsamples", "channels")} == {
        "width": 4, "num_downsamples": 2, "channels": 1,
    }
    clone = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(discriminator)
    )
    assert isinstance(clone, PatchDiscriminator)
    clone.set_weights(discriminator.get_weights())
    x = _images((1, 16, 12, 1), seed=2)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(clone(x)["logits"]),
        keras.ops.convert_to_numpy(discriminator(x)["logits"]),
        atol=1e-6,
    )


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"width": 0}, "width"),
        ({"width": 8.5}, "width"),
        ({"num_downsamples": 0}, "num_downsamples"),
        ({"num_downsamples": True}, "num_downsamples"),
        ({"channels": 0}, "channels"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs, word):
    with pytest.raises((TypeError, ValueError), match=f"`{word}`"):
        PatchDiscriminator(**kwargs)
