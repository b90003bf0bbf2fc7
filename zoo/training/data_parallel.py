"""`fit` on several devices of one machine: the same call on each backend."""

import contextlib
import os
import weakref

import keras

from zoo.arguments import check_int

# One MirroredStrategy per device set: a second one over the same devices in
# a process gets its collective ops mixed up with the first's.
_mirrored_strategies = {}


def _default_devices(backend):
    if backend == "jax":
        return keras.distribution.list_devices()  # the accelerators, else the CPUs
    import tensorflow as tf

    devices = tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")
    return [d.name for d in devices]


def _check_devices(devices):
    if not isinstance(devices, (list, tuple)) or not all(isinstance(d, str) for d in devices):
        raise TypeError(
            f"`devices` must be a list of device names such as ['gpu:0', 'gpu:1']. "
            f"Received: devices={devices!r}"
        )
    if not devices:
        raise ValueError("`devices` must name at least one device. Received: devices=[]")
    return list(devices)


def _unknown_devices(devices, available):
    return ValueError(
        f"`devices` names devices this machine does not have: {devices!r}. "
        f"Available: {available}"
    )


def _check_duplicates(devices, keys):
    if len(set(keys)) != len(keys):
        raise ValueError(f"`devices` names a device twice. Received: devices={devices!r}")


def _check_tensorflow_devices(devices):
    """Raises unless every name in `devices` is one of TensorFlow's logical devices.

    (A MirroredStrategy over a missing device hangs in `fit`, and a missing
    GPU alone would silently run on the CPU.)
    """
    import tensorflow as tf

    def key(name):
        spec = tf.DeviceSpec.from_string(name)
        return (spec.device_type or "").upper(), spec.device_index or 0

    logical = tf.config.list_logical_devices()
    available = [d.name for d in logical]
    known = {key(name) for name in available}
    keys = []
    for name in devices:
        try:
            parsed = key(name)
        except ValueError:
            raise _unknown_devices(devices, available) from None
        if parsed not in known:
            raise _unknown_devices(devices, available)
        keys.append(parsed)
    _check_duplicates(devices, keys)


def _check_jax_devices(devices):
    """Raises unless every name in `devices` is a JAX device ("cpu:0", "gpu:1")."""
    import jax

    found = list(jax.devices())
    if all(d.platform != "cpu" for d in found):
        found += jax.devices("cpu")
    available = [f"{d.platform}:{d.id}" for d in found]
    keys = [name if ":" in name else f"{name}:0" for name in devices]
    if any(k not in available for k in keys):
        raise _unknown_devices(devices, available)
    _check_duplicates(devices, keys)


def _check_torch_device(devices, device):
    """Outside torchrun, raises unless `devices` names this process's `device`."""
    import torch

    try:
        named = torch.device(devices[0])
    except (RuntimeError, ValueError):
        named = None
    own = torch.device(device)
    if named is not None and named.type == own.type and named.index in (None, own.index or 0):
        return
    raise ValueError(
        f"`devices` must name this process's device, the one Keras' torch backend "
        f"uses: {device!r}. Received: devices={devices!r}. Available: [{device!r}]"
    )


@contextlib.contextmanager
def data_parallel(devices=None):
    """Models built, compiled and fit inside this train on several devices.

    Each batch is split evenly across `devices`, every device runs the step
    on its share, and the gradients are averaged before the update, so one
    step moves the weights as one device would with the whole batch (up to
    layers that see only their share, such as batch norm's statistics).
    Works for `fit` on every zoo model, the GANs' two-optimizer step
    included. The global batch size must be a multiple of the device count.

    - JAX: `keras.distribution.DataParallel` over `devices`.
    - TensorFlow: `tf.distribute.MirroredStrategy` over `devices`.
    - PyTorch: one process per device, launched by `torchrun` (Keras' torch
      `fit` drives one device). Inside, every optimizer update first averages
      the gradients over the processes (`torch.distributed`, NCCL on GPUs,
      Gloo on CPUs). Every process must build the same model (the same
      preset, or the same `keras.utils.set_random_seed`): the first update
      checks it and raises otherwise. Each process reads its own share of
      the data: `process_index()` and `process_count()` say which. Outside
      `torchrun` it is one device, and `devices` may name only that one
      (the GPU, else the CPU).
      Not for `mixed_float16`: its loss scaler would judge each process's
      own gradients (bfloat16 and float32 need no scaler).

    Args:
        devices: device names, e.g. `["gpu:0", "gpu:1"]` (JAX) or
            `["/gpu:0", "/gpu:1"]` (TensorFlow). Default: every GPU, else
            every CPU device the backend lists (torch: this process's one).
            A name the backend does not list raises a `ValueError`.

    Yields:
        The device names in use (torch: this process's device).

    Example:
    ```python
    with zoo.training.data_parallel():
        restorer = zoo.from_preset("dncnn_color_blind")
        restorer.compile(optimizer="adam", loss="mae")
        restorer.fit(my_images, epochs=10)
    ```
    On torch, the same script under `torchrun --nproc-per-node=2 script.py`,
    with each process fitting on its own half of every batch.
    """
    backend = keras.config.backend()
    if devices is not None:
        devices = _check_devices(devices)
    if backend == "torch":
        with _torch_processes(devices) as used:
            yield used
        return
    if backend not in ("jax", "tensorflow"):
        raise NotImplementedError(f"data_parallel runs on jax, tensorflow and torch, not {backend!r}.")
    if devices is None:
        devices = _default_devices(backend)
    elif backend == "jax":
        _check_jax_devices(devices)
    else:
        _check_tensorflow_devices(devices)
    if backend == "jax":
        with keras.distribution.DataParallel(devices=devices).scope():
            yield devices
        return
    import tensorflow as tf

    key = tuple(devices)
    if key not in _mirrored_strategies:
        _mirrored_strategies[key] = tf.distribute.MirroredStrategy(devices)
    with _mirrored_strategies[key].scope():
        yield devices


