"""Text-to-image benchmark: the shapes judge on fresh prompts, per preset.

For each text_to_image preset (the embedded ones, or `--presets` names or
directories), `zoo.metrics.text_to_image_scores` generates one image per
prompt for 500 fresh grammar prompts with seen colour-shape pairs, 500 that
name a held-out pair and, for a MiniLM-conditioned preset, 200 paraphrases
in wordings the caption templates never use; the judge scores each. Also
the diversity across seeds against real renders, the judge on real
renders (its ceiling) and its speed. Goals (issue 4): seen >= 95%,
held-out >= 80%, paraphrase >= 85%. A second table reports each preset's text encoder on
`zoo.metrics.paraphrase_word_agreement`: how many paraphrase words its
sentence vectors put nearest their meaning, which roughly bounds what a
generator trained on the grammar can make of the paraphrases. It is read
three ways: the pooled sentence vector (what the generators see), the same
centred on the mean of the sentences compared (what a learnt linear head
could undo), and the mean token state of the words that differ between
those sentences (the word in context, what cross-attention would see).

    PYTHONPATH=. python benchmarks/text_to_image.py [--presets a,dir] [--num-prompts N]

Writes benchmarks/results/text_to_image.{json,md} (`--num-prompts` other
than 500: text_to_image_quick.*, which git ignores) and prints the markdown.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402

import zoo  # noqa: E402
from zoo.atomic_file import atomic_write  # noqa: E402
from zoo.metrics import paraphrase_word_agreement, text_to_image_scores  # noqa: E402
from zoo.data.captioned_shapes import SHAPES  # noqa: E402
from zoo.data import CaptionedShapes  # noqa: E402
from zoo.metrics.shapes_judge import ERRORS, judge_batch  # noqa: E402
from zoo.text import MiniLMEncoder  # noqa: E402

RESULTS_DIR = Path(__file__).resolve().parent / "results"
GOALS = {"seen": 0.95, "held_out": 0.80, "paraphrase": 0.85}


def score_preset(handle, num_prompts):
    gan = zoo.from_preset(handle)
    minilm = isinstance(gan.text_encoder, MiniLMEncoder)
    scores = text_to_image_scores(gan.generate, num_prompts=num_prompts, paraphrases=minilm)
    readings = {name: paraphrase_word_agreement(lambda texts, read=read: read(gan, texts))
                for name, read in ENCODER_READINGS.items()}
    return {
        "params": int(gan.generator.count_params()),
        "encoder": "MiniLM (frozen)" if minilm else type(gan.text_encoder).__name__,
        **scores,
        "word_agreement": readings,
    }


def _pooled(gan, texts):
    return keras.ops.convert_to_numpy(gan.text_encoder(gan.tokenizer(texts))["pooled"])


def _centred(gan, texts):
    vectors = _pooled(gan, texts)
    vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors - vectors.mean(axis=0)


def _word_tokens(gan, texts):
    # `paraphrase_word_agreement` passes one carrier sentence filled with
    # each word: the tokens every sentence shares are the carrier's.
    tokens = gan.tokenizer(texts)
    states = keras.ops.convert_to_numpy(gan.text_encoder(tokens)["token_states"])
    ids = keras.ops.convert_to_numpy(tokens["token_ids"])
    mask = keras.ops.convert_to_numpy(tokens["padding_mask"]).astype(bool)
    shared = set.intersection(*(set(row[keep].tolist()) for row, keep in zip(ids, mask)))
    words = mask & ~np.isin(ids, list(shared))
    return np.stack([s[w].mean(axis=0) for s, w in zip(states, words)])


ENCODER_READINGS = {"pooled": _pooled, "centred": _centred, "word tokens": _word_tokens}


def judge_speed(num_images=1000):
    """Images a second the shapes judge scores (real renders, one process)."""
    images, _, specs = CaptionedShapes(seed=2, held_out="include").sample(num_images)
    start = time.perf_counter()
    judge_batch(images, specs)
    return round(num_images / (time.perf_counter() - start))


def to_markdown(results):
    lines = [
        "# Text-to-image benchmark: the shapes judge on fresh prompts",
        "",
        f"{results['date']} · {results['machine']} · Keras backend {results['backend']}",
        "",
        *(f"Rerun {r['date']} · {r['machine']} · Keras backend {r['backend']}: "
          f"{', '.join(r['presets'])}.\n" for r in results.get("reruns", [])),
        f"The judge scores {results['judge_images_per_second']:,} images a second here.",
        "",
    ]
    if not results["presets"]:
        lines.append("No text_to_image preset is embedded yet: nothing to score.")
        return "\n".join(lines) + "\n"
    lines += [
        "| preset | encoder | generator params | seen (≥ 95%) | held-out pairs (≥ 80%) "
        "| paraphrases (≥ 85%) | diversity, generated / real | judge on real renders |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in results["presets"].items():
        def cell(key):
            if key not in r:
                return "n/a"
            met = "met" if r[key] >= GOALS[key] else "**NOT met**"
            return f"{100 * r[key]:.1f}% {met}"

        lines.append(
            f"| `{name}` | {r['encoder']} | {r['params']:,} | {cell('seen')} | "
            f"{cell('held_out')} | {cell('paraphrase')} | "
            f"{r['diversity']['generated']:.3f} / {r['diversity']['real']:.3f} | "
            f"{100 * r['judge_on_real']:.1f}% |"
        )
    lines += [
        "", f"Protocol: {next(iter(results['presets'].values()))['protocol']}.", "",
        "What the judge found wrong (`zoo.metrics.error_rates`: share of the prompts; "
        "\"missing object\": fewer objects than the prompt names (two drawn touching "
        "segment as one; a blank image has none); "
        "one image can fail in several ways):", "",
        "| preset | prompts | " + " | ".join(ERRORS) + " |",
        "|---|---|" + "---:|" * len(ERRORS),
    ]
    for name, r in results["presets"].items():
        for prompt_set, rates in r.get("errors", {}).items():
            cells = " | ".join(f"{100 * rates[e]:.1f}%" for e in ERRORS)
            lines.append(f"| `{name}` | {prompt_set.replace('_', '-')} | {cells} |")
    lines += [
        "", "Which shape was drawn for each shape the prompt names "
        "(`zoo.metrics.shape_confusion`, over the objects of images with the right count):", "",
        "| preset | prompts | shape named | objects | " + " | ".join(
            f"drawn as {s}" for s in SHAPES) + " |",
        "|---|---|---|---:|" + "---:|" * len(SHAPES),
    ]
    for name, r in results["presets"].items():
        for prompt_set, confusion in r.get("shape_confusion", {}).items():
            for named, drawn in confusion.items():
                cells = " | ".join(f"{100 * drawn[s]:.1f}%" for s in SHAPES)
                lines.append(f"| `{name}` | {prompt_set.replace('_', '-')} | {named} | "
                             f"{drawn['objects']} | {cells} |")
    lines += [
        "",
        "Text encoder, `zoo.metrics.paraphrase_word_agreement` (each paraphrase word in a "
        "carrier sentence, nearest grammar word by cosine), read as the pooled sentence "
        "vector (what the generators see), that vector centred on the compared sentences' "
        "mean, and the mean token state of the word itself:", "",
        "| preset | encoder, reading | colour | shape | size | position | relation | all words "
        "| paraphrase prompts with every word understood | misread |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, r in results["presets"].items():
        for reading, w in r["word_agreement"].items():
            cells = " | ".join(f"{100 * w[k]:.0f}%" for k in (
                "color", "shape", "size", "position", "relation", "words", "prompts"))
            lines.append(f"| `{name}` | {r['encoder']}, {reading} | {cells} | "
                         f"{', '.join(w['misses'])} |")
    return "\n".join(lines) + "\n"


def merge_rerun(previous, rerun):
    """A `--presets` rerun replaces those presets' rows and keeps the others
    (with the run that made them); the rerun is listed under "reruns"."""
    run = {k: rerun[k] for k in ("date", "machine", "backend")}
    return {
        **previous,
        "presets": {**previous["presets"], **rerun["presets"]},
        "reruns": [
            *(r for r in previous.get("reruns", []) if not set(r["presets"]) <= set(rerun["presets"])),
            {**run, "presets": sorted(rerun["presets"])},
        ],
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", default=None,
                        help="comma-separated preset names or directories (default: embedded)")
    parser.add_argument("--num-prompts", type=int, default=500)
    args = parser.parse_args(argv)
    handles = (args.presets.split(",") if args.presets
               else sorted(zoo.list_presets(task="text_to_image")))
    results = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{platform.processor() or platform.machine()} ({os.cpu_count()} CPUs)",
        "backend": os.environ["KERAS_BACKEND"],
        "num_prompts": args.num_prompts,
        "judge_images_per_second": judge_speed(),
        "presets": {},
    }
    for handle in handles:
        print(f"scoring {handle} ...", flush=True)
        results["presets"][Path(handle).name] = score_preset(handle, args.num_prompts)
    stem = "text_to_image" if args.num_prompts == 500 else "text_to_image_quick"
    if args.presets and (RESULTS_DIR / f"{stem}.json").is_file():
        results = merge_rerun(json.loads((RESULTS_DIR / f"{stem}.json").read_text()), results)
    markdown = to_markdown(results)
    # Whole files or none: a crash mid-write would leave a truncated JSON
    # that the next `--presets` rerun could not merge into.
    with atomic_write(RESULTS_DIR / f"{stem}.json", "w", encoding="utf-8") as f:
        f.write(json.dumps(results, indent=2) + "\n")
    with atomic_write(RESULTS_DIR / f"{stem}.md", "w", encoding="utf-8") as f:
        f.write(markdown)
    print(markdown)


if __name__ == "__main__":
    main()
