"""Layers any architecture can use (most are shared by two or more)."""

from zoo.layers.bicubic_upsample import BicubicUpsample, cubic_kernel
from zoo.layers.coordinate_bias import CoordinateBias
from zoo.layers.gated_conv2d import GatedConv2D
from zoo.layers.pixel_shuffle import PixelShuffle, nearest_upsample
from zoo.layers.spectral_normalization import SpectralNormalization

__all__ = [
    "BicubicUpsample", "CoordinateBias", "GatedConv2D", "PixelShuffle", "SpectralNormalization",
    "cubic_kernel", "nearest_upsample",
]
