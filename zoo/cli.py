"""The `zoo` command line: list, restore, generate, export and demo.

```
zoo list [--task denoise]
zoo restore --preset dncnn_color_blind noisy.png -o clean.png
zoo restore --preset inpaint_unet photo.png --mask holes.png -o filled.png
zoo generate --preset text_gan_tiny "a large red circle above a small blue square" -o out.png
zoo generate --preset text_gan_tiny "red circle" "blue square" -o grid.png --num 4 --seed 0
zoo export --preset dncnn_color_blind --format litert -o denoiser.tflite --check
zoo demo [--output-dir outputs]
```

Inpainting presets take `--mask`: an image of the input's size, white
(gray > 127 after conversion to grayscale, transparent = black) = missing.

`zoo generate` writes the image itself for one prompt and `--num 1`, else
a grid (`zoo.training.sample_grid.image_grid`): one row per prompt, `--num`
images each, the prompt written under every image. Without `--seed` it
draws one and prints it, so the images can be made again.

Mistakes a user can fix (an unknown preset, a missing file, a bad option
value) print one line, `zoo: error: ...`, and exit with status 2. The heavy
imports (TensorFlow, Keras, the zoo itself) happen inside the commands, so
`zoo --help` and argument errors answer at once.
"""

import argparse
import os
import sys
from pathlib import Path

# Before anything imports TensorFlow: keep its C++ logging off the console.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

PROG = "zoo"
EXPORT_FORMATS = ("litert", "tf_saved_model")
QUANTIZATIONS = ("dynamic_int8",)
# The errors a user causes and can fix: reported in one line, exit status 2.
# (OSError covers FileNotFoundError and zoo.hub.PresetFetchError;
# ImportError an optional package missing, whose message says how to install it.)
USER_ERRORS = (ValueError, TypeError, OSError, ImportError)
DEFAULT_CHECK_SHAPE = (64, 64)


# --------------------------------------------------------------------------
# Helpers shared with zoo.demo


def console_text(text, stream=None):
    """`text` with "σ" spelled "sigma" when `stream` cannot encode it."""
    stream = sys.stdout if stream is None else stream
    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        text = text.replace("σ", "sigma").encode(encoding, "replace").decode(encoding)
    return text


def _pillow_format(path):
    """The Pillow format that writes `path`, from its extension."""
    from PIL import Image

    Image.init()
    suffix = Path(path).suffix.lower()
    fmt = Image.registered_extensions().get(suffix)
    if fmt is None or fmt not in Image.SAVE:
        raise ValueError(
            f"Cannot write {str(path)!r}: unknown image extension {suffix or '(none)'!r}; "
            "use .png, .jpg, .bmp, .tif or .webp."
        )
    return fmt


def _check_output_path(path):
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"Output {str(path)!r} is a directory: give a file name.")
    return _pillow_format(path)


def save_image(image, path):
    """Writes a uint8 array (or PIL image) to `path` atomically with Pillow.

    The parent directories are created; the image goes to a temporary file in
    the same directory, renamed to `path` once complete, so no half-written
    file is ever seen at `path`. The format comes from the extension.

    Returns:
        `path` as a string.
    """
    from PIL import Image

    from zoo.atomic_file import atomic_write

    path = Path(path)
    fmt = _check_output_path(path)
    if not isinstance(image, Image.Image):
        image = Image.fromarray(image)
    if fmt == "JPEG" and image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    with atomic_write(path) as f:
        image.save(f, format=fmt)
    return str(path)


# --------------------------------------------------------------------------
# Argument types


