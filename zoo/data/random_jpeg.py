"""Random JPEG compression per sample, a JPEG round trip on `keras.ops`."""

import math

import keras
import numpy as np
from keras import ops

from zoo.arguments import check_int
from zoo.data.degradations import check_float_images

# The libjpeg standard tables (JPEG spec, Annex K), row-major 8x8.
LUMINANCE_TABLE = np.array(
    [
        16, 11, 10, 16, 24, 40, 51, 61,
        12, 12, 14, 19, 26, 58, 60, 55,
        14, 13, 16, 24, 40, 57, 69, 56,
        14, 17, 22, 29, 51, 87, 80, 62,
        18, 22, 37, 56, 68, 109, 103, 77,
        24, 35, 55, 64, 81, 104, 113, 92,
        49, 64, 78, 87, 103, 121, 120, 101,
        72, 92, 95, 98, 112, 100, 103, 99,
    ],
    dtype="float32",
)
CHROMINANCE_TABLE = np.array(
    [
        17, 18, 24, 47, 99, 99, 99, 99,
        18, 21, 26, 66, 99, 99, 99, 99,
        24, 26, 56, 99, 99, 99, 99, 99,
        47, 66, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99,
    ],
    dtype="float32",
)
# JFIF RGB -> YCbCr (0-255 scale; +128 on the chroma) and back.
RGB_TO_YCBCR = np.array(
    [
        [0.299, 0.587, 0.114],
        [-0.168735892, -0.331264108, 0.5],
        [0.5, -0.418687589, -0.081312411],
    ],
    dtype="float64",
)
YCBCR_TO_RGB = np.linalg.inv(RGB_TO_YCBCR)


def dct_matrix(size=8):
    """The orthonormal DCT-II matrix `D` (`D @ x` transforms a column)."""
    n = np.arange(size)
    d = np.cos(np.pi * (2 * n[None, :] + 1) * n[:, None] / (2 * size))
    d *= np.sqrt(2.0 / size)
    d[0] /= math.sqrt(2.0)
    return d


def quantization_tables(quality):
    """IJG-scaled tables for integer qualities `[B]`: `[B, 2, 64]` (luma, chroma).

    `scale = 5000 // q` below 50, else `200 - 2q`; each entry is
    `clip((base * scale + 50) // 100, 1, 255)` as libjpeg's baseline tables.
    """
    q = ops.cast(ops.convert_to_tensor(quality), "float32")
    scale = ops.where(q < 50, ops.floor(5000.0 / q), 200.0 - 2.0 * q)[:, None, None]
    base = ops.convert_to_tensor(np.stack([LUMINANCE_TABLE, CHROMINANCE_TABLE]))[None]
    return ops.clip(ops.floor((base * scale + 50.0) / 100.0), 1.0, 255.0)


