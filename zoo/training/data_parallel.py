"""`fit` on several devices of one machine: the same call on each backend."""

import contextlib

import keras

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
    - PyTorch: Keras' `fit` drives one device; more than one raises (launch
      one process per GPU with `torchrun` and DDP instead).

    Args:
        devices: device names, e.g. `["gpu:0", "gpu:1"]` (JAX) or
            `["/gpu:0", "/gpu:1"]` (TensorFlow). Default: every GPU, else
            every CPU device the backend lists.

    Yields:
        The device names in use.

    Example:
    ```python
    with zoo.training.data_parallel():
        restorer = zoo.from_preset("dncnn_color_blind")
        restorer.compile(optimizer="adam", loss="mae")
        restorer.fit(my_images, epochs=10)
    ```
    """
    backend = keras.config.backend()
    if devices is not None:
        devices = _check_devices(devices)
    if backend == "torch":
        count = len(devices) if devices is not None else 1
        if count > 1:
            raise ValueError(
                f"`fit` on the torch backend runs on one device; got devices={devices}. "
                "Use the jax or tensorflow backend for data-parallel `fit`, or one "
                "process per GPU with torchrun and DDP."
            )
        yield devices or ["cpu:0"]
        return
    if backend not in ("jax", "tensorflow"):
        raise NotImplementedError(f"data_parallel runs on jax and tensorflow, not {backend!r}.")
    devices = devices or _default_devices(backend)
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