def positive_int(text):
    """argparse type: a positive integer (e.g. `--epochs`)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def preset_target(text):
    """argparse type: a preset directory to write (`--output` of the
    fine-tuning scripts), checked before any training; the handle that loads
    it back (`zoo.presets.check_preset_target`)."""
    from zoo.presets import check_preset_target

    try:
        return check_preset_target(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def _non_negative_int(text):
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}")
    return value


def _input_shape(text):
    """`HxW` (e.g. `256x256`) -> `(H, W)`."""
    parts = text.lower().split("x")
    try:
        shape = tuple(int(p) for p in parts)
    except ValueError:
        shape = ()
    if len(shape) != 2 or min(shape) <= 0:
        raise argparse.ArgumentTypeError(
            f"expected HEIGHTxWIDTH with positive integers (e.g. 256x256), got {text!r}"
        )
    return shape


# --------------------------------------------------------------------------
# zoo list


def _format_params(count):
    if not isinstance(count, (int, float)):
        return "-"
    for limit, unit in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if count >= limit:
            return f"{count / limit:.1f}{unit}"
    return str(int(count))


def _sigma_label(key):
    if key.startswith("sigma") and key[5:].isdigit():
        return "σ" + key[5:]
    return key


def _numeric_leaves(tree, path=()):
    """(path, value) of every number in a nested metrics dict, in order."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from _numeric_leaves(value, (*path, str(key)))
    elif isinstance(tree, (int, float)) and not isinstance(tree, bool):
        yield path, float(tree)


def _describe_metric(path, value):
    name = path[-1]
    context = " ".join(_sigma_label(p) for p in path[:-1])
    context = f" {context}" if context else ""
    if name in ("psnr", "mean_psnr"):
        return f"PSNR{context} {value:.2f} dB"
    if name in ("ssim", "mean_ssim"):
        return f"SSIM{context} {value:.4f}"
    return f"{'/'.join(path)} {value:.4g}"


def main_metric(metadata):
    """A preset's headline validation number, as text ("-" when it has none)."""
    metrics = metadata.get("metrics")
    if not isinstance(metrics, dict) or not metrics:
        return "-"
    val = metrics.get("val", metrics)
    if metadata.get("task") == "denoise" and isinstance(val, dict):
        for sigma in ("sigma25", *sorted(k for k in val if k != "sigma25")):
            entry = val.get(sigma)
            if isinstance(entry, dict) and isinstance(entry.get("mean_psnr"), (int, float)):
                return f"PSNR {_sigma_label(sigma)} {entry['mean_psnr']:.2f} dB"
    leaves = list(_numeric_leaves(val))
    if not leaves:
        return "-"
    for preferred in ("mean_psnr", "psnr", "mean_ssim", "ssim"):
        for path, value in leaves:
            if path[-1] == preferred:
                return _describe_metric(path, value)
    return _describe_metric(*leaves[0])


def _cmd_list(args):
    import zoo

    presets = zoo.list_presets(task=args.task)
    if not presets:
        where = f" for task {args.task!r}" if args.task else ""
        print(f"No presets{where}.")
        return 0
    rows = [("NAME", "TASK", "PARAMS", "VAL METRIC")]
    for name, metadata in presets.items():
        rows.append(
            (
                name,
                str(metadata.get("task", "-")),
                _format_params(metadata.get("params", metadata.get("parameter_count"))),
                main_metric(metadata),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths))
        print(console_text(line.rstrip()))
    return 0


def _add_list_parser(commands):
    p = commands.add_parser("list", help="list the embedded presets")
    p.add_argument("--task", help="only presets of this task (e.g. denoise)")
    p.set_defaults(func=_cmd_list)


# --------------------------------------------------------------------------
# zoo restore


def _check_file(path, what):
    if not Path(path).is_file():
        raise FileNotFoundError(f"{what} not found: {str(path)!r}")


def _takes_mask(model):
    import inspect

    return "mask" in inspect.signature(model.restore).parameters


