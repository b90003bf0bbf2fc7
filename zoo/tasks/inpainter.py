"""Inpainting: fill the masked pixels of an image, keep the others."""

import os

import keras
import numpy as np
from PIL import Image

from zoo.data import read_image
from zoo.tasks.image_restorer import ImageRestorer, _float_images, _split_channels, _to_uint8


def _read_image(image):
    """float32 `HxW`, `HxWx3` or `HxWx4` in [0, 1] from a path, PIL image or array."""
    if isinstance(image, np.ndarray) and image.dtype.kind == "f":
        if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[-1] not in (3, 4)):
            raise ValueError(f"`image` must be HxW, HxWx3 or HxWx4. Received: shape={image.shape}")
        if image.size == 0 or not np.all(np.isfinite(image)):
            raise ValueError("`image` must be non-empty and finite.")
        return image.astype(np.float32)
    return read_image(image).astype(np.float32) / 255.0


MASK_THRESHOLD = 127


def mask_from_image(image):
    """Reads a mask image (a path or PIL image) as float32 `HxW` of 0/1.

    Any mode is accepted: the image is turned to grayscale (Pillow's luma),
    pixels with transparency are composited over black first (transparent =
    known), and gray values above 127 are missing (1). So white strokes on
    black, or on a transparent layer, mark the holes; the soft edges of an
    antialiased brush or JPEG noise are thresholded. EXIF orientation is
    applied, as for the image itself.

    Example:
    ```python
    mask = mask_from_image("scratches.png")   # 1 where the mask is white
    ```
    """
    if isinstance(image, (str, os.PathLike)):
        if not os.path.isfile(image):
            raise ValueError(f"`mask` file not found: {str(image)!r}.")
        try:
            return mask_from_image(read_image(image, keep_alpha=True))
        except ValueError as error:  # not an image Pillow can read
            raise ValueError(str(error).replace("`image`", "`mask`", 1)) from error
    if isinstance(image, Image.Image):
        image = read_image(image, keep_alpha=True)
    image = np.asarray(image)
    alpha = None
    if image.ndim == 3 and image.shape[-1] == 4:
        image, alpha = image[..., :3], image[..., 3:].astype(np.float32) / 255.0
    gray = np.asarray(Image.fromarray(np.ascontiguousarray(image)).convert("L"), np.float32)
    # A mask saved with levels 0/1 (not 0/255) is that mask, not all black.
    threshold = 0.5 if gray.max() == 1 and np.isin(gray, (0, 1)).all() else MASK_THRESHOLD
    if alpha is not None:
        gray = gray * alpha[..., 0]
    return (gray > threshold).astype(np.float32)


def read_mask(mask, shape):
    """Checks an inpainting mask and returns it as float32 `HxW` of 0/1.

    Args:
        mask: a path to a mask image or a PIL image (any mode; gray > 127 =
            missing, transparent = known: see `mask_from_image`), or an array
            `HxW` / `HxWx1` of bool, 0/1 or 0/255 (1 or 255 = missing; an
            array must be binary, it is not thresholded).
        shape: the image's `(height, width)`.

    Raises:
        ValueError: naming `mask`, when it is missing, of another size than
            the image, not binary, or marks every pixel missing.

    Example:
    >>> read_mask(np.array([[0, 255]], np.uint8), (1, 2))
    array([[0., 1.]], dtype=float32)
    """
    from_image = isinstance(mask, (str, os.PathLike, Image.Image))
    if from_image:
        mask = mask_from_image(mask)
        if not mask.any():  # surely a wrong file: it would inpaint nothing
            raise ValueError("`mask` marks no pixel missing (gray > 127, or 1 in a 0/1 image).")
    mask = np.asarray(mask)
    if mask.ndim == 3 and mask.shape[-1] == 1:
        mask = mask[..., 0]
    if mask.ndim != 2 or mask.shape != tuple(shape):
        raise ValueError(
            f"`mask` must be an HxW array of the image's size {tuple(shape)}. "
            f"Received: shape={mask.shape}"
        )
    if mask.dtype == bool:
        mask = mask.astype(np.float32)
    if mask.dtype.kind not in "uif":
        raise ValueError(f"`mask` must be bool or numeric. Received: dtype={mask.dtype}")
    values = set(np.unique(mask).tolist())
    if values <= {0, 1}:
        mask = mask.astype(np.float32)
    elif values <= {0, 255}:
        mask = (mask == 255).astype(np.float32)
    else:
        shown = sorted(values)[:6]
        raise ValueError(
            f"`mask` must be binary: 0/1 (or 0/255, or bool), 1 = missing. "
            f"Received values {shown}{' ...' if len(values) > 6 else ''}"
        )
    if mask.size and mask.min() == 1:
        raise ValueError("`mask` marks every pixel missing: there is nothing to inpaint from.")
    return mask


