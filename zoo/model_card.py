"""A Hugging Face model card (README.md) for a zoo preset, from its metadata."""

import json
from pathlib import Path

# The Hub's pipeline tag for each zoo task.
PIPELINE_TAGS = {
    "denoise": "image-to-image",
    "super_resolution": "image-to-image",
    "deblur": "image-to-image",
    "inpaint": "image-to-image",
    "instruct_restore": "image-to-image",
    "text_to_image": "text-to-image",
}


def model_card(preset_dir, handle):
    """The model card text for the preset in `preset_dir`, published as `handle`.

    Written from the preset's `metadata.json`: its description, how to load
    it with zoo (Python and the `zoo` command), the val-split metrics it was
    saved with (per image, beside the baseline where the preset records
    one), how it was trained, and each file's sha256.

    Args:
        preset_dir: a zoo preset directory (`zoo.save_preset`'s output).
        handle: where it is published, e.g. `"hf://me/my-denoiser"`.

    Example:
    ```python
    text = zoo.model_card.model_card("presets/espcn_x2", "hf://me/espcn-x2")
    ```
    """
    preset_dir = Path(preset_dir)
    metadata = json.loads((preset_dir / "metadata.json").read_text(encoding="utf-8"))
    task = metadata.get("task")
    name = handle.split("://", 1)[-1]
    lines = [
        "---",
        "library_name: keras-hub",
        f"pipeline_tag: {PIPELINE_TAGS.get(task, 'image-to-image')}",
        "tags:",
        "- zoo",
        "- keras",
        f"- {str(task).replace('_', '-')}",
        "---",
        "",
        f"# {name}",
        "",
        metadata.get("description", "A zoo preset."),
        "",
        "A preset of zoo, a Keras 3 model zoo for image generation and restoration "
        "(TensorFlow, JAX or PyTorch backend). The files are a keras-hub preset; "
        "loading them needs the `zoo` package, which registers the classes.",
        "",
        "## Use",
        "",
        *_usage(task, handle),
        "",
    ]
    lines += _metrics_section(metadata.get("metrics") or {})
    lines += _training_section(metadata)
    hashes = metadata.get("sha256") or {}
    if hashes:
        lines += ["## Files", "", "| file | sha256 |", "|---|---|"]
        lines += [f"| `{file}` | `{digest}` |" for file, digest in sorted(hashes.items())]
        lines.append("")
    return "\n".join(lines)


def _usage(task, handle):
    if task == "text_to_image":
        call = 'images = model.generate(["a large red circle above a small blue square"], seed=0)'
        command = f'zoo generate --preset {handle} "a red circle" -o out.png --num 4'
    elif task == "inpaint":
        call = "restored = model.restore(image, mask=mask)  # mask: 1 = missing"
        command = f"zoo restore --preset {handle} in.png --mask mask.png -o out.png"
    else:
        call = "restored = model.restore(image)  # uint8 HxWx3 in, uint8 out"
        command = f"zoo restore --preset {handle} in.png -o out.png"
    return [
        "```python",
        "import zoo",
        "",
        f'model = zoo.from_preset("{handle}")',
        call,
        "```",
        "",
        f"Command line: `{command}`",
    ]


def _scores(node, path=()):
    """`(path, {"psnr", "ssim"})` for each image score under `node`."""
    if isinstance(node, dict) and "psnr" in node:
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            if not str(key).startswith("baseline") and key != "mean_psnr":
                yield from _scores(value, path + (key,))


def _baseline_psnr(baseline, path):
    for key in path:
        if not isinstance(baseline, dict) or key not in baseline:
            return None
        baseline = baseline[key]
    return baseline.get("psnr") if isinstance(baseline, dict) else baseline


def _metrics_section(metrics):
    val = metrics.get("val")
    rows = list(_scores(val)) if isinstance(val, dict) else []
    scalars = {k: v for k, v in metrics.items() if isinstance(v, (int, float))}
    if not rows and not scalars:
        return []
    lines = ["## Validation metrics", ""]
    if metrics.get("protocol"):
        lines += [f"Protocol: {metrics['protocol']}.", ""]
    if rows:
        baseline = metrics.get("bicubic_psnr") or (val.get("baseline_this_protocol"))
        header = "| condition | image | PSNR (dB) | SSIM |"
        rule = "|---|---|---:|---:|"
        if baseline:
            header += " baseline PSNR (dB) |"
            rule += "---:|"
        lines += [header, rule]
        for path, score in rows:
            condition = " ".join(path[:-1]) or "-"
            row = f"| {condition} | {path[-1]} | {score['psnr']} | {score.get('ssim', '')} |"
            if baseline:
                reference = _baseline_psnr(baseline, path)
                row += f" {'' if reference is None else reference} |"
            lines.append(row)
        lines.append("")
    if scalars:
        lines += ["| metric | value |", "|---|---:|"]
        lines += [f"| {key} | {value} |" for key, value in scalars.items()]
        diversity = metrics.get("diversity")
        if isinstance(diversity, dict):
            lines += [f"| diversity ({key}) | {value} |" for key, value in diversity.items()]
        lines.append("")
    return lines


def _training_section(metadata):
    fields = (
        ("Parameters", "params"),
        ("Data", "data"),
        ("Steps", "steps"),
        ("Hardware", "hardware"),
        ("Backend", "backend"),
        ("Recipe", "recipe"),
        ("Command", "command"),
    )
    items = [
        f"- {label}: {f'`{metadata[key]}`' if key in ('recipe', 'command') else metadata[key]}"
        for label, key in fields
        if metadata.get(key) not in (None, "")
    ]
    return ["## Training", "", *items, ""] if items else []