def _read_cli_mask(path, image_shape):
    """The `--mask` image as an `HxW` float32 0/1 array of the image's size."""
    from zoo.tasks.inpainter import mask_from_image

    try:
        mask = mask_from_image(path)
    except ValueError:
        raise ValueError(f"--mask {str(path)!r} is not an image Pillow can read.") from None
    if mask.shape != tuple(image_shape):
        (mh, mw), (ih, iw) = mask.shape, image_shape
        raise ValueError(
            f"--mask {str(path)!r} is {mw}x{mh} pixels but the image is {iw}x{ih}: "
            "they must be the same size."
        )
    if mask.all():
        raise ValueError(
            f"--mask {str(path)!r} marks every pixel missing (white = missing): "
            "there is nothing to inpaint from."
        )
    if not mask.any():
        print(
            console_text(
                f"{PROG}: warning: --mask {str(path)!r} marks no pixel missing "
                "(white = missing); the image comes back unchanged.",
                sys.stderr,
            ),
            file=sys.stderr,
        )
    return mask


def _cmd_restore(args):
    _check_file(args.input, "Input image")
    if args.mask is not None:
        _check_file(args.mask, "Mask image (--mask)")
    _check_output_path(args.output)

    import zoo
    from zoo.data import read_image

    image = read_image(args.input)
    model = zoo.from_preset(args.preset)
    if not hasattr(model, "restore"):
        raise ValueError(
            f"Preset {args.preset!r} holds a {type(model).__name__}, which does "
            "not restore images."
        )
    kwargs = {}
    if args.tile_size is not None:
        kwargs["tile_size"] = args.tile_size
    if args.tile_overlap is not None:
        kwargs["tile_overlap"] = args.tile_overlap
    _check_cli_tiling(model, args)
    if args.self_ensemble:
        kwargs["self_ensemble"] = True
    if _takes_mask(model):
        if args.mask is None:
            raise ValueError(
                f"--mask is required: {args.preset!r} is an inpainting preset; give "
                "a mask image of the input's size, white (gray > 127) = missing."
            )
        kwargs["mask"] = _read_cli_mask(args.mask, image.shape[:2])
    elif args.mask is not None:
        raise ValueError(
            f"--mask is for inpainting presets; {args.preset!r} "
            f"({type(model).__name__}) takes no mask."
        )
    restored = model.restore(image, **kwargs)
    path = save_image(restored, args.output)
    height, width = restored.shape[:2]
    print(console_text(f"Wrote {path} ({width}x{height})"))
    return 0


def _check_cli_tiling(model, args):
    """Names the options that fix a tile too small for its overlap (either may be the preset's)."""
    tile_size, overlap = args.tile_size, args.tile_overlap
    tile_size = getattr(model, "tile_size", None) if tile_size is None else tile_size
    overlap = getattr(model, "tile_overlap", None) if overlap is None else overlap
    if tile_size is None or overlap is None or tile_size > 2 * overlap:
        return
    size_note = "" if args.tile_size is not None else " (the preset's)"
    overlap_note = "" if args.tile_overlap is not None else " (the preset's)"
    raise ValueError(
        f"The tile size {tile_size}{size_note} must exceed twice the tile overlap "
        f"{overlap}{overlap_note}: pass a larger --tile-size, or --tile-overlap "
        f"{(tile_size - 1) // 2} or less."
    )


def _add_restore_parser(commands):
    p = commands.add_parser(
        "restore",
        help="restore an image with a preset",
        description=(
            "Restore an image with a preset of any restoration task. Inpainting "
            "presets need --mask: an image of the input's size whose white pixels "
            "(gray > 127 after conversion to grayscale; transparent = black) are "
            "the ones to fill."
        ),
    )
    p.add_argument("--preset", required=True, help="preset name, directory or URL")
    p.add_argument("input", metavar="IN", help="image to restore")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="image to write")
    p.add_argument(
        "--mask", metavar="MASK",
        help="inpainting presets: mask image, white (gray > 127) = missing",
    )
    p.add_argument(
        "--tile-size", type=positive_int, metavar="N", help="tile side for large images"
    )
    p.add_argument(
        "--tile-overlap", type=_non_negative_int, metavar="N",
        help="context pixels around each tile (less than half --tile-size)",
    )
    p.add_argument(
        "--self-ensemble", action="store_true",
        help="average over the 8 flips/rotations (8x slower, slightly better)",
    )
    p.set_defaults(func=_cmd_restore)


