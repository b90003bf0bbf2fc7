"""Denoising benchmark: a zoo preset vs BM3D, in Keras and exported to LiteRT.

Quality on the val split with the DESIGN.md protocol (`denoising_scores`) for
the noisy input, BM3D, the preset in Keras (fp32) and its LiteRT exports (fp32
and dynamic-range int8); speed on a square RGB crop of a val image at sigma 25.

    PYTHONPATH=. python benchmarks/denoise.py [--preset NAME] [--sigmas 15 25 50] [--quick]

Writes benchmarks/results/denoise.{json,md} (`--quick`: denoise_quick.*, sigma
25 only, a 128x128 speed crop) and prints the markdown.
"""

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import bm3d
import keras
import numpy as np
from ai_edge_litert.interpreter import Interpreter

import zoo
from zoo.atomic_file import atomic_write
from zoo.data import add_gaussian_noise, load_natural_images, load_val_baselines
from zoo.export import parity, run_exported
from zoo.metrics.restoration_protocols import denoising_scores
from zoo.presets import resolve_preset
from zoo.tasks.gray_noise_whitening import whiten_gray_noise

RESULTS_DIR = Path(__file__).resolve().parent / "results"
GOAL_MARGIN_DB = 0.3  # preset over BM3D at sigma 25, on every val image
GOAL_SPEEDUP = 20.0  # preset over BM3D on a 512x512 RGB image
SPEED_SIGMA = 25
REPEATS = 5
METHODS = ("noisy", "bm3d", "keras_fp32", "litert_fp32", "litert_int8")


# --- Denoisers: each maps a noisy float image (HxW or HxWx3) to an image. ---

def bm3d_denoise(noisy, sigma):
    """BM3D 4.x, default "np" profile; grayscale images stay 2-D."""
    if noisy.ndim == 2:
        return bm3d.bm3d(noisy, sigma_psd=sigma / 255)
    return bm3d.bm3d_rgb(noisy, sigma / 255)


def litert_denoiser(path, gray_inputs):
    """Runs a .tflite on the whole image; gray goes in as 3 channels and comes
    back averaged, as `ImageRestorer.restore` does with `gray_inputs`."""

    def restore(noisy):
        if noisy.ndim == 2:
            x = (whiten_gray_noise(noisy) if gray_inputs == "whiten_noise"
                 else np.repeat(noisy[..., None], 3, axis=-1))
        else:
            x = noisy
        y = run_exported(path, x[None])[0]
        return y.mean(axis=-1) if noisy.ndim == 2 else y

    return restore


def denoisers(model, tflite):
    """`{method: sigma -> restore}` for the methods compared."""
    return {
        "noisy": lambda sigma: lambda noisy: noisy,
        "bm3d": lambda sigma: lambda noisy: bm3d_denoise(noisy, sigma),
        "keras_fp32": lambda sigma: model.restore,
        "litert_fp32": lambda sigma: litert_denoiser(tflite["fp32"], model.gray_inputs),
        "litert_int8": lambda sigma: litert_denoiser(tflite["int8"], model.gray_inputs),
    }


# --- Part 1: quality. ---

def measure_quality(model, tflite, images, sigmas):
    """`{method: {f"sigma{s}": {image: {"psnr", "ssim"}, "mean_psnr"}}}`."""
    quality = {}
    for method, make in denoisers(model, tflite).items():
        quality[method] = {}
        for sigma in sigmas:  # BM3D needs sigma, so one protocol call per sigma
            print(f"  {method} sigma {sigma}", file=sys.stderr, flush=True)
            quality[method].update(denoising_scores(make(sigma), images, (sigma,)))
    return quality


def compare_quality(quality, names, sigmas):
    """Margins over BM3D, the int8 cost, and BM3D vs the splits.json reference."""
    psnr = {m: {s: {n: quality[m][s][n]["psnr"] for n in names} for s in quality[m]}
            for m in quality}

    def diff(a, b, sigma):
        return {n: round(psnr[a][sigma][n] - psnr[b][sigma][n], 3) for n in names}

    summary = {
        "margin_over_bm3d_db": {m: {s: diff(m, "bm3d", s) for s in psnr[m]}
                                for m in ("keras_fp32", "litert_fp32", "litert_int8")},
        "int8_cost_vs_litert_fp32_db": {s: diff("litert_fp32", "litert_int8", s)
                                        for s in psnr["litert_int8"]},
        "litert_fp32_minus_keras_db": {s: diff("litert_fp32", "keras_fp32", s)
                                       for s in psnr["keras_fp32"]},
    }
    if 25 in sigmas:
        reference = load_val_baselines()["denoise_sigma25_bm3d"]
        summary["bm3d_sigma25_reference"] = {
            n: {"reference": reference[n], "measured": psnr["bm3d"]["sigma25"][n],
                "delta": round(psnr["bm3d"]["sigma25"][n] - reference[n], 3)}
            for n in names if n in reference}
        margins = summary["margin_over_bm3d_db"]["keras_fp32"]["sigma25"]
        summary["goal_margin"] = {"goal_db": GOAL_MARGIN_DB, "worst_db": min(margins.values()),
                                  "met": min(margins.values()) >= GOAL_MARGIN_DB}
    return summary


