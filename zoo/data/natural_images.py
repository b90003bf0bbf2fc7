"""The natural images of `splits.json`, read from installed packages."""

import copy
import importlib
import json
from functools import cache
from pathlib import Path

import numpy as np

from zoo.data.image_folder import read_image

SPLITS_PATH = Path(__file__).with_name("splits.json")

# splits.json package key -> (module holding the images, its pip name, folder).
_PACKAGES = {
    "skimage": ("skimage.data", "scikit-image", ""),
    "sklearn": ("sklearn.datasets", "scikit-learn", "images"),
}


@cache
def _splits() -> dict:
    return json.loads(SPLITS_PATH.read_text())


def _split_names() -> list[str]:
    return [
        key
        for key, value in _splits().items()
        if isinstance(value, dict) and value and set(value) <= set(_PACKAGES)
    ]


def _package_folder(package: str) -> Path:
    module_name, pip_name, subfolder = _PACKAGES[package]
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise ImportError(
            f"The natural images need {pip_name}: `pip install {pip_name}`."
        ) from error
    return Path(module.__file__).parent / subfolder


def _read(path: Path, pip_name: str) -> dict[str, np.ndarray]:
    if not path.is_file():
        raise ValueError(
            f"{path.name} is not in the installed {pip_name} ({path.parent}); "
            f"install a version of {pip_name} that ships it."
        )
    if path.suffix == ".npy":
        # lfw_subset.npy: a stack of float grayscale faces in [0, 1].
        stack = np.round(np.clip(np.load(path), 0, 1) * 255).astype(np.uint8)
        return {f"{path.stem}_{i:03d}": image for i, image in enumerate(stack)}
    return {path.stem: read_image(path, keep_alpha=False)}


def load_natural_images(split: str = "train") -> dict[str, np.ndarray]:
    """Read the natural images of a split of `splits.json`.

    The files ship inside scikit-image (`skimage/data`) and scikit-learn
    (`sklearn/datasets/images`), so nothing is downloaded. Presets train on
    "train" only and report their numbers on "val".

    Args:
        split: "train" or "val".

    Returns:
        `{file stem: uint8 image}`; grayscale images are `HxW`, colour ones
        `HxWx3`. `lfw_subset.npy` gives 200 25x25 faces,
        "lfw_subset_000" to "lfw_subset_199".

    Example:
    >>> images = load_natural_images("val")
    >>> images["camera"].shape, images["chelsea"].shape
    ((512, 512), (300, 451, 3))
    """
    names = _split_names()
    if split not in names:
        raise ValueError(f"`split` must be one of {names}, got {split!r}.")
    images = {}
    for package, files in _splits()[split].items():
        folder = _package_folder(package)
        for file in files:
            images.update(_read(folder / file, _PACKAGES[package][1]))
    return images


def load_val_baselines() -> dict:
    """Classical baselines on the val images (PSNR in dB), from `splits.json`.

    Example:
    >>> load_val_baselines()["denoise_sigma25_bm3d"]["camera"]
    29.92
    """
    return copy.deepcopy(_splits()["val_baselines"])
