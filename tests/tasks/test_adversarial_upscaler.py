"""AdversarialUpscaler: both players train, on clean patches and on pairs, every backend."""

import keras
import numpy as np
import pytest

from zoo.data.degradations import BicubicDownsample
from zoo.models.dncnn.dncnn_backbone import DnCNNBackbone
from zoo.models.dncnn.dncnn_image_restorer import DnCNNImageRestorer
from zoo.models.espcn.espcn_backbone import ESPCNBackbone
from zoo.models.espcn.espcn_image_restorer import ESPCNImageRestorer
from zoo.models.patch_discriminator.patch_discriminator import PatchDiscriminator
from zoo.tasks.adversarial_upscaler import AdversarialUpscaler

pytestmark = pytest.mark.backend

LOSSES = {"d_loss", "g_loss", "content_loss", "adversarial_loss", "feature_matching_loss"}


def _tiny_restorer(seed=0):
    keras.utils.set_random_seed(seed)
    return ESPCNImageRestorer(backbone=ESPCNBackbone(scale=2, filters=(8, 4)))


def _tiny_upscaler(seed=0, **kwargs):
    restorer = _tiny_restorer(seed)
    discriminator = PatchDiscriminator(width=8, num_downsamples=2)
    return AdversarialUpscaler(restorer, discriminator, **kwargs)


def _high_res(n=4, seed=0):
    return np.random.default_rng(seed).random((n, 32, 32, 3), dtype=np.float32)


def _snapshot(variables):
    return [np.array(keras.ops.convert_to_numpy(v)) for v in variables]


def _moved(before, variables):
    return [not np.allclose(b, a) for b, a in zip(before, _snapshot(variables))]


@pytest.fixture(scope="module")
def fitted():
    """A tiny upscaler fitted 2 steps on clean 32x32 patches, with what it was before."""
    upscaler = _tiny_upscaler()
    g_vars = upscaler.generator_trainable_variables
    d_vars = upscaler.discriminator_trainable_variables
    before = (_snapshot(g_vars), _snapshot(d_vars))
    history = upscaler.fit(_high_res(), batch_size=2, epochs=1, verbose=0, shuffle=False)
    return upscaler, before, history


def test_fit_on_clean_patches_trains_both_players(fitted):
    upscaler, (g_before, d_before), history = fitted
    g_vars = upscaler.generator_trainable_variables
    d_vars = upscaler.discriminator_trainable_variables
    g_ids = {id(v) for v in upscaler.restorer.backbone.trainable_variables}
    assert {id(v) for v in g_vars} == g_ids
    assert all(_moved(g_before, g_vars)), "every restorer weight trains"
    # (The logits' bias may stand still: its hinge gradients cancel while
    # every logit is inside the margin.)
    assert all(_moved(d_before[:-1], d_vars[:-1])), "every discriminator kernel trains"
    assert set(history.history) == LOSSES
    for values in history.history.values():
        assert len(values) == 1 and np.isfinite(values[0])
    assert int(upscaler.optimizer.iterations) == 2
    assert int(upscaler.optimizer.d_optimizer.iterations) == 2


def test_the_fine_tuned_restorer_restores_as_before(fitted):
    upscaler, _, _ = fitted
    image = np.random.default_rng(1).integers(0, 256, (13, 17, 3), dtype=np.uint8)
    out = upscaler.restorer.restore(image)
    assert out.shape == (26, 34, 3) and out.dtype == np.uint8
    # The restorer and the upscaler's generator are the same network.
    low = _high_res(1)[:, :16, :16]
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(upscaler(low)),
        upscaler.restorer.predict_on_batch(low),
        atol=1e-6,
    )


def test_fit_on_pairs_and_loss_weights():
    # Content loss only: the generator step is the restorer's L1 fine-tuning.
    upscaler = _tiny_upscaler(seed=1, adversarial_weight=0.0, feature_matching_weight=0.0)
    high = _high_res(2, seed=3)
    low = keras.ops.convert_to_numpy(BicubicDownsample(2)(high))
    logs = upscaler.train_on_batch(low, high, return_dict=True)
    assert set(logs) == LOSSES
    assert logs["g_loss"] == pytest.approx(logs["content_loss"], rel=1e-5)
    assert all(np.isfinite(v) for v in logs.values())