def _check_inputs(x):
    if not isinstance(x, dict) or set(x) != {"images", "masks"}:
        got = f"a dict with keys {sorted(x)}" if isinstance(x, dict) else type(x).__name__
        raise ValueError(
            "Inpainting inputs must be a dict {'images': [B, H, W, C], "
            f"'masks': [B, H, W, 1]}} (mask 1 = missing). Received: {got}"
        )


def _checked_arrays(x):
    """`{"images", "masks"}` numpy arrays as the model takes them: uint8
    images scaled to [0, 1], masks `[B, H, W, 1]` of 0/1 (0/255 read as 0/1);
    tensors and datasets pass unchanged."""
    images, masks = x["images"], x["masks"]
    if isinstance(images, np.ndarray):
        images = _float_images("images", images)
    if isinstance(masks, np.ndarray):
        if masks.ndim != 4 or masks.shape[-1] != 1:
            raise ValueError(
                f"`masks` must be [B, H, W, 1] (1 = missing). Received: shape={masks.shape}"
            )
        values = np.unique(masks)
        if np.isin(values, (0, 255)).all() and values.max() == 255:
            masks = masks == 255
        elif not np.isin(values, (0, 1)).all():
            raise ValueError(
                f"`masks` must be binary, 0/1 (or 0/255), 1 = missing. Received values "
                f"{values[:6].tolist()}{' ...' if len(values) > 6 else ''}"
            )
        masks = masks.astype(np.float32)
    return {"images": images, "masks": masks}