# --- Part 2: speed. ---

def speed_image(images, size):
    """A `size`x`size` RGB crop of the largest colour val image (centre crop,
    reflect-padded where the image is smaller), noisy at SPEED_SIGMA."""
    name, image = max(((n, i) for n, i in images.items() if i.ndim == 3),
                      key=lambda item: item[1].shape[0] * item[1].shape[1])
    crops = []
    for side in image.shape[:2]:
        start = max(0, (side - size) // 2)
        crops.append((start, min(side, start + size)))
    (y0, y1), (x0, x1) = crops
    crop = image[y0:y1, x0:x1]
    crop = np.pad(crop, ((0, size - crop.shape[0]), (0, size - crop.shape[1]), (0, 0)),
                  mode="reflect")
    return name, add_gaussian_noise(crop, SPEED_SIGMA, seed=0)


def median_ms(fn, repeats=REPEATS):
    fn()  # warm-up (tracing, allocation)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def litert_runner(path, batch):
    """One interpreter (default threads), built once: times set/invoke/get."""
    interpreter = Interpreter(model_path=str(path))
    inp = interpreter.get_input_details()[0]
    out = interpreter.get_output_details()[0]
    interpreter.resize_tensor_input(inp["index"], batch.shape)
    interpreter.allocate_tensors()

    def run():
        interpreter.set_tensor(inp["index"], batch)
        interpreter.invoke()
        return interpreter.get_tensor(out["index"])

    return run


def measure_speed(model, tflite, images, size):
    name, noisy = speed_image(images, size)
    batch = noisy[None]
    start = time.perf_counter()
    bm3d_denoise(noisy, SPEED_SIGMA)
    ms = {"bm3d": 1000 * (time.perf_counter() - start)}  # one run: it is slow
    ms["keras_fp32"] = median_ms(lambda: model.restore(noisy))
    for kind, path in tflite.items():
        ms[f"litert_{kind}"] = median_ms(litert_runner(path, batch))
    megapixels = size * size / 1e6
    return {
        "image": f"{name}, {size}x{size} RGB crop, sigma {SPEED_SIGMA}",
        "repeats": f"BM3D once; others median of {REPEATS} after one warm-up",
        "ms": {m: round(v, 2) for m, v in ms.items()},
        "ms_per_megapixel": {m: round(v / megapixels, 2) for m, v in ms.items()},
        "speedup_over_bm3d": {m: round(ms["bm3d"] / v, 1) for m, v in ms.items() if m != "bm3d"},
        "goal_speedup": GOAL_SPEEDUP,
        "export_parity_max_abs_diff": {k: parity(model, p, batch) for k, p in tflite.items()},
    }


# --- Part 3: environment. ---

def environment(preset):
    try:
        cpu_model = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                         if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu_model = None
    versions = {}
    for package in ("keras", "keras-hub", "tensorflow", "numpy", "bm3d", "ai-edge-litert"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = None
    meta_path = Path(resolve_preset(preset)) / "metadata.json"
    meta = json.loads(meta_path.read_text()) if meta_path.is_file() else {}
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "processor": platform.processor(),
        "cpu_model": cpu_model,
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "backend": keras.config.backend(),
        "versions": {"zoo": zoo.__version__, **versions},
        "preset": {"name": preset, **{k: meta.get(k) for k in
                   ("date_saved", "steps", "hardware", "backend", "params")}},
    }


# --- Report. ---

def to_markdown(results):
    q, cmp, speed, env = (results[k] for k in ("quality", "comparison", "speed", "environment"))
    sigmas = list(q["bm3d"])
    main = "sigma25" if "sigma25" in sigmas else sigmas[0]
    names = [n for n in q["bm3d"][main] if n != "mean_psnr"]
    versions = env["versions"]
    lines = [f"# Denoising benchmark: `{env['preset']['name']}` vs BM3D", "",
             f"{env['date']} · {env['cpu_model'] or env['processor']} ({env['cpu_count']} "
             f"CPUs, load {env['load_average_at_start'][0]}) · Keras {versions['keras']} "
             f"({env['backend']}) · bm3d {versions['bm3d']} · "
             f"ai-edge-litert {versions['ai-edge-litert']}", ""]
    if results["quick"]:
        lines += ["**Quick run (smoke test)**: the goals are judged on the full run.", ""]
    lines += [f"## Val split, {main.replace('sigma', 'sigma ')} (PSNR dB / SSIM)", "",
              "| image | method | PSNR | SSIM | vs BM3D |", "|---|---|---:|---:|---:|"]
    for name in names:
        for m in METHODS:
            score = q[m][main][name]
            delta = score["psnr"] - q["bm3d"][main][name]["psnr"]
            lines.append(f"| {name} | {m} | {score['psnr']:.2f} | {score['ssim']:.4f} | "
                         f"{'' if m == 'bm3d' else f'{delta:+.2f}'} |")
    if "goal_margin" in cmp:
        ref = cmp["bm3d_sigma25_reference"]
        goal = cmp["goal_margin"]
        lines += ["", "BM3D measured vs reference (splits.json): " + ", ".join(
                      f"{n} {r['measured']:.2f} vs {r['reference']:.2f} ({r['delta']:+.2f})"
                      for n, r in ref.items()) + ".",
                  f"Goal, preset >= BM3D + {goal['goal_db']} dB on every image: worst "
                  f"{goal['worst_db']:+.2f} dB, **{'met' if goal['met'] else 'not met'}**."]
    cost = cmp["int8_cost_vs_litert_fp32_db"]
    lines += ["", "## Mean PSNR per sigma (dB)", "",
              "| method | " + " | ".join(s.replace("sigma", "sigma ") for s in sigmas) + " |",
              "|---|" + "---:|" * len(sigmas)]
    lines += [f"| {m} | " + " | ".join(f"{q[m][s]['mean_psnr']:.2f}" for s in sigmas) + " |"
              for m in METHODS]
    lines += ["| keras worst margin over BM3D | " + " | ".join(
                  f"{min(cmp['margin_over_bm3d_db']['keras_fp32'][s].values()):+.2f}"
                  for s in sigmas) + " |",
              "| int8 cost vs LiteRT fp32 (worst image) | " + " | ".join(
                  f"{max(cost[s].values()):.3f}" for s in sigmas) + " |"]
    lines += ["", f"## Speed: {speed['image']}", "", speed["repeats"] + "; LiteRT with "
              "one interpreter, default threads.", "",
              "| method | ms | ms / megapixel | speedup vs BM3D |", "|---|---:|---:|---:|"]
    for m, ms in speed["ms"].items():
        up = speed["speedup_over_bm3d"].get(m)
        lines.append(f"| {m} | {ms:.1f} | {speed['ms_per_megapixel'][m]:.1f} | "
                     f"{'' if up is None else f'{up:.1f}x'} |")
    lines += ["", f"Goal, >= {speed['goal_speedup']:.0f}x faster than BM3D: " + ", ".join(
                  f"{m} {'met' if up >= speed['goal_speedup'] else 'not met'}"
                  for m, up in speed["speedup_over_bm3d"].items()) + ". LiteRT vs Keras "
              "max abs diff: " + ", ".join(f"{k} {v:.1e}" for k, v in
                                           speed["export_parity_max_abs_diff"].items()) + "."]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--preset", default="dncnn_color_blind")
    parser.add_argument("--sigmas", type=int, nargs="+", default=[15, 25, 50])
    parser.add_argument("--quick", action="store_true",
                        help="sigma 25 only and a 128x128 speed crop (smoke test)")
    args = parser.parse_args(argv)
    sigmas, size = ([25], 128) if args.quick else (args.sigmas, 512)

    env = environment(args.preset)
    model = zoo.from_preset(args.preset)
    images = load_natural_images("val")
    with tempfile.TemporaryDirectory() as tmp:
        tflite = {"fp32": zoo.export(model, Path(tmp) / "fp32.tflite"),
                  "int8": zoo.export(model, Path(tmp) / "int8.tflite",
                                     quantize="dynamic_int8")}
        print("quality...", file=sys.stderr)
        quality = measure_quality(model, tflite, images, sigmas)
        print("speed...", file=sys.stderr)
        speed = measure_speed(model, tflite, images, size)
        sizes = {k: os.path.getsize(p) for k, p in tflite.items()}
    results = {"environment": env, "quick": args.quick, "tflite_bytes": sizes,
               "quality": quality, "comparison": compare_quality(quality, list(images), sigmas),
               "speed": speed}
    markdown = to_markdown(results)
    stem = "denoise_quick" if args.quick else "denoise"
    # Whole files or none: a crash mid-write would leave a truncated JSON
    # that the next `--presets` rerun could not merge into.
    with atomic_write(RESULTS_DIR / f"{stem}.json", "w", encoding="utf-8") as f:
        f.write(json.dumps(results, indent=2) + "\n")
    with atomic_write(RESULTS_DIR / f"{stem}.md", "w", encoding="utf-8") as f:
        f.write(markdown)
    print(markdown)


if __name__ == "__main__":
    main()