# --------------------------------------------------------------------------
# zoo generate


def _check_cli_prompts(prompts):
    if not prompts:
        raise ValueError(
            'No prompt given: pass at least one, e.g. zoo generate --preset P '
            '"a large red circle above a small blue square" -o out.png'
        )
    for i, prompt in enumerate(prompts):
        if not prompt.strip():
            raise ValueError(f"Prompt {i + 1} is empty: describe the image to generate.")
    return list(prompts)


def generated_figure(images, prompts, num):
    """`generate`'s uint8 images -> what `zoo generate` writes (a uint8 array).

    One image alone is written as it is; several become a grid, one row per
    prompt (or a square-ish grid for a single prompt), each image with its
    prompt under it.
    """
    from zoo.training.sample_grid import image_grid

    if len(images) == 1:
        return images[0]
    labels = [p for p in prompts for _ in range(num)]
    columns = num if len(prompts) > 1 else None
    return image_grid(images, labels, columns=columns)


def _cmd_generate(args):
    prompts = _check_cli_prompts(args.prompts)
    if args.num < 1:
        raise ValueError(f"--num must be at least 1 (images per prompt). Received: {args.num}")
    if args.seed is not None and args.seed < 0:
        raise ValueError(f"--seed must be a non-negative integer. Received: {args.seed}")
    _check_output_path(args.output)

    import zoo
    from zoo.tasks import TextToImageGAN

    model = zoo.from_preset(args.preset)
    if not isinstance(model, TextToImageGAN):
        raise ValueError(
            f"Preset {args.preset!r} holds a {type(model).__name__}, which does not "
            "generate images from text: give a text_to_image preset "
            "(see `zoo list --task text_to_image`)."
        )
    seed = args.seed
    if seed is None:
        import secrets

        seed = secrets.randbelow(2**31)
    images = model.generate(prompts, seed=seed, num_per_prompt=args.num)
    figure = generated_figure(images, prompts, args.num)
    path = save_image(figure, args.output)
    height, width = figure.shape[:2]
    count = len(images)
    what = "1 image" if count == 1 else f"{count} images in a grid"
    print(console_text(f"Wrote {path} ({what}, {width}x{height}, seed {seed})"))
    return 0


def _add_generate_parser(commands):
    p = commands.add_parser(
        "generate",
        help="generate images from text with a text_to_image preset",
        description=(
            "Generate images from prompts with a text_to_image preset. One prompt "
            "with --num 1 writes the image; more write a grid with each prompt "
            "under its images (one row per prompt)."
        ),
    )
    p.add_argument("--preset", required=True, help="preset name, directory or URL")
    p.add_argument("prompts", nargs="*", metavar="PROMPT", help="what to draw (quoted)")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="image to write")
    p.add_argument("--seed", type=int, help="seed of the noise (default: a fresh one, printed)")
    p.add_argument("--num", type=int, default=1, metavar="N", help="images per prompt (default 1)")
    p.set_defaults(func=_cmd_generate)


# --------------------------------------------------------------------------
# zoo export


def _cmd_export(args):
    import zoo
    from zoo.export import export, parity, random_inputs

    model = zoo.from_preset(args.preset)
    path = export(
        model,
        args.output,
        args.format,
        quantize=args.quantize,
        float_layers=args.float_layers,
        input_shape=args.input_shape,
    )
    print(console_text(f"Wrote {path}"))
    if args.check:
        height, width = args.input_shape or DEFAULT_CHECK_SHAPE
        inputs = random_inputs(model, height, width)
        diff = parity(model, path, inputs)
        shapes = inputs if isinstance(inputs, dict) else {"input": inputs}
        described = ", ".join(
            f"{name} {'x'.join(map(str, value.shape))}" for name, value in shapes.items()
        )
        print(f"Parity on random inputs ({described}): max abs diff {diff:.3g}")
    return 0


