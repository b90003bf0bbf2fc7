"""Restoration benchmark: every embedded restoration preset vs its classical baseline.

For each preset that `zoo.list_presets()` finds with task denoise,
super_resolution, deblur or inpaint, in one run:

* quality on the val split with the protocols of
  `zoo.metrics.restoration_protocols` (PSNR/SSIM per image and mean), for the
  preset in Keras (fp32) and exported to LiteRT fp32 and dynamic-range int8;
* the classical baseline on the same protocol, measured here: denoise, BM3D at
  sigma 25 (`benchmarks/denoise.py`'s `bm3d_denoise`); super-resolution,
  Pillow bicubic (Y-PSNR); deblur, the best of the blurred input and Wiener
  deconvolution given the true kernel (`wiener_deblur_scores`, Gaussian sigma 2
  and motion 11); inpaint, OpenCV Telea on the same seeded masks
  (`telea_inpaint`);
* the margin over the baseline on every image against the goal, and the int8
  PSNR loss against LiteRT fp32 (goal <= 0.2 dB on every image);
* CPU time per output megapixel in Keras (`predict_on_batch`, TensorFlow
  backend) and in LiteRT fp32 (`ai_edge_litert` interpreter), on one protocol
  input whose output is a 256x256 crop of a val image: median of a few runs
  after a warm-up, with the thread count recorded.

    PYTHONPATH=. python benchmarks/restoration.py [--presets a,b] [--quick] [--threads N]

Writes benchmarks/results/restoration.{json,md} (`--quick`: restoration_quick.*,
which git ignores; same quality protocol, fewer timing repeats) and prints the
markdown.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import argparse  # noqa: E402
import datetime  # noqa: E402
import functools  # noqa: E402
import importlib.metadata  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

RESULTS_DIR = Path(__file__).resolve().parent / "results"
TASKS = ("denoise", "super_resolution", "deblur", "inpaint")
SIGMA = 25  # the denoising goal's noise level
DEBLUR_KINDS = ("gauss2", "motion11")
INT8_GOAL_DB = 0.2  # LiteRT int8 PSNR loss vs LiteRT fp32, every val image
SPEED_SIZE = 256  # output side of the timing input
# Margin over the baseline on every val image (dB).
GOALS = {"denoise": 0.3, "super_resolution_x2": 2.0, "super_resolution_x4": 1.2,
         "deblur": 1.0, "inpaint": 1.5}
T0 = time.perf_counter()


def log(message):
    print(f"[{time.perf_counter() - T0:7.1f}s] {message}", file=sys.stderr, flush=True)


# --- LiteRT: a restorer that runs the .tflite through the task's own restore. ---

class LiteRTRunner:
    """Calls a .tflite like `predict_on_batch`: an array, or a dict of arrays
    matched to the interpreter's inputs by name; resizes when shapes change."""

    def __init__(self, path, threads):
        from ai_edge_litert.interpreter import Interpreter

        self.interpreter = Interpreter(model_path=str(path), num_threads=threads)
        self.inputs = self.interpreter.get_input_details()
        self.output = self.interpreter.get_output_details()[0]
        self.shapes = None

    def _feed(self, x):
        if not isinstance(x, dict):
            return [(self.inputs[0], np.asarray(x, np.float32))]
        feed = []
        for detail in self.inputs:  # names like "serving_default_masks:0"
            key = next((k for k in x if k in detail["name"]), None)
            if key is None:
                raise ValueError(f"No input for {detail['name']!r} in {sorted(x)}.")
            feed.append((detail, np.asarray(x[key], np.float32)))
        return feed

    def __call__(self, x):
        feed = self._feed(x)
        shapes = [value.shape for _, value in feed]
        if shapes != self.shapes:
            for detail, value in feed:
                self.interpreter.resize_tensor_input(detail["index"], value.shape)
            self.interpreter.allocate_tensors()
            self.shapes = shapes
        for detail, value in feed:
            self.interpreter.set_tensor(detail["index"], value)
        self.interpreter.invoke()
        return self.interpreter.get_tensor(self.output["index"])


class _RunnerRestorer:
    """`model` seen through `restore`, but with `runner` as its forward pass.

    Every other attribute (scale, tiling, gray handling, helper methods) is
    the model's own, so `restore` keeps up with changes to the task class.
    """

    def __init__(self, model, runner):
        self._model = model
        self.predict_on_batch = runner

    def __getattr__(self, name):
        return getattr(self._model, name)