@keras.saving.register_keras_serializable(package="zoo")
class Inpainter(ImageRestorer):
    """Fills the missing pixels of images; known pixels come back unchanged.

    `predict({"images": x, "masks": m})` takes float32 NHWC images in [0, 1]
    and `[B, H, W, 1]` masks (1 = missing). `restore(image, mask=...)`
    takes a uint8 array or path and a mask, pads to the backbone's size
    multiple and tiles images larger than `tile_size`.

    Training: `fit` takes `({"images", "masks"}, clean)` pairs or
    `{"images", "masks"}` alone (the images are then the target), e.g. from
    `zoo.data.InpaintBatches`; a plain array of clean images is wrapped in
    `zoo.data.MaskedImages`, which draws fresh free-form masks every epoch
    (masks are made in the data pipeline, with Pillow, not in the model).
    The loss weighs the hole: the compiled per-pixel loss (L1 by default)
    gets a sample weight of `hole_weight` inside the mask and `valid_weight`
    outside. Since the output copies the known pixels, the valid term only
    counts where the input's known pixels differ from the target.

    Args:
        backbone: maps `{"images", "masks"}` to inpainted images.
        hole_weight, valid_weight: loss weights inside / outside the mask.
        tile_size, tile_overlap: tiling of `restore` (large: holes need context).

    Example:
    ```python
    inpainter = zoo.from_preset("inpaint_unet")
    filled = inpainter.restore("photo.png", mask="mask.png")
    inpainter.fit(clean_images, batch_size=8, epochs=1)   # masks drawn on the fly
    ```
    """

    preset_task = "inpaint"

    def __init__(self, backbone, preprocessor=None, hole_weight=6.0, valid_weight=1.0,
                 tile_size=1024, tile_overlap=64, **kwargs):
        kwargs.pop("degradation", None)
        # Holes are filled from context, not denoised: gray is always repeated.
        if kwargs.pop("gray_inputs", "repeat") != "repeat":
            raise ValueError("`gray_inputs` does not apply to an inpainter (gray is repeated).")
        super().__init__(backbone, preprocessor, degradation=None, tile_size=tile_size,
                         tile_overlap=tile_overlap, **kwargs)
        self.hole_weight = float(hole_weight)
        self.valid_weight = float(valid_weight)

    @property
    def channels(self):
        return int(self.backbone.channels)

    def _prepare(self, x, y, kwargs, seed=None, shuffle=True):
        """Wraps a plain array of clean images in `MaskedImages`."""
        if y is None and isinstance(x, (np.ndarray, list)):
            from zoo.data.inpaint_batches import MaskedImages

            if seed is None:
                seed = int(np.random.randint(2**31))  # follows keras.utils.set_random_seed
            batch_size = kwargs.pop("batch_size", None) or 32
            x = MaskedImages(x, batch_size, seed=seed, shuffle=kwargs.pop("shuffle", shuffle))
        return x

    # Masks are drawn in the data pipeline, not in the model: every batch,
    # from any source (arrays early, in `_check_arrays`), must carry them.
    def _degrades(self, x, y):
        _check_inputs(x)
        return False

    def _check_arrays(self, x, y):
        x, y = super()._check_arrays(x, y)
        return (_checked_arrays(x) if isinstance(x, dict) else x), y

    def fit(self, x=None, y=None, *args, **kwargs):
        """Trains on `({"images", "masks"}, clean)`, `{"images", "masks"}` or clean images."""
        x = self._prepare(x, y, kwargs)
        x, y = self._check_arrays(x, y)
        return keras.Model.fit(self, x, y, *args, **kwargs)

    def evaluate(self, x=None, y=None, *args, seed=0, **kwargs):
        """Evaluates like `fit` takes data.

        A plain array of clean images gets masks drawn from `seed`, in order,
        so repeated calls score the same masks.
        """
        x = self._prepare(x, y, kwargs, seed=seed, shuffle=False)
        x, y = self._check_arrays(x, y)
        return keras.Model.evaluate(self, x, y, *args, **kwargs)

    def predict(self, x, *args, **kwargs):
        if isinstance(x, dict):
            _check_inputs(x)
            x = _checked_arrays(x)
        return super().predict(x, *args, **kwargs)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        masks = keras.ops.cast(x["masks"][..., 0], "float32")
        weight = self.valid_weight + (self.hole_weight - self.valid_weight) * masks
        if sample_weight is not None:
            weight = weight * keras.ops.reshape(
                keras.ops.cast(sample_weight, "float32"), (-1, 1, 1)
            )
        return keras.Model.compute_loss(
            self, x=x, y=x["images"] if y is None else y, y_pred=y_pred,
            sample_weight=weight, training=training,
        )

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        return keras.Model.compute_metrics(
            self, x, x["images"] if y is None else y, y_pred, sample_weight=sample_weight
        )

    def restore(self, image, mask=None, *, tile_size=None, tile_overlap=None,
                batch_size=4, verbose=False, self_ensemble=False):
        """Inpaints one image.

        Args:
            image: a path, PIL image or array `HxW`, `HxWx3` or `HxWx4` (uint8,
                or float in [0, 1]); alpha is passed through.
            mask: where pixels are missing: a path to a mask image or a PIL
                image (gray > 127 = missing, transparent = known), or an `HxW`
                array of bool, 0/1 or 0/255, 1 = missing (see `read_mask`).
            tile_size, tile_overlap: override the tiling (ints,
                `tile_size > 2 * tile_overlap`, `tile_overlap >= 0`).
            batch_size: tiles per forward pass (positive int).
            verbose: show a progress bar over the tiles.
            self_ensemble: average the results over the 8 flips and
                rotations of the image (EDSR+'s "x8"; 8 times slower, a
                little better: see `zoo.tasks.self_ensemble`).

        Returns:
            uint8 array with the input's layout; pixels outside the mask equal
            the input's (rounded to uint8).

        Example:
        ```python
        filled = inpainter.restore("photo.png", mask="scratches.png")
        ```
        """
        if mask is None:
            raise ValueError("`mask` is required: an HxW array or image file, 1 = missing.")
        x = _read_image(image)
        mask = read_mask(mask, x.shape[:2])
        x, alpha, gray = _split_channels(x, self.channels)
        channels = self.channels

        def run(batch):
            inputs = {"images": batch[..., :channels], "masks": batch[..., channels:]}
            return np.asarray(keras.ops.convert_to_numpy(self.predict_on_batch(inputs)), np.float32)

        y = self._run_tiled(run, np.concatenate([x, mask[..., None]], axis=-1),
                            tile_size, tile_overlap, batch_size, verbose, self_ensemble)
        known = mask == 0
        if gray:
            x, y = x[..., 0], y.mean(axis=-1)
        else:
            known = known[..., None]
        out = np.where(known, _to_uint8(x), _to_uint8(y))  # exact pass-through
        if alpha is not None:
            out = np.concatenate([out, _to_uint8(alpha)[..., None]], axis=-1)
        return out

    def get_config(self):
        config = super().get_config()
        config.pop("degradation", None)
        config.pop("gray_inputs", None)
        config.update(hole_weight=self.hole_weight, valid_weight=self.valid_weight)
        return config