@keras.saving.register_keras_serializable(package="zoo")
class RandomJPEG(keras.layers.Layer):
    """Compresses each sample as a JPEG of random quality, then decodes it.

    Per sample an integer quality `q ~ U(quality_range)` (both ends
    included). The round trip is a baseline JPEG's, in float arithmetic:
    RGB -> YCbCr (JFIF, 0-255, rounded to 8-bit samples as the encoder's),
    edge-replicated to whole 8x8 blocks, level shift -128, orthonormal 8x8
    DCT-II, quantization by libjpeg's standard tables scaled by `q` as
    libjpeg does, inverse DCT, 8-bit samples again, YCbCr -> RGB, rounded
    to uint8 levels (a decoded JPEG), cropped back and divided by 255. It
    is close to Pillow's `save(..., quality=q, subsampling=0)` (libjpeg's
    integer DCT differs by rounding: about 0.1-0.25/255 on average). With
    `chroma_subsampling`, the chroma is averaged over 2x2 pixels (4:2:0)
    and upsampled by repetition (libjpeg's decoder interpolates).
    One-channel images are coded as grayscale JPEGs. Called inside a model
    (as `ImageRestorer.degradation`), it runs on every backend.

    Args:
        quality_range: `(low, high)` integer qualities in 1..100.
        seed: seed of the layer's `keras.random.SeedGenerator`.
        chroma_subsampling: 4:2:0 chroma instead of 4:4:4.

    Example:
    >>> jpeg = RandomJPEG(quality_range=(30, 95), seed=0)
    >>> compressed = jpeg(clean_images)  # float32 NHWC in [0, 1]
    """

    def __init__(self, quality_range=(30, 95), seed=None, chroma_subsampling=False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(quality_range, (str, bytes)) or len(quality_range) != 2:
            raise ValueError(
                f"`quality_range` must be (low, high). Received: quality_range={quality_range!r}"
            )
        low, high = (check_int("quality_range", q) for q in quality_range)
        if not 1 <= low <= high <= 100:
            raise ValueError(
                "`quality_range` must be (low, high) with 1 <= low <= high <= 100. "
                f"Received: quality_range={tuple(quality_range)!r}"
            )
        self.quality_range = (low, high)
        self.chroma_subsampling = bool(chroma_subsampling)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        d = dct_matrix(8)
        # Row-major vec(D X D^T) = kron(D, D) vec(X): one 64x64 matrix.
        self._dct = np.kron(d, d).T.astype("float32")

    def qualities(self, batch):
        """Draws `batch` integer qualities, `[batch]` int32."""
        low, high = self.quality_range
        return keras.random.randint(
            (batch,), minval=low, maxval=high + 1, dtype="int32", seed=self.seed_generator
        )

    def call(self, images):
        images = check_float_images(images)
        channels = images.shape[-1]
        if channels not in (1, 3):
            raise ValueError(
                f"`images` must have 1 or 3 channels for JPEG, got shape {tuple(images.shape)}."
            )
        x = ops.clip(ops.cast(images, "float32"), 0.0, 1.0) * 255.0
        shape = ops.shape(x)
        batch, height, width = shape[0], shape[1], shape[2]
        if channels == 3:
            x = ops.matmul(x, ops.convert_to_tensor(RGB_TO_YCBCR.T.astype("float32")))
            x = x + ops.convert_to_tensor(np.array([0.0, 128.0, 128.0], "float32"))
            x = ops.round(x)  # the encoder's samples are 8-bit too
        # Edge replication to whole blocks (16 when 2x2 chroma averages).
        unit = 16 if self.chroma_subsampling and channels == 3 else 8
        x = ops.take(x, _edge_index(height, unit), axis=1)
        x = ops.take(x, _edge_index(width, unit), axis=2)
        tables = quantization_tables(self.qualities(batch))  # [B, 2, 64]
        if channels == 1:
            x = self._round_trip(x, tables[:, :1])
        elif not self.chroma_subsampling:
            x = self._round_trip(x, ops.concatenate([tables, tables[:, 1:]], axis=1))
        else:
            luma = self._round_trip(x[..., :1], tables[:, :1])
            chroma = ops.round(ops.average_pool(x[..., 1:], 2, strides=2, padding="valid"))
            chroma = self._round_trip(chroma, ops.concatenate([tables[:, 1:]] * 2, axis=1))
            chroma = ops.repeat(ops.repeat(chroma, 2, axis=1), 2, axis=2)
            x = ops.concatenate([luma, chroma], axis=-1)
        x = x[:, :height, :width]
        if channels == 3:
            x = x - ops.convert_to_tensor(np.array([0.0, 128.0, 128.0], "float32"))
            x = ops.matmul(x, ops.convert_to_tensor(YCBCR_TO_RGB.T.astype("float32")))
        x = ops.round(ops.clip(x, 0.0, 255.0)) / 255.0
        return ops.cast(x, self.compute_dtype)

    def _round_trip(self, x, tables):
        """Block DCT, quantization by `tables` `[B, C, 64]`, inverse, 8-bit samples."""
        shape = ops.shape(x)
        batch, height, width, channels = shape[0], shape[1], shape[2], x.shape[-1]
        rows, cols = height // 8, width // 8
        blocks = ops.reshape(x - 128.0, (batch, rows, 8, cols, 8, channels))
        blocks = ops.reshape(
            ops.transpose(blocks, (0, 1, 3, 5, 2, 4)), (batch, rows, cols, channels, 64)
        )
        dct = ops.convert_to_tensor(self._dct)
        tables = ops.cast(tables, "float32")[:, None, None]  # [B, 1, 1, C, 64]
        coefficients = ops.round(ops.matmul(blocks, dct) / tables) * tables
        blocks = ops.matmul(coefficients, ops.transpose(dct))
        blocks = ops.transpose(
            ops.reshape(blocks, (batch, rows, cols, channels, 8, 8)), (0, 1, 4, 2, 5, 3)
        )
        # The decoder's samples are 8-bit: rounded and clipped per component.
        return ops.round(ops.clip(ops.reshape(blocks, (batch, height, width, channels)) + 128.0,
                                  0.0, 255.0))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "quality_range": list(self.quality_range),
            "seed": self.seed,
            "chroma_subsampling": self.chroma_subsampling,
        }


def _edge_index(size, unit):
    """Indices `0..size-1` then `size-1` repeated, up to a multiple of `unit`."""
    padded = (size + unit - 1) // unit * unit
    return ops.minimum(ops.arange(padded, dtype="int32"), size - 1)
