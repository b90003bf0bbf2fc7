"""Reading images from files, PIL images or arrays, and whole folders."""

from os import PathLike
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff")


def _high_byte(values: np.ndarray, bits: int) -> np.ndarray:
    """The 8 high bits of non-negative `bits`-bit integers, as uint8."""
    return (values.astype(np.int64) >> (bits - 8)).astype(np.uint8)


def _from_pil(image: Image.Image, keep_alpha: bool, name: str) -> np.ndarray:
    image = ImageOps.exif_transpose(image)
    # Pillow's convert("L") clips "I" and "F" values at 255: scale them here.
    if image.mode.startswith("I;16"):
        return _high_byte(np.asarray(image), 16)
    if image.mode == "I":
        # 32-bit int; 16-bit PGM/PNG also open as "I": judge the depth by the range.
        values = np.asarray(image)
        if values.size and values.min() < 0:
            raise ValueError(
                f"{name} is a 32-bit integer image with negative values "
                f"(min {values.min()}); expected values >= 0."
            )
        return _high_byte(values, 16 if values.size == 0 or values.max() <= 65535 else 31)
    if image.mode == "F":
        values = np.asarray(image)
        if values.size and not (
            np.all(np.isfinite(values)) and values.min() >= 0 and values.max() <= 1
        ):
            raise ValueError(
                f"{name} is a float image with values outside [0, 1] "
                f"(min {np.nanmin(values)}, max {np.nanmax(values)}); expected [0, 1]."
            )
        return np.round(values * 255).astype(np.uint8)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    if has_alpha and keep_alpha:
        return np.array(image.convert("RGBA"))
    if image.mode in ("1", "L", "LA"):
        return np.array(image.convert("L"))
    return np.array(image.convert("RGB"))


def read_image(
    image: str | PathLike | Image.Image | np.ndarray, *, keep_alpha: bool = True
) -> np.ndarray:
    """Return an image as a uint8 array: `HxW` (gray), `HxWx3` or `HxWx4`.

    Files and PIL images are decoded with Pillow (EXIF orientation applied);
    grayscale stays 2-D, images with transparency give RGBA (RGB when
    `keep_alpha=False`), every other mode gives RGB. Deeper grayscale is
    scaled to 0-255: 16-bit (and 32-bit integer images whose values fit in
    16 bits, as Pillow opens 16-bit PGM) keep their 8 high bits, other
    32-bit integer images the 8 high bits of the int32 range, float images
    must lie in [0, 1]. A file that cannot be decoded raises a `ValueError`
    naming it. Arrays are checked and
    returned as they are (without their alpha channel if `keep_alpha=False`).

    Args:
        image: a path, a PIL image or a uint8 array.
        keep_alpha: keep the alpha channel of RGBA images.

    Example:
    >>> read_image("photo.jpg").shape
    (480, 640, 3)
    >>> read_image(np.zeros((4, 4, 4), np.uint8), keep_alpha=False).shape
    (4, 4, 3)
    """
    if isinstance(image, (str, PathLike)):
        path = Path(image)
        if not path.is_file():
            raise ValueError(f"`image` file not found: {str(path)!r}.")
        try:
            with Image.open(path) as pil_image:
                # Decode now: Pillow reads lazily, so a truncated or corrupt
                # file would otherwise fail later with a bare OSError.
                pil_image.load()
                return _from_pil(pil_image, keep_alpha, f"`image` {str(path)!r}")
        except UnidentifiedImageError as error:
            raise ValueError(
                f"`image` {str(path)!r} is not an image Pillow can read."
            ) from error
        except Image.DecompressionBombError as error:
            raise ValueError(
                f"`image` {str(path)!r} is larger than Pillow's guard against "
                f"decompression bombs ({error}). If you trust the file, lift the "
                "guard first: `PIL.Image.MAX_IMAGE_PIXELS = None`."
            ) from error
        except (OSError, SyntaxError) as error:
            raise ValueError(
                f"`image` {str(path)!r} could not be decoded (truncated or "
                f"corrupt file?): {error}"
            ) from error
    if isinstance(image, Image.Image):
        return _from_pil(image, keep_alpha, "`image`")
    if not isinstance(image, np.ndarray):
        raise TypeError(
            "`image` must be a path, a PIL image or a uint8 array, got "
            f"{type(image).__name__}."
        )
    if image.dtype != np.uint8:
        raise TypeError(
            f"`image` must be a uint8 array (0-255), got dtype {image.dtype}."
        )
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[-1] not in (3, 4)):
        raise ValueError(
            f"`image` must have shape HxW, HxWx3 or HxWx4, got {image.shape}."
        )
    if image.size == 0:
        raise ValueError(f"`image` is empty, shape {image.shape}.")
    if image.ndim == 3 and image.shape[-1] == 4 and not keep_alpha:
        return image[..., :3]
    return image


def load_image_folder(
    path: str | PathLike, *, recursive: bool = False
) -> list[np.ndarray]:
    """Read every image of a folder, sorted by (relative) file name.

    Files ending in png, jpg, jpeg, bmp, webp or tif(f) (any case) are read
    with `read_image(..., keep_alpha=False)`: `HxW` uint8 for grayscale,
    `HxWx3` otherwise.

    Args:
        path: the folder.
        recursive: also read the images of its sub-folders.

    Example:
    >>> images = load_image_folder("my_photos/")
    >>> patches = random_patches(images, patch_size=64, num_patches=1000)
    """
    folder = Path(path)
    if not folder.is_dir():
        raise ValueError(f"`path` is not a folder: {str(folder)!r}.")
    files = folder.rglob("*") if recursive else folder.iterdir()
    files = sorted(
        (f for f in files if f.is_file() and f.suffix.lower() in IMAGE_EXTENSIONS),
        key=lambda f: f.relative_to(folder).as_posix(),
    )
    if not files:
        raise ValueError(
            f"`path` {str(folder)!r} holds no image "
            f"({', '.join(IMAGE_EXTENSIONS)})."
        )
    return [read_image(f, keep_alpha=False) for f in files]
