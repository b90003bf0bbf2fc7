"""`zoo.training.data_parallel`: `fit` split over two devices moves the weights
as one device does with the whole batch (a restorer and a GAN's two-optimizer
step), and the text GAN trains under TensorFlow's strategy.

JAX and TensorFlow: two virtual CPUs, which must be set up before the backend
starts, so the check runs in a fresh Python process. torch: two processes on
the CPU (Gloo), launched as torchrun would, each fitting on half of every batch.
"""

import json
import os
import socket
import subprocess
import sys

import keras
import numpy as np
import pytest

from zoo.training import data_parallel, process_batch_size, process_count, process_index

pytestmark = pytest.mark.backend

TWO_DEVICES = r'''
import os
if os.environ["KERAS_BACKEND"] == "jax":
    os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=2"
else:
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
'''

MODELS = r'''
import json, os, sys
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
CASES = (("restorer", restorer, (high[:, ::2, ::2], high)), ("gan", MeanGAN, (real,)))
'''

# One process, two devices: the global batch of 4 split in two.
CHECK = TWO_DEVICES + MODELS + r'''
out = {}
for name, build, data in CASES:
    one = build()
    one.fit(*data, batch_size=4, epochs=1, verbose=0, shuffle=False)
    with data_parallel() as devices:
        two = build()
        two.fit(*data, batch_size=4, epochs=1, verbose=0, shuffle=False)
    out[name] = {"devices": devices, "apart": apart(one, two), "moved": apart(one, build())}
print("RESULT " + json.dumps(out))
'''

