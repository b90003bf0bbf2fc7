"""Image quality metrics with the BasicSR / KAIR conventions.

numpy functions for benchmarks (`psnr`, `ssim`, `rgb_to_y`,
`estimate_noise_sigma`) and their Keras metric twins for
`model.compile(metrics=[PSNR(), SSIM()])`; the shapes judge and the
text-to-image protocols.
"""

from zoo.metrics.color import rgb_to_y
from zoo.metrics.noise_level import estimate_noise_sigma
from zoo.metrics.peak_signal_noise_ratio import psnr
from zoo.metrics.psnr_metric import PSNR
from zoo.metrics.shapes_judge import describe, judge, judge_batch, judge_errors, match_objects
from zoo.metrics.ssim_metric import SSIM
from zoo.metrics.structural_similarity import ssim
from zoo.metrics.text_to_image_protocols import (
    error_rates,
    grammar_prompts,
    paraphrase_prompts,
    paraphrase_word_agreement,
    shape_confusion,
    text_to_image_scores,
)

__all__ = [
    "PSNR",
    "SSIM",
    "describe",
    "error_rates",
    "estimate_noise_sigma",
    "grammar_prompts",
    "judge",
    "judge_batch",
    "judge_errors",
    "match_objects",
    "paraphrase_prompts",
    "paraphrase_word_agreement",
    "psnr",
    "rgb_to_y",
    "shape_confusion",
    "ssim",
    "text_to_image_scores",
]
