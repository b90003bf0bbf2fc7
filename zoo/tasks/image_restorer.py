import keras
import keras_hub
import numpy as np

from zoo.data import read_image
from zoo.metrics import PSNR
from zoo.tasks.gray_noise_whitening import whiten_gray_noise
from zoo.tasks.self_ensemble import dihedral_mean
from zoo.tasks.tiling import check_tiling, tiled_apply

GRAY_INPUTS = ("repeat", "whiten_noise")


def _float_images(name, images):
    """uint8 arrays -> float32 in [0, 1]; other integer arrays are refused
    (no agreed scale); anything else (floats, datasets) passes unchanged."""
    if not isinstance(images, np.ndarray) or images.dtype.kind not in "biu":
        return images
    if images.dtype != np.uint8:
        raise TypeError(
            f"`{name}` must be uint8 or float images in [0, 1]. Received: dtype={images.dtype}"
        )
    return images.astype(np.float32) / 255.0


def _split_channels(x, channels, gray_inputs="repeat"):
    """HxW / HxWxC image -> (HxWx`channels` model input, alpha or None, gray).

    Alpha is split off to be passed through. `gray` is how the output goes
    back to the input's layout: None (colour), "hw" (a gray `HxW` image,
    repeated to `channels` here) or "rgb" (an RGB image with identical
    channels, which "whiten_noise" treats as gray too). With "whiten_noise",
    gray noise is whitened across the channels, and the mean of the model's
    output channels (which drops the chroma noise it added) is the result.
    """
    alpha = None
    if x.ndim == 3 and x.shape[-1] == 4:
        x, alpha = x[..., :3], x[..., 3]
    gray = "hw" if x.ndim == 2 else None
    if gray_inputs == "whiten_noise" and channels == 3:
        if gray is None and x.shape[-1] == 3 and (x == x[..., :1]).all():
            x, gray = x[..., 0], "rgb"
        if gray is not None:
            return whiten_gray_noise(x), alpha, gray
    if gray:
        x = np.repeat(x[..., None], channels, axis=-1)
    elif x.shape[-1] != channels:
        raise ValueError(f"`image` has {x.shape[-1]} channels; this model takes {channels}.")
    return x, alpha, gray


def _to_uint8(image):
    return np.clip(np.round(image * 255.0), 0, 255).astype(np.uint8)