def _add_export_parser(commands):
    p = commands.add_parser("export", help="export a preset to LiteRT or SavedModel")
    p.add_argument("--preset", required=True, help="preset name, directory or URL")
    p.add_argument(
        "--format",
        choices=EXPORT_FORMATS,
        help="default: litert for a .tflite path, else tf_saved_model",
    )
    p.add_argument("-o", "--output", required=True, metavar="PATH", help="file or directory")
    p.add_argument("--quantize", choices=QUANTIZATIONS, help="LiteRT weight quantization")
    p.add_argument(
        "--float-layers",
        type=lambda text: [n for n in text.split(",") if n],
        metavar="A,B",
        help="with --quantize: layers that keep float32 weights (default: the "
        "backbone's int8_float_layers, else the output layer; '' for none)",
    )
    p.add_argument(
        "--input-shape",
        type=_input_shape,
        metavar="HxW",
        help="fix the input size (default: any size)",
    )
    p.add_argument(
        "--check",
        action="store_true",
        help="compare the export with Keras on random inputs",
    )
    p.set_defaults(func=_cmd_export)


# --------------------------------------------------------------------------
# zoo upload


def _cmd_upload(args):
    from zoo.presets import upload_preset

    handle = upload_preset(args.handle, args.preset_dir)
    print(console_text(f"Uploaded {args.preset_dir} to {handle}; load it with "
                       f"zoo.from_preset({handle!r})"))
    return 0


def _add_upload_parser(commands):
    p = commands.add_parser(
        "upload",
        help="publish a preset directory to hf://org/name (with a model card) or kaggle://",
    )
    p.add_argument("preset_dir", help="a preset directory saved by zoo")
    p.add_argument("handle", help="hf://org/name or kaggle://owner/model/keras/variation")
    p.set_defaults(func=_cmd_upload)


# --------------------------------------------------------------------------
# zoo demo


def _cmd_demo(args):
    from zoo.demo import run

    paths = run(args.output_dir)
    count = len(paths)
    print(console_text(f"Wrote {count} file{'' if count == 1 else 's'} to {args.output_dir}"))
    return 0


def _add_demo_parser(commands):
    p = commands.add_parser(
        "demo", help="one labelled example per task with an embedded preset, offline"
    )
    p.add_argument("--output-dir", default="outputs", help="where to write (default: outputs)")
    p.set_defaults(func=_cmd_demo)


# --------------------------------------------------------------------------

# One `_add_<command>_parser(commands)` per subcommand, in `zoo --help` order;
# each sets `func` to its `_cmd_<command>(args)`. A new subcommand adds its
# pair of functions and one entry here.
SUBCOMMANDS = (
    _add_list_parser,
    _add_restore_parser,
    _add_generate_parser,
    _add_export_parser,
    _add_upload_parser,
    _add_demo_parser,
)


def build_parser():
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="A Keras 3 model zoo for image restoration and generation.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add_parser in SUBCOMMANDS:
        add_parser(commands)
    return parser


def _one_line(error):
    message = " ".join(line.strip() for line in str(error).splitlines() if line.strip())
    return message or type(error).__name__


def main(argv=None):
    """Runs the `zoo` command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        status = args.func(args)
        sys.stdout.flush()  # here, where a closed pipe is caught below
        return status
    except BrokenPipeError:
        # The reader left (`zoo list | head -1`): not an error. Stdout goes
        # to devnull so Python's flush at exit does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except USER_ERRORS as error:
        print(console_text(f"{PROG}: error: {_one_line(error)}", sys.stderr), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