def process_index():
    """This process's rank among the training processes (0 when alone).

    Only torch runs several (one per GPU, under `torchrun`); JAX and
    TensorFlow split batches over devices inside one process.
    """
    if keras.config.backend() != "torch":
        return 0
    import torch.distributed as dist

    return dist.get_rank() if dist.is_initialized() else 0


def process_count():
    """How many training processes share each step (1 but under `torchrun`)."""
    if keras.config.backend() != "torch":
        return 1
    import torch.distributed as dist

    return dist.get_world_size() if dist.is_initialized() else 1


def process_batch_size(batch_size):
    """This process's share of a global batch of `batch_size`.

    Under `torchrun` each process (one per GPU) reads its own part of every
    batch; alone, or on JAX and TensorFlow, the whole batch.

    Example:
    >>> batches = zoo.data.PatchBatches(images, 64, process_batch_size(16), 100,
    ...                                 seed=process_index())
    """
    processes = process_count()
    check_int("batch_size", batch_size)
    if batch_size % processes:
        raise ValueError(
            f"`batch_size` must be a multiple of the {processes} training processes, "
            f"got {batch_size}."
        )
    return batch_size // processes


@contextlib.contextmanager
def _torch_processes(devices):
    import torch
    import torch.distributed as dist

    if devices is not None and len(devices) > 1:
        raise ValueError(
            f"`fit` on the torch backend drives one device per process; got devices={devices}. "
            "Launch one process per GPU with torchrun (each inside data_parallel()), "
            "or use the jax or tensorflow backend."
        )
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    device = f"cuda:{local_rank}" if torch.cuda.is_available() else "cpu"
    if devices is not None:
        _check_torch_device(devices, device)
    if int(os.environ.get("WORLD_SIZE", "1")) == 1 and not dist.is_initialized():
        yield devices or [device]
        return
    started = not dist.is_initialized()
    if started:
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    if torch.cuda.is_available():
        # Keras puts tensors on "cuda": the current device, one per process.
        torch.cuda.set_device(local_rank)
    # Keras' torch `fit` (and the adversarial step) end every update in
    # `optimizer.apply`: averaging there covers every model and optimizer.
    base = keras.optimizers.Optimizer
    own = base.__dict__.get("apply")  # None: inherited, removed again on exit
    single_process_apply = base.apply
    checked = weakref.WeakSet()

    def apply(optimizer, grads, trainable_variables=None):
        variables = (optimizer._trainable_variables if trainable_variables is None
                     else list(trainable_variables))
        if optimizer not in checked and variables:
            checked.add(optimizer)
            _check_same_weights(variables)
        _average_over_processes(grads)
        return single_process_apply(
            optimizer, grads, None if trainable_variables is None else variables)

    base.apply = apply
    try:
        yield [device]
    finally:
        if own is None:
            del base.apply
        else:
            base.apply = own
        if started:
            dist.destroy_process_group()


def _check_same_weights(variables):
    """Raises unless every process holds the same `variables` (their sums agree)."""
    import torch
    import torch.distributed as dist

    values = [v.value.detach().double() for v in variables]
    local = torch.stack([sum(x.sum() for x in values), sum((x * x).sum() for x in values)])
    low, high = local.clone(), local.clone()
    dist.all_reduce(low, op=dist.ReduceOp.MIN)
    dist.all_reduce(high, op=dist.ReduceOp.MAX)
    if not torch.equal(low, high):
        raise ValueError(
            "data_parallel: the processes hold different weights at the first update. "
            "Build the model the same way in each (the same preset, or "
            "keras.utils.set_random_seed(seed) before building it)."
        )


def _average_over_processes(grads):
    """All-reduces `grads` in place to their mean: one message per dtype."""
    import torch
    import torch.distributed as dist

    by_dtype = {}
    for grad in grads:
        if grad is not None:
            by_dtype.setdefault(grad.dtype, []).append(grad)
    for group in by_dtype.values():
        flat = torch.cat([g.reshape(-1) for g in group])
        dist.all_reduce(flat)
        flat /= dist.get_world_size()
        offset = 0
        for grad in group:
            grad.copy_(flat[offset:offset + grad.numel()].view_as(grad))
            offset += grad.numel()