@keras.saving.register_keras_serializable(package="zoo")
class ImageRestorer(keras_hub.models.Task):
    """Restores degraded images: denoising, deblurring, super-resolution.

    `predict` maps float32 NHWC images in [0, 1] to restored ones; `restore`
    takes a uint8 array or an image path and returns uint8, padding to the
    backbone's size multiple and tiling large images. `fit` accepts clean
    images, which are degraded on the fly by `degradation`, or
    `(degraded, clean)` pairs, as floats in [0, 1] (uint8 arrays are scaled).

    Args:
        backbone: a backbone mapping images to restored images.
        degradation: a layer that degrades clean float images, used by `fit`
            and `evaluate` when they get clean images only.
        tile_size: tile side for `restore` on large images.
        tile_overlap: context pixels around each tile.
        gray_inputs: how `restore` feeds a grayscale image to a colour model:
            "repeat" it to RGB, or "whiten_noise" (denoisers trained on
            independent channel noise): repeat it and add chroma noise
            matching its estimated noise level, so the channel-identical
            noise looks like training noise (see `whiten_gray_noise`).

    Example:
    ```python
    restorer = zoo.from_preset("dncnn_color_blind")
    clean = restorer.restore("noisy.png")        # uint8 array
    restorer.fit(clean_patches, epochs=1)        # fine-tune on clean images
    ```
    """

    # The metadata task a saved preset gets unless told otherwise.
    preset_task = "denoise"

    def __init__(
        self,
        backbone,
        preprocessor=None,
        degradation=None,
        tile_size=512,
        tile_overlap=32,
        gray_inputs="repeat",
        **kwargs,
    ):
        if gray_inputs not in GRAY_INPUTS:
            raise ValueError(
                f"`gray_inputs` must be one of {GRAY_INPUTS}, got {gray_inputs!r}."
            )
        check_tiling(tile_size, tile_overlap, overlap_name="tile_overlap")
        self.backbone = backbone
        self.preprocessor = preprocessor
        self.degradation = degradation
        inputs = backbone.input
        outputs = backbone(inputs)
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)
        self.tile_size = int(tile_size)
        self.tile_overlap = int(tile_overlap)
        self.gray_inputs = gray_inputs
        self._degrade_inputs = False

    @property
    def scale(self):
        """Output side / input side (1 for same-size restoration)."""
        return int(getattr(self.backbone, "scale", 1))

    @property
    def size_multiple(self):
        """Input sides must be a multiple of this; `restore` pads to it."""
        return int(getattr(self.backbone, "size_multiple", 1))

    @property
    def channels(self):
        return int(self.backbone.input_shape[-1])

    def compile(self, optimizer="auto", loss="auto", *, metrics="auto", **kwargs):
        """Compiles with Adam (1e-3), L1 loss and PSNR unless told otherwise."""
        if optimizer == "auto":
            optimizer = keras.optimizers.Adam(1e-3)
        if loss == "auto":
            loss = keras.losses.MeanAbsoluteError()
        if metrics == "auto":
            metrics = [PSNR()]
        super().compile(optimizer=optimizer, loss=loss, metrics=metrics, **kwargs)

    # The degradation runs inside the model so it works on every backend
    # (on JAX its random state must go through the stateless call). Whether
    # it runs is decided per batch, by `_step`: a batch without targets is
    # clean images. The flag is a Python value read while the step is
    # traced, and it is set only for that trace, so `predict`, `export` or
    # a plain call never degrade, and a new data structure (pairs after
    # clean images) gets its own trace on every backend.
    def _degrades(self, x, y):
        """Whether a training/evaluation batch is clean images to degrade."""
        if y is not None:
            return False
        if self.degradation is None:
            raise ValueError(
                "This restorer has no `degradation`, so it cannot train on clean "
                "images alone: pass `(degraded, clean)` pairs, or build it with "
                "`degradation=...`."
            )
        return True

    def _step(self, step, args):
        # `args` is `(data,)`, or `(state, data)` on JAX.
        x, y, _ = keras.utils.unpack_x_y_sample_weight(args[-1])
        self._degrade_inputs = self._degrades(x, y)
        try:
            return step(*args)
        finally:
            self._degrade_inputs = False

    def train_step(self, *args):
        return self._step(super().train_step, args)

    def test_step(self, *args):
        return self._step(super().test_step, args)

    def call(self, inputs, training=None, mask=None):
        if self._degrade_inputs:
            inputs = self.degradation(inputs)
        return super().call(inputs, training=training, mask=mask)

    # Restorers need no preprocessing, so fit/evaluate/predict go straight to
    # Keras' trainer: any data Keras takes (arrays, tf.data, PyDataset, a
    # Python generator, a torch DataLoader) then works on every backend.
    def fit(self, x=None, y=None, *args, **kwargs):
        """Trains on clean images (degraded on the fly) or on pairs, batch by batch."""
        x, y = self._check_arrays(x, y)
        return keras.Model.fit(self, x, y, *args, **kwargs)

    def evaluate(self, x=None, y=None, *args, **kwargs):
        """Evaluates on clean images (degraded on the fly) or on pairs, batch by batch."""
        x, y = self._check_arrays(x, y)
        return keras.Model.evaluate(self, x, y, *args, **kwargs)

    def _check_arrays(self, x, y):
        # Arrays show what every batch will be, so a batch the step would
        # refuse is refused before Keras starts: on JAX an error in the first
        # step leaves the model's variables emptied.
        if isinstance(x, (np.ndarray, dict)) or keras.ops.is_tensor(x):
            self._degrades(x, y)
        return _float_images("x", x), _float_images("y", y)

    def predict(self, x, *args, **kwargs):
        return keras.Model.predict(self, x, *args, **kwargs)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        return super().compute_loss(
            x=x, y=self._target(x, y, y_pred), y_pred=y_pred, sample_weight=sample_weight,
            training=training,
        )

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        return super().compute_metrics(
            x, self._target(x, y, y_pred), y_pred, sample_weight=sample_weight
        )

    def _target(self, x, y, y_pred):
        if y is not None:
            return y
        if self._degrade_inputs:
            return x  # clean images are their own target
        # Outside a step: Keras' symbolic build (on JAX) traces the loss and
        # metrics once, undegraded, only to create their state. `y_pred` has
        # the target's shape there; a super-resolver's clean `x` has not.
        return y_pred

    @classmethod
    def from_preset(cls, preset, load_weights=True, **kwargs):
        """Loads a restorer from a preset name, directory, URL or hub handle.

        Example:
        ```python
        denoiser = zoo.tasks.ImageRestorer.from_preset("dncnn_color_blind")
        ```
        """
        from zoo.presets import load_preset

        return load_preset(preset, expected_cls=cls, load_weights=load_weights, **kwargs)

    def save_to_preset(self, preset_dir, max_shard_size=10, **metadata):
        """Saves a preset directory with zoo's metadata (see `zoo.save_preset`).

        Weights are written unsharded; `max_shard_size` exists for keras-hub's
        signature and takes only its default (10) or None.
        """
        from zoo.presets import save_preset

        if max_shard_size not in (10, None):
            raise ValueError(
                "`max_shard_size` is not supported: zoo presets keep their weights in "
                f"one unsharded file. Received: max_shard_size={max_shard_size!r}"
            )
        return save_preset(self, preset_dir, **metadata)

    def restore(self, image, *, tile_size=None, tile_overlap=None, batch_size=4, verbose=False,
                self_ensemble=False):
        """Restores one image.

        Args:
            image: a path, a PIL image, or an array `HxW`, `HxWx3` or `HxWx4`:
                uint8, or float in [0, 1] (values outside are allowed, e.g. a
                noisy image that was never clipped). Alpha is passed through,
                resized with the image.
            tile_size, tile_overlap: override the restorer's tiling (ints,
                `tile_size > 2 * tile_overlap`, `tile_overlap >= 0`).
            batch_size: tiles per forward pass (positive int).
            verbose: show a progress bar over the tiles.
            self_ensemble: average the results over the 8 flips and
                rotations of the image (EDSR+'s "x8"; 8 times slower, a
                little better: see `zoo.tasks.self_ensemble`).

        Returns:
            uint8 array with the input's layout, `scale` times larger.

        Example:
        ```python
        clean = denoiser.restore("noisy.png")
        Image.fromarray(clean).save("clean.png")
        ```
        """
        if isinstance(image, np.ndarray) and image.dtype.kind == "f":
            if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[-1] not in (1, 3, 4)):
                raise ValueError(
                    "`image` must be HxW, HxWx3 or HxWx4. "
                    f"Received: shape={image.shape}"
                )
            if image.size == 0:
                raise ValueError(f"`image` is empty, shape {image.shape}.")
            if not np.all(np.isfinite(image)):
                raise ValueError("`image` contains NaN or infinite values.")
            x = image.astype(np.float32)
            if x.ndim == 3 and x.shape[-1] == 1:
                x = x[..., 0]
        else:
            x = read_image(image).astype(np.float32) / 255.0
        x, alpha, gray = _split_channels(x, self.channels, self.gray_inputs)

        def run(batch):
            return np.asarray(
                keras.ops.convert_to_numpy(self.predict_on_batch(batch)),
                dtype=np.float32,
            )

        y = self._run_tiled(run, x, tile_size, tile_overlap, batch_size, verbose, self_ensemble)
        if gray == "hw":
            y = y.mean(axis=-1)
        elif gray == "rgb":
            y = np.repeat(y.mean(axis=-1, keepdims=True), 3, axis=-1)
        out = _to_uint8(y)
        if alpha is not None:
            alpha = _to_uint8(alpha)
            if self.scale != 1:
                from PIL import Image

                alpha = np.asarray(
                    Image.fromarray(alpha).resize(out.shape[1::-1], Image.BICUBIC)
                )
            out = np.concatenate([out, alpha[..., None]], axis=-1)
        return out

    def _run_tiled(self, run, x, tile_size, tile_overlap, batch_size, verbose, self_ensemble):
        """`run` over `x` tile by tile (see `tiled_apply`), or its x8 self-ensemble."""
        tile_size = self.tile_size if tile_size is None else tile_size
        tile_overlap = self.tile_overlap if tile_overlap is None else tile_overlap
        # Checked before the model runs, with `restore`'s argument names.
        check_tiling(tile_size, tile_overlap, batch_size, overlap_name="tile_overlap")

        def apply(view):
            return tiled_apply(
                run,
                view,
                scale=self.scale,
                multiple=self.size_multiple,
                tile_size=tile_size,
                overlap=tile_overlap,
                batch_size=batch_size,
                progress=verbose,
            )

        return dihedral_mean(apply, x) if self_ensemble else apply(x)

    def get_config(self):
        config = super().get_config()
        config.update(
            degradation=keras.layers.serialize(self.degradation)
            if self.degradation is not None
            else None,
            tile_size=self.tile_size,
            tile_overlap=self.tile_overlap,
            gray_inputs=self.gray_inputs,
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("degradation"), dict):
            config["degradation"] = keras.layers.deserialize(config["degradation"])
        return super().from_config(config)
