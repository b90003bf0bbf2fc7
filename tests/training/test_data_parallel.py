"""`zoo.training.data_parallel`: `fit` split over two devices moves the weights
as one device does with the whole batch (a restorer and a GAN's two-optimizer
step), and the text GAN trains under TensorFlow's strategy.

The devices are two virtual CPUs, which must be set up before the backend
starts: the check runs in a fresh Python process.
"""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from zoo.training import data_parallel

pytestmark = pytest.mark.backend

CHECK = r'''
import json, os, sys
if os.environ["KERAS_BACKEND"] == "jax":
    os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=2"
else:
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import keras
import numpy as np
from keras import ops
from zoo.models import ESPCNBackbone, ESPCNImageRestorer
from zoo.training import AdversarialTrainer, data_parallel


def apart(a, b):
    return max(float(np.abs(x - y).max()) for x, y in zip(a.get_weights(), b.get_weights()))


def restorer():
    keras.utils.set_random_seed(0)
    model = ESPCNImageRestorer(backbone=ESPCNBackbone(scale=2, filters=(8, 8)))
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="mae")
    return model


class MeanGAN(AdversarialTrainer, keras.Model):
    """No noise and no batch statistics: a step is the same however it is split."""

    adversarial_metric_names = ("d_loss", "g_loss")

    def __init__(self):
        super().__init__()
        keras.utils.set_random_seed(0)
        self.generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])
        self.discriminator = keras.Sequential([
            keras.Input((2,)), keras.layers.Dense(4, activation="tanh"), keras.layers.Dense(1)])
        self._init_adversarial()
        self.compile(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.1))

    def call(self, x):
        return self.generator(x)

    def discriminator_loss(self, real):
        fake = ops.stop_gradient(self.generator(real * 0.5))
        loss = (ops.mean(ops.relu(1 - self.discriminator(real)))
                + ops.mean(ops.relu(1 + self.discriminator(fake))))
        return loss, {"d_loss": loss}

    def generator_loss(self, real):
        loss = -ops.mean(self.discriminator(self.generator(real * 0.5)))
        return loss, {"g_loss": loss}


rng = np.random.default_rng(0)
high = rng.random((8, 16, 16, 3), dtype=np.float32)
real = rng.normal(size=(16, 2)).astype("float32")
out = {}
for name, build, data in (("restorer", restorer, (high[:, ::2, ::2], high)),
                          ("gan", MeanGAN, (real,))):
    one = build()
    one.fit(*data, batch_size=4, epochs=1, verbose=0, shuffle=False)
    with data_parallel() as devices:
        two = build()
        two.fit(*data, batch_size=4, epochs=1, verbose=0, shuffle=False)
    out[name] = {"devices": devices, "apart": apart(one, two), "moved": apart(one, build())}
print("RESULT " + json.dumps(out))
'''


@pytest.mark.skipif(keras.config.backend() == "torch", reason="torch fit runs on one device")
def test_two_devices_step_as_one(repo_root):
    env = {**os.environ, "PYTHONPATH": str(repo_root)}
    run = subprocess.run([sys.executable, "-c", CHECK], cwd=repo_root, env=env,
                         capture_output=True, text=True, timeout=600)
    lines = [line for line in run.stdout.splitlines() if line.startswith("RESULT ")]
    assert run.returncode == 0 and lines, run.stderr[-3000:]
    result = json.loads(lines[-1][len("RESULT "):])
    for name in ("restorer", "gan"):
        assert len(result[name]["devices"]) == 2
        # Gradients averaged over the devices: the same update as one device
        # (a sum instead of a mean would double it).
        assert result[name]["moved"] > 1e-3
        assert result[name]["apart"] < 1e-4 * result[name]["moved"], result[name]


@pytest.mark.skipif(keras.config.backend() != "tensorflow", reason="tf.distribute only")
def test_text_gan_fits_under_a_mirrored_strategy():
    # Under tf.distribute its seeds, DiffAugment and metrics run in replica
    # context (JAX traces one global program, as the MeanGAN above checks).
    # One CPU device: a strategy all the same.
    from zoo.data import ATTRIBUTE_CLASSES, CaptionedShapes
    from zoo.models import TextGANTextToImage

    images, captions, _ = CaptionedShapes(seed=0).sample(8)
    with data_parallel() as devices:
        gan = TextGANTextToImage.from_scratch(
            generator_width=2, discriminator_width=2, attribute_classes=ATTRIBUTE_CLASSES,
            seed=0)
        gan.compile()
        before = [keras.ops.convert_to_numpy(w) for w in gan.discriminator.trainable_weights]
        history = gan.fit((images, captions), batch_size=4, epochs=1, verbose=0)
    assert len(devices) == 1
    assert all(np.isfinite(v[-1]) for v in history.history.values())
    moved = [not np.allclose(keras.ops.convert_to_numpy(w), b)
             for w, b in zip(gan.discriminator.trainable_weights, before)]
    assert sum(moved) > len(moved) // 2


def test_torch_refuses_several_devices_and_others_check_names():
    if keras.config.backend() == "torch":
        with pytest.raises(ValueError, match="one device"):
            with data_parallel(["cuda:0", "cuda:1"]):
                pass
        with data_parallel() as devices:
            assert len(devices) == 1
    for devices in ("gpu:0", 2, ["gpu:0", 1]):
        with pytest.raises(TypeError, match="devices"):
            with data_parallel(devices):
                pass
    with pytest.raises(ValueError, match="devices"):
        with data_parallel([]):
            pass