def litert_restore(model, runner):
    """`model.restore` (same padding, tiling, gray and uint8 handling) with
    the forward pass done by `runner` instead of Keras."""
    return functools.partial(type(model).restore, _RunnerRestorer(model, runner))


# --- Baselines. ---

def bicubic_upscale(scale):
    """Pillow BICUBIC upscaling of the uint8 low-res image."""

    def restore(low):
        height, width = low.shape[:2]
        return np.asarray(Image.fromarray(low).resize((width * scale, height * scale),
                                                      Image.BICUBIC))

    return restore


def load_bm3d():
    """`bm3d_denoise` from benchmarks/denoise.py, or None where it cannot be imported."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    try:
        from denoise import bm3d_denoise
    except ImportError as error:
        log(f"BM3D not importable ({error}): denoise baseline -> see denoise table")
        return None
    finally:
        sys.path.pop(0)
    return bm3d_denoise


# --- Conditions: one (task, setting) row of the table. ---

def conditions(model, task):
    """`[(condition key, label, goal key)]` for a preset of `task`."""
    if task == "denoise":
        return [(f"denoise_sigma{SIGMA}", f"sigma {SIGMA}", "denoise")]
    if task == "super_resolution":
        s = model.scale
        return [(f"sr_x{s}", f"x{s}", f"super_resolution_x{s}")]
    if task == "deblur":
        return [(f"deblur_{k}", k, "deblur") for k in DEBLUR_KINDS]
    return [("inpaint_seed0", "free-form ~25%, seed 0", "inpaint")]


def protocol_scores(condition, restore, images):
    """`{name: {"psnr", "ssim"}, "mean_psnr"}` of `restore` on one condition."""
    from zoo.metrics.restoration_protocols import (
        deblur_scores, denoising_scores, inpainting_scores, super_resolution_scores)

    if condition.startswith("denoise_sigma"):
        sigma = int(condition[len("denoise_sigma"):])
        return denoising_scores(restore, images, (sigma,))[f"sigma{sigma}"]
    if condition.startswith("sr_x"):
        return super_resolution_scores(restore, images, int(condition[len("sr_x"):]))
    if condition.startswith("deblur_"):
        kind = condition[len("deblur_"):]
        return deblur_scores(restore, images, (kind,))[kind]
    return inpainting_scores(restore, images, seed=0)


def baseline_scores(condition, images, bm3d_denoise):
    """`(method, scores, splits.json reference or None)` for one condition."""
    from zoo.data import load_val_baselines
    from zoo.metrics.restoration_protocols import telea_inpaint, wiener_deblur_scores

    refs = load_val_baselines()
    if condition.startswith("denoise_sigma"):
        sigma = int(condition[len("denoise_sigma"):])
        ref = refs.get(f"denoise_sigma{sigma}_bm3d")
        if bm3d_denoise is None:
            scores = {n: {"psnr": ref[n], "ssim": None} for n in images} if ref else None
            return f"BM3D sigma {sigma} (not measured: see denoise table)", scores, ref
        return (f"BM3D sigma {sigma}",
                protocol_scores(condition, lambda x: bm3d_denoise(x, sigma), images), ref)
    if condition.startswith("sr_x"):
        scale = int(condition[len("sr_x"):])
        return ("Pillow bicubic (Y)", protocol_scores(condition, bicubic_upscale(scale), images),
                refs.get(f"sr_x{scale}_bicubic_y"))
    if condition.startswith("deblur_"):
        kind = condition[len("deblur_"):]
        ref = {k: v for k, v in refs.get(f"deblur_best_classical_{kind}", {}).items()
               if k != "about"}
        return ("best of blurred / Wiener (true kernel)",
                wiener_deblur_scores(images, (kind,))[kind], ref or None)
    # The splits.json Telea numbers used other masks: kept for the record only.
    return ("OpenCV Telea (r=5)", protocol_scores(condition, telea_inpaint, images),
            refs.get("inpaint_freeform25_cv2_telea"))


# --- Speed. ---

def speed_input(condition, images, scale):
    """The protocol input whose output is a SPEED_SIZE crop of the largest
    colour val image: `(description, batch)` (a dict for inpainting)."""
    from zoo.data import add_gaussian_noise, bicubic_downsample_pil
    from zoo.data.blur_kernels import blur_protocol
    from zoo.data.masks import protocol_masks

    name, image = max(((n, i) for n, i in images.items() if i.ndim == 3),
                      key=lambda item: item[1].shape[0] * item[1].shape[1])
    size = SPEED_SIZE
    y0, x0 = (image.shape[0] - size) // 2, (image.shape[1] - size) // 2
    crop = np.ascontiguousarray(image[y0:y0 + size, x0:x0 + size])
    what = f"{name} centre {size}x{size} crop"
    if condition.startswith("denoise_sigma"):
        sigma = int(condition[len("denoise_sigma"):])
        return f"{what}, noise sigma {sigma}", add_gaussian_noise(crop, sigma, seed=0)[None]
    if condition.startswith("sr_x"):
        low = bicubic_downsample_pil(crop, scale).astype(np.float32) / 255.0
        return f"{what}, bicubic x{scale} down ({low.shape[0]}x{low.shape[1]} in)", low[None]
    if condition.startswith("deblur_"):
        kind = condition[len("deblur_"):]
        return f"{what}, blur {kind}", blur_protocol(crop, kind)[None]
    mask = protocol_masks({name: crop}, seed=0)[name]
    holed = np.where(mask[..., None] > 0, 0, crop).astype(np.float32) / 255.0
    return (f"{what}, protocol mask ({mask.mean():.0%} missing)",
            {"images": holed[None], "masks": mask[None, ..., None].astype(np.float32)})


def median_ms(fn, repeats):
    fn()  # warm-up: tracing, allocation
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def measure_speed(model, tflite_fp32, condition, images, threads, repeats):
    import keras

    what, batch = speed_input(condition, images, model.scale)
    runner = LiteRTRunner(tflite_fp32, threads)

    def keras_run():
        return keras.ops.convert_to_numpy(model.predict_on_batch(batch))

    expected = keras_run()
    parity = float(np.max(np.abs(runner(batch) - expected)))
    ms = {"keras_fp32": median_ms(keras_run, repeats),
          "litert_fp32": median_ms(lambda: runner(batch), repeats)}
    megapixels = expected.shape[1] * expected.shape[2] / 1e6
    return {
        "input": what,
        "output_shape": list(expected.shape),
        "repeats": repeats,
        "ms": {k: round(v, 2) for k, v in ms.items()},
        "ms_per_megapixel": {k: round(v / megapixels, 1) for k, v in ms.items()},
        "litert_fp32_vs_keras_max_abs_diff": parity,
    }


# --- One preset. ---

def psnr_of(scores, names):
    return {n: scores[n]["psnr"] for n in names}


def benchmark_preset(name, meta, images, baselines, bm3d_denoise, threads, repeats, tmp):
    import zoo

    task = meta["task"]
    log(f"{name} ({task}): loading")
    model = zoo.from_preset(name)
    names = list(images)
    log(f"{name}: exporting LiteRT fp32 and dynamic-range int8")
    tflite = {"fp32": zoo.export(model, Path(tmp) / f"{name}_fp32.tflite"),
              "int8": zoo.export(model, Path(tmp) / f"{name}_int8.tflite",
                                 quantize="dynamic_int8")}
    restorers = {"keras_fp32": model.restore,
                 **{f"litert_{k}": litert_restore(model, LiteRTRunner(p, threads))
                    for k, p in tflite.items()},
                 "keras_fp32_x8": functools.partial(model.restore, self_ensemble=True)}
    rows = {}
    for condition, label, goal_key in conditions(model, task):
        if condition not in baselines:
            log(f"{name}: baseline for {condition}")
            method, scores, ref = baseline_scores(condition, images, bm3d_denoise)
            baselines[condition] = {"method": method, "scores": scores, "reference": ref}
        base = baselines[condition]
        quality = {}
        for method, restore in restorers.items():
            log(f"{name}: {condition} {method}")
            quality[method] = protocol_scores(condition, restore, images)
        p = {m: psnr_of(s, names) for m, s in quality.items()}
        margin, margin_x8 = ({n: round(p[m][n] - base["scores"][n]["psnr"], 3) for n in names}
                             if base["scores"] else None for m in ("keras_fp32", "keras_fp32_x8"))
        int8_loss = {n: round(p["litert_fp32"][n] - p["litert_int8"][n], 3) for n in names}
        goal = GOALS[goal_key]
        rows[condition] = {
            "label": label, "quality": quality, "baseline": condition,
            "margin_db": margin, "goal_db": goal,
            "min_margin_db": min(margin.values()) if margin else None,
            "goal_met": min(margin.values()) >= goal if margin else None,
            "self_ensemble_margin_db": margin_x8,
            "self_ensemble_min_margin_db": min(margin_x8.values()) if margin_x8 else None,
            "int8_loss_db": int8_loss, "int8_worst_loss_db": max(int8_loss.values()),
            "int8_goal_met": max(int8_loss.values()) <= INT8_GOAL_DB,
            "litert_fp32_minus_keras_db": {n: round(p["litert_fp32"][n] - p["keras_fp32"][n], 3)
                                           for n in names},
        }
    first = next(iter(rows))
    log(f"{name}: timing on {first}")
    speed = measure_speed(model, tflite["fp32"], first, images, threads, repeats)
    log(f"{name}: keras {speed['ms']['keras_fp32']:.0f} ms, "
        f"litert {speed['ms']['litert_fp32']:.0f} ms")
    return {
        "task": task, "params": meta.get("params") or model.count_params(),
        "scale": model.scale, "metadata": {k: meta.get(k) for k in
                                           ("description", "steps", "hardware", "backend")},
        "tflite_bytes": {k: os.path.getsize(p) for k, p in tflite.items()},
        "conditions": rows,
        "goal_met": all(r["goal_met"] for r in rows.values()) if all(
            r["goal_met"] is not None for r in rows.values()) else None,
        "int8_goal_met": all(r["int8_goal_met"] for r in rows.values()),
        "speed": speed,
    }


def _mb(size):
    return f"{size / 1e6:.2f} MB"


# --- Environment. ---

def cpu_model():
    try:
        return next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                    if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or None


def environment(threads):
    import keras
    import tensorflow as tf

    import zoo

    versions = {}
    for package in ("keras", "keras-hub", "tensorflow", "numpy", "ai-edge-litert", "bm3d",
                    "opencv-python", "opencv-python-headless", "scikit-image", "pillow"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            pass
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu_model": cpu_model(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "backend": keras.config.backend(),
        "threads": {"tensorflow_intra_op": tf.config.threading.get_intra_op_parallelism_threads(),
                    "tensorflow_inter_op": tf.config.threading.get_inter_op_parallelism_threads(),
                    "litert_num_threads": threads},
        "versions": {"zoo": zoo.__version__, **versions},
    }


# --- Report. ---

def _f(value, digits=2, sign=False):
    if value is None:
        return "n/a"
    return f"{value:+.{digits}f}" if sign else f"{value:.{digits}f}"


def _params(n):
    return f"{n / 1e6:.2f}M" if n >= 1e6 else f"{n / 1e3:.1f}K"


def _per_image(scores, names):
    return " / ".join(f"{scores[n]['psnr']:.2f}" for n in names)


def to_markdown(results):
    env, presets, baselines = results["environment"], results["presets"], results["baselines"]
    names = results["images"]
    per = " / ".join(names)
    v = env["versions"]
    lines = ["# Restoration benchmark: presets vs classical baselines", "",
             f"{env['date']} · {env['cpu_model']} ({env['cpu_count']} CPUs, load "
             f"{env['load_average_at_start'][0]} at start, {env['load_average_at_end'][0]} at "
             f"end) · Keras {v.get('keras')} ({env['backend']}) · TensorFlow "
             f"{v.get('tensorflow')} · ai-edge-litert {v.get('ai-edge-litert')}", ""]
    if results["quick"]:
        lines += ["**Quick run**: fewer timing repeats; the quality numbers are the full "
                  "protocol.", ""]
    lines += [
        f"| task | preset | params | condition | PSNR mean ({per}) | SSIM mean | baseline "
        f"(same run) | baseline PSNR mean ({per}) | margin, min over images (goal) | goal "
        f"| margin with ×8 self-ensemble | int8 loss, worst image (≤ {INT8_GOAL_DB}) (int8 / fp32 file) | Keras ms/MP | LiteRT fp32 ms/MP |",
        "|---|---|---:|---|---|---:|---|---|---:|---|---:|---:|---:|---:|"]
    for name, r in presets.items():
        if "error" in r:
            lines.append(f"| {r.get('task', '?')} | `{name}` | | | **failed**: "
                         f"{r['error'][:120]} | | | | | | | | | |")
            continue
        speed = r["speed"]["ms_per_megapixel"]
        for condition, row in r["conditions"].items():
            q = row["quality"]["keras_fp32"]
            base = baselines[condition]
            ssim = np.mean([q[n]["ssim"] for n in names])
            if base["scores"]:
                b = base["scores"]
                b_mean = np.mean([b[n]["psnr"] for n in names])
                b_txt = f"{b_mean:.2f} ({_per_image(b, names)})"
            else:
                b_txt = "see denoise table"
            met = {True: "met", False: "**NOT met**", None: "n/a"}[row["goal_met"]]
            task = r["task"].replace("super_resolution", f"SR ×{r['scale']}")
            lines.append(
                f"| {task} | `{name}` | {_params(r['params'])} | {row['label']} | "
                f"{q['mean_psnr']:.2f} ({_per_image(q, names)}) | "
                f"{ssim:.4f} | {base['method']} | {b_txt} | "
                f"{_f(row['min_margin_db'], sign=True)} (+{row['goal_db']}) | {met} | "
                f"{_f(row.get('self_ensemble_min_margin_db'), sign=True)} | "
                f"{row['int8_worst_loss_db']:.3f} "
                f"{'met' if row['int8_goal_met'] else '**NOT met**'} "
                f"({_mb(r['tflite_bytes']['int8'])} / {_mb(r['tflite_bytes']['fp32'])}) | "
                f"{speed['keras_fp32']:.0f} | {speed['litert_fp32']:.0f} |")
    th = env["threads"]
    lines += [
        "",
        f"PSNR in dB on the val split (camera is grayscale), with the protocols of "
        f"`zoo.metrics.restoration_protocols` (SR: Y channel, border = scale). Margin = "
        f"preset (Keras fp32) minus the baseline on each image; the goal must hold on every "
        f"image (deblur: on both kernels); with ×8 self-ensemble: the same, Keras "
        f"`restore(..., self_ensemble=True)` (8 flips/rotations averaged, 8× the time). int8 loss = LiteRT fp32 minus LiteRT "
        f"dynamic-range int8 PSNR on the same protocol; the int8 file is "
        f"`zoo.export(model, path, quantize=\"dynamic_int8\")`: int8 weights everywhere "
        f"but the output layer (`float_layers` default; `inpaint_unet`: int8 only in its "
        f"lowest-resolution layers, its backbone's `int8_float_layers`), its size vs fp32 "
        f"in brackets.",
        f"Timings: CPU ms per output megapixel on one protocol input per preset (output "
        f"{SPEED_SIZE}×{SPEED_SIZE}, a centre crop of coffee), median of "
        f"{results['timing_repeats']} runs after a warm-up; Keras `predict_on_batch` on the "
        f"TensorFlow backend (intra-op threads {th['tensorflow_intra_op'] or 'default'}), "
        f"LiteRT fp32 with `num_threads={th['litert_num_threads']}`. **Taken on a loaded "
        f"{env['cpu_count']}-core machine shared with other jobs** (load average "
        f"{env['load_average_at_start'][0]} at start): read them as rough, relative numbers.",
    ]
    for rerun in results.get("reruns", []):
        e = rerun["environment"]
        lines.append(f"Rerun later for {', '.join(f'`{n}`' for n in rerun['presets'])}: "
                     f"{e.get('date', '')} (load average {e['load_average_at_start'][0]} at "
                     f"start), same protocol; its rows replace the earlier ones.")
    # Per image detail.
    lines += ["", "## Per image (PSNR dB / SSIM)", "",
              "| preset | condition | image | Keras fp32 | LiteRT fp32 | LiteRT int8 | baseline "
              "| margin | int8 loss |", "|---|---|---|---|---|---|---|---:|---:|"]
    for name, r in presets.items():
        for condition, row in r.get("conditions", {}).items():
            base = baselines[condition]["scores"]
            for n in names:
                cells = [f"{row['quality'][m][n]['psnr']:.2f} / {row['quality'][m][n]['ssim']:.4f}"
                         for m in ("keras_fp32", "litert_fp32", "litert_int8")]
                b = (f"{base[n]['psnr']:.2f} / {_f(base[n]['ssim'], 4)}" if base else "n/a")
                lines.append(f"| `{name}` | {row['label']} | {n} | " + " | ".join(cells) +
                             f" | {b} | {_f((row['margin_db'] or {}).get(n), sign=True)} | "
                             f"{row['int8_loss_db'][n]:+.3f} |")
    refs = [(c, b) for c, b in baselines.items() if b["reference"] and b["scores"]]
    if refs:
        lines += ["", "Baselines measured here vs splits.json `val_baselines`: " + "; ".join(
            f"{c}: " + ", ".join(f"{n} {b['scores'][n]['psnr']:.2f} vs {b['reference'][n]:.2f}"
                                 for n in names if n in b["reference"])
            for c, b in refs) + "."]
        if "inpaint_seed0" in baselines:
            lines[-1] += (" The splits.json Telea numbers were taken on other masks than "
                          "`protocol_masks(seed=0)`; the margin uses Telea on the same masks.")
    return "\n".join(lines) + "\n"


def merge_rerun(previous, rerun):
    """A `--presets` rerun replaces those presets' rows in the previous results.

    The other rows, and the environment of the run that made them, are kept;
    the rerun's environment is listed under "reruns" (and in the markdown).
    """
    merged = dict(previous)
    merged["presets"] = {**previous["presets"], **rerun["presets"]}
    merged["baselines"] = {**previous["baselines"], **rerun["baselines"]}
    merged["reruns"] = [
        *(r for r in previous.get("reruns", [])
          if not set(r["presets"]) <= set(rerun["presets"])),
        {"presets": sorted(rerun["presets"]), "environment": rerun["environment"]},
    ]
    return merged


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--presets", default=None,
                        help="comma-separated preset names (default: every restoration preset)")
    parser.add_argument("--quick", action="store_true",
                        help="fewer timing repeats; writes restoration_quick.* (git-ignored)")
    parser.add_argument("--threads", type=int, default=os.cpu_count(),
                        help="TensorFlow intra-op and LiteRT threads (default: all CPUs)")
    args = parser.parse_args(argv)
    repeats = 2 if args.quick else 5

    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    import keras

    if keras.config.backend() != "tensorflow":
        raise SystemExit("Run with KERAS_BACKEND=tensorflow: timings are of the TF backend.")
    import zoo
    from zoo.data import load_natural_images

    available = {n: m for n, m in zoo.list_presets().items() if m.get("task") in TASKS}
    if args.presets:
        wanted = [p.strip() for p in args.presets.split(",") if p.strip()]
        unknown = [p for p in wanted if p not in available]
        if unknown:
            raise SystemExit(f"Unknown or non-restoration presets {unknown}; "
                             f"restoration presets: {sorted(available)}")
        available = {n: available[n] for n in wanted}
    order = {t: i for i, t in enumerate(TASKS)}
    presets = dict(sorted(available.items(), key=lambda kv: (order[kv[1]["task"]], kv[0])))
    log(f"presets: {', '.join(presets)}")

    env = environment(args.threads)
    images = load_natural_images("val")
    bm3d_denoise = load_bm3d() if any(m["task"] == "denoise" for m in presets.values()) else None
    baselines, out = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, meta in presets.items():
            try:
                out[name] = benchmark_preset(name, meta, images, baselines, bm3d_denoise,
                                             args.threads, repeats, tmp)
            except Exception as error:  # keep the others: report it in the table
                log(f"{name}: FAILED {type(error).__name__}: {error}")
                out[name] = {"task": meta["task"], "error": f"{type(error).__name__}: {error}"}
    env["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    env["seconds"] = round(time.perf_counter() - T0, 1)
    results = {"environment": env, "quick": args.quick, "timing_repeats": repeats,
               "images": list(images), "goals_db": GOALS, "int8_goal_db": INT8_GOAL_DB,
               "baselines": baselines, "presets": out}
    stem = "restoration_quick" if args.quick else "restoration"
    if args.presets and (RESULTS_DIR / f"{stem}.json").is_file():
        results = merge_rerun(json.loads((RESULTS_DIR / f"{stem}.json").read_text()), results)
    markdown = to_markdown(results)
    # Whole files or none: a crash mid-write would leave a truncated JSON
    # that the next `--presets` rerun could not merge into.
    from zoo.atomic_file import atomic_write

    with atomic_write(RESULTS_DIR / f"{stem}.json", "w", encoding="utf-8") as f:
        f.write(json.dumps(results, indent=2) + "\n")
    with atomic_write(RESULTS_DIR / f"{stem}.md", "w", encoding="utf-8") as f:
        f.write(markdown)
    log(f"wrote {RESULTS_DIR / stem}.json and .md")
    print(markdown)


if __name__ == "__main__":
    main()
