"""Image quality metrics with the BasicSR / KAIR conventions.

numpy functions for benchmarks (`psnr`, `ssim`, `rgb_to_y`) and their Keras
metric twins for `model.compile(metrics=[PSNR(), SSIM()])`.
"""

from zoo.metrics.color import rgb_to_y
from zoo.metrics.peak_signal_noise_ratio import psnr
from zoo.metrics.psnr_metric import PSNR
from zoo.metrics.ssim_metric import SSIM
from zoo.metrics.structural_similarity import ssim

__all__ = ["PSNR", "SSIM", "psnr", "rgb_to_y", "ssim"]
from zoo.metrics.shapes_judge import describe, judge, judge_batch  # noqa: E402

__all__ += ["describe", "judge", "judge_batch"]
from zoo.metrics.text_to_image_protocols import (  # noqa: E402
    grammar_prompts,
    paraphrase_prompts,
    text_to_image_scores,
)

__all__ += ["grammar_prompts", "paraphrase_prompts", "text_to_image_scores"]