# Backend-independent, and new weight shapes cost JAX a compile each: TF only.
@pytest.mark.skipif(keras.config.backend() != "tensorflow", reason="same on every backend")
def test_default_discriminator_and_config_round_trip():
    upscaler = AdversarialUpscaler(_tiny_restorer(), adversarial_weight=1e-3, seed=0)
    assert isinstance(upscaler.discriminator, PatchDiscriminator)
    assert upscaler.discriminator.width == 32 and upscaler.scale == 2
    clone = AdversarialUpscaler.from_config(upscaler.get_config())
    assert clone.adversarial_weight == 1e-3 and clone.content_weight == 1.0
    assert clone.count_params() == upscaler.count_params()
    assert isinstance(clone.restorer, ESPCNImageRestorer)


def test_bad_arguments_raise():
    restorer = _tiny_restorer()
    with pytest.raises(TypeError, match="`restorer`"):
        AdversarialUpscaler(restorer.backbone)
    denoiser = DnCNNImageRestorer(backbone=DnCNNBackbone(depth=2, filters=4))
    with pytest.raises(ValueError, match="scale > 1"):
        AdversarialUpscaler(denoiser)
    with pytest.raises(ValueError, match="`adversarial_weight`"):
        AdversarialUpscaler(restorer, adversarial_weight=-1.0)
    with pytest.raises(ValueError, match="`content_weight`"):
        AdversarialUpscaler(restorer, content_weight="1")
    with pytest.raises(TypeError, match="`discriminator`"):
        AdversarialUpscaler(restorer, discriminator="patch")
    upscaler = _tiny_upscaler()
    with pytest.raises(ValueError, match="no `loss`"):
        upscaler.compile(d_optimizer="adam", g_optimizer="adam", loss="mae")


def test_fit_checks_arrays_before_training():
    upscaler = _tiny_upscaler(seed=2)
    low = _high_res(1)[:, :16, :16]
    before = upscaler.restorer.predict_on_batch(low)
    with pytest.raises(ValueError, match="`x`.*multiple of the scale"):
        upscaler.fit(np.zeros((4, 33, 33, 3), "float32"), batch_size=2, verbose=0)
    with pytest.raises(ValueError, match="`y`"):
        upscaler.fit(_high_res(2)[:, :15, :15], _high_res(2), batch_size=2, verbose=0)
    with pytest.raises(TypeError, match="`x`"):
        upscaler.fit(np.zeros((2, 32, 32, 3), "int16"), batch_size=2, verbose=0)
    with pytest.raises(TypeError, match="`y`"):
        upscaler.fit(_high_res(2)[:, :16, :16], np.zeros((2, 32, 32, 3), "int32"), verbose=0)
    with pytest.raises(ValueError, match=r"`validation_data`.*restorer\.evaluate"):
        upscaler.fit(_high_res(), batch_size=2, verbose=0, validation_data=(_high_res(2),))
    with pytest.raises(ValueError, match=r"`validation_split`.*restorer\.evaluate"):
        upscaler.fit(_high_res(), batch_size=2, verbose=0, validation_split=0.5)
    # Nothing ran: the restorer is untouched and still usable (on JAX a
    # failed first step would have emptied its variables).
    assert int(upscaler.optimizer.iterations) == 0
    np.testing.assert_allclose(upscaler.restorer.predict_on_batch(low), before)

    # uint8 images train on the [0, 1] scale, as the restorer's own `fit`.
    images = (_high_res(2) * 255).astype(np.uint8)
    history = upscaler.fit(images, batch_size=2, epochs=1, verbose=0)
    assert history.history["content_loss"][0] < 1.0
    assert int(upscaler.optimizer.iterations) == 1