# Two processes (torch): each fits on its half of every global batch of 4;
# models whose weights differ between the processes are refused.
TORCH_CHECK = MODELS + r'''
from zoo.training import process_batch_size, process_count, process_index

rank = int(os.environ["RANK"])
ones = {}
if rank == 0:  # the reference, before the processes are joined
    for name, build, data in CASES:
        ones[name] = build()
        ones[name].fit(*data, batch_size=4, epochs=1, verbose=0, shuffle=False)
out = {}
with data_parallel() as devices:
    assert (process_index(), process_count()) == (rank, 2)
    assert process_batch_size(4) == 2
    try:
        process_batch_size(3)
    except ValueError as error:
        assert "`batch_size` must be a multiple of the 2" in str(error)
    else:
        raise AssertionError("an odd global batch over 2 processes was accepted")
    for name, build, data in CASES:
        two = build()
        half = [d.reshape(-1, 2, 2, *d.shape[1:])[:, rank].reshape(-1, *d.shape[1:])
                for d in data]
        two.fit(*half, batch_size=2, epochs=1, verbose=0, shuffle=False)
        if rank == 0:
            out[name] = {"devices": devices, "apart": apart(ones[name], two),
                         "moved": apart(ones[name], build())}
    # The text GAN (seeds, DiffAugment, attribute heads): the replicas' trainable
    # weights stay equal (batch statistics are each process's own).
    from zoo.data import ATTRIBUTE_CLASSES, CaptionedShapes
    from zoo.models import TextGANTextToImage

    images, captions, _ = CaptionedShapes(seed=0).sample(8)
    gan = TextGANTextToImage.from_scratch(
        generator_width=2, discriminator_width=2, attribute_classes=ATTRIBUTE_CLASSES, seed=0)
    gan.compile()
    gan.fit((images[rank::2], captions[rank::2]), batch_size=2, epochs=1, verbose=0)
    print("GAN_WEIGHTS", [float(np.abs(ops.convert_to_numpy(w)).sum())
                          for w in gan.trainable_weights])
    odd = restorer()
    if rank == 1:
        odd.set_weights([w + 0.5 for w in odd.get_weights()])
    try:
        odd.fit(high[:2, ::2, ::2], high[:2], batch_size=2, verbose=0)
    except ValueError as error:
        out["refused"] = "different weights" in str(error)
assert (process_index(), process_count()) == (0, 1)
if rank == 0:
    print("RESULT " + json.dumps(out))
'''


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_two_processes(script, env, cwd, logs):
    """Runs `script` as ranks 0 and 1, as torchrun would; returns their logs.

    Output goes to files, not pipes: a rank blocked on a full pipe would
    leave the other waiting in a collective.
    """
    env = {**env, "WORLD_SIZE": "2", "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(_free_port())}
    workers = []
    for rank in (0, 1):
        with open(logs / f"out{rank}", "w") as out, open(logs / f"err{rank}", "w") as err:
            workers.append(subprocess.Popen(
                [sys.executable, "-c", script], cwd=cwd, stdout=out, stderr=err,
                env={**env, "RANK": str(rank), "LOCAL_RANK": str(rank)}))
    try:
        returncode = max(w.wait(timeout=600) for w in workers)
    finally:
        for w in workers:
            w.kill()
    read = [((logs / f"out{r}").read_text(), (logs / f"err{r}").read_text()) for r in (0, 1)]
    return returncode, read


def test_two_devices_step_as_one(repo_root, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(repo_root)}
    if keras.config.backend() == "torch":
        returncode, outputs = _run_two_processes(TORCH_CHECK, env, repo_root, tmp_path)
        stdout, stderr = outputs[0][0], outputs[0][1] + outputs[1][1]
        devices = 1  # per process
        gan_weights = [[line for line in out.splitlines() if line.startswith("GAN_WEIGHTS")]
                       for out, _ in outputs]
        assert gan_weights[0] and gan_weights[0] == gan_weights[1], stderr[-3000:]
    else:
        run = subprocess.run([sys.executable, "-c", CHECK], cwd=repo_root, env=env,
                             capture_output=True, text=True, timeout=600)
        returncode, stdout, stderr = run.returncode, run.stdout, run.stderr
        devices = 2
    lines = [line for line in stdout.splitlines() if line.startswith("RESULT ")]
    assert returncode == 0 and lines, stderr[-3000:]
    result = json.loads(lines[-1][len("RESULT "):])
    if keras.config.backend() == "torch":
        assert result["refused"]
    for name in ("restorer", "gan"):
        assert len(result[name]["devices"]) == devices
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
    # One process (no torchrun): rank 0 of 1, inside the scope as outside.
    with data_parallel():
        assert (process_index(), process_count()) == (0, 1)
    assert (process_index(), process_count()) == (0, 1)
    if keras.config.backend() == "torch":
        with pytest.raises(ValueError, match="torchrun"):
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


def test_process_batch_size_alone_is_the_whole_batch():
    # One process (no torchrun): the whole batch; the two-process split is
    # checked in the torchrun test above.
    assert process_batch_size(6) == 6
    for bad in (2.0, True, "8"):
        with pytest.raises(TypeError, match="batch_size"):
            process_batch_size(bad)
    for bad in (0, -2):
        with pytest.raises(ValueError, match="batch_size"):
            process_batch_size(bad)


def test_names_of_missing_devices_are_refused():
    # A MirroredStrategy over a missing device made `fit` hang; a missing
    # GPU alone ran on the CPU; JAX raised a RuntimeError or an unpack error.
    backend = keras.config.backend()
    missing = [["cpu:99"], ["gpu:99"], ["nonsense"], ["cpu:0", "cpu:99"]]
    if backend != "torch":
        missing.append(["cpu:0", "cpu:0"])  # one device twice
    for devices in missing:
        with pytest.raises(ValueError, match="devices"):
            with data_parallel(devices):
                pass
    with pytest.raises(ValueError, match="Available"):
        with data_parallel(["cpu:99"]):
            pass
    # The CPU exists everywhere (torch: where no GPU is the process's device).
    if backend == "torch":
        import torch

        if torch.cuda.is_available():
            pytest.skip("the process's device is the GPU")
    with data_parallel(["cpu:0"]) as used:
        assert used == ["cpu:0"]
