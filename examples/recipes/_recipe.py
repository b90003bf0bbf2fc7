"""What every recipe shares: its command line, a time-boxed fit, the save.

A recipe builds its model and batches, then calls `parse_args`, `fit_in_budget`
and `save` from here, so all of them take the same flags (`--steps auto
--time-budget S --max-minutes M --mixed-precision --output DIR --hardware`,
`--resume PRESET` to continue a saved preset, `--loss l1|l2`) and write the
same metadata fields (steps, hardware, backend, exact command; a resumed
preset's history before its own).
"""

import argparse
import json
import os
import platform
import sys
import tempfile
import time

import keras

import zoo
from zoo.cli import positive_int
from zoo.presets import resolve_preset
from zoo.training import StopAfter, measure_steps_per_second

STEPS_PER_EPOCH = 500
LOSSES = {"l1": keras.losses.MeanAbsoluteError, "l2": keras.losses.MeanSquaredError}


def parse_args(preset, doc, *, batch_size, patch_size, learning_rate, extra=None):
    """The shared flags with this recipe's defaults; `extra(parser)` adds more."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--steps", default="auto",
                        type=lambda text: text if text == "auto" else positive_int(text),
                        help="training steps, or 'auto' to fill --time-budget")
    parser.add_argument("--time-budget", type=float, default=420.0,
                        help="seconds of training when --steps auto")
    parser.add_argument("--batch-size", type=positive_int, default=batch_size)
    parser.add_argument("--patch-size", type=positive_int, default=patch_size)
    parser.add_argument("--learning-rate", type=float, default=learning_rate)
    parser.add_argument("--mixed-precision", action="store_true",
                        help="train in mixed_bfloat16 (GPU); saved in float32")
    parser.add_argument("--output", default=os.path.join("presets", preset))
    parser.add_argument("--hardware", default=None,
                        help="what trained it, for metadata (default: guessed)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-minutes", type=float, default=None,
                        help="wall-clock cap: stop early (metadata records the steps done)")
    parser.add_argument("--trained", default=None,
                        help="skip training: evaluate and save the weights of this preset "
                             "dir (a run cut off after training); give --steps and "
                             "--train-seconds from its log")
    parser.add_argument("--train-seconds", type=float, default=None,
                        help="with --trained: the seconds its training took")
    parser.add_argument("--train-backend", default=None,
                        help="with --trained: the Keras backend it trained on")
    parser.add_argument("--resume", default=None,
                        help="start from this preset's weights rather than from scratch "
                             "(e.g. fine-tune a GPU-trained preset further); the metadata "
                             "adds up the steps and keeps every sitting's command, backend, "
                             "seconds and machine")
    parser.add_argument("--loss", choices=sorted(LOSSES), default="l1",
                        help="l1 (default) or l2; l2 regresses to the mean where the input "
                             "is ambiguous (aliased texture), which PSNR rewards")
    if extra is not None:
        extra(parser)
    args = parser.parse_args()
    keras.utils.set_random_seed(args.seed)
    if args.mixed_precision:
        keras.config.set_dtype_policy("mixed_bfloat16")
    return args


def fit_in_budget(build, batches, args, probe_steps=30):
    """Builds a fresh model and trains it: `--loss`, Adam with cosine decay.

    With `--resume PRESET` the model starts from that preset's weights. With
    `--steps auto`, a throwaway model first measures steps per second so
    the run fills `--time-budget`; `--max-minutes` stops it regardless.
    `batches` is a PyDataset with a settable `steps_per_epoch`. Returns the
    trained model, the steps done and the seconds spent in `fit`.
    """
    if args.trained:
        if args.steps == "auto" or args.train_seconds is None:
            raise SystemExit("--trained needs --steps and --train-seconds from its log.")
        keras.config.set_dtype_policy("float32")
        return zoo.from_preset(args.trained), int(args.steps), args.train_seconds
    if args.steps == "auto":
        probe = build()
        probe.compile(loss=LOSSES[args.loss](), jit_compile="auto")
        rate = measure_steps_per_second(probe, batches, probe_steps=probe_steps)
        del probe
        steps = max(STEPS_PER_EPOCH,
                    int(rate * args.time_budget) // STEPS_PER_EPOCH * STEPS_PER_EPOCH)
        print(f"{rate:.1f} steps/s -> {steps} steps", flush=True)
    else:
        steps = int(args.steps)
    # Whole epochs that add up to exactly `steps`.
    epochs = max(1, round(steps / STEPS_PER_EPOCH))
    steps = steps // epochs * epochs
    batches.steps_per_epoch = steps // epochs
    keras.utils.set_random_seed(args.seed)
    model = build()
    if args.resume:
        load_preset_weights(model, args.resume)
    schedule = keras.optimizers.schedules.CosineDecay(
        args.learning_rate, decay_steps=steps, alpha=0.01
    )
    # Inpainters weigh the hole inside their own compute_loss.
    model.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss=LOSSES[args.loss](),
        jit_compile="auto",
    )
    callbacks = [StopAfter(args.max_minutes * 60)] if args.max_minutes else []
    start = time.perf_counter()
    model.fit(batches, epochs=epochs, verbose=2, callbacks=callbacks)
    seconds = time.perf_counter() - start
    done = int(keras.ops.convert_to_numpy(model.optimizer.iterations))
    keras.config.set_dtype_policy("float32")
    return model, done, seconds


def load_preset_weights(model, preset):
    """Copies the weights of the saved preset `preset` into `model`.

    `model` is built by the recipe, so it follows the current dtype policy
    (a preset saved in float32 resumes in mixed_bfloat16 on a GPU).
    """
    saved = zoo.from_preset(preset)
    try:
        model.set_weights(saved.get_weights())
    except ValueError as error:
        raise SystemExit(
            f"--resume {preset}: its weights do not fit this recipe's model "
            f"(another architecture or size?): {error}"
        ) from None


def save_float32(model, args, task):
    """Saves the trained weights as a float32 preset and loads it back.

    In a temporary folder: `args.output` may be the resumed preset, whose
    history `save` still has to read.
    """
    with tempfile.TemporaryDirectory() as tmp:
        return zoo.from_preset(zoo.save_preset(model, os.path.join(tmp, "preset"), task=task))


def save(model, args, preset, task, *, steps, seconds, **metadata):
    """Writes the final preset with the shared metadata fields filled in.

    A `--resume` sitting adds to the resumed preset's history: steps,
    command, backend, and hardware and data where they changed.
    """
    hardware = args.hardware or f"{platform.processor() or platform.machine()} CPU"
    precision = " mixed_bfloat16" if args.mixed_precision else ""
    loss = "" if args.loss == "l1" else f", {args.loss} loss"
    command = " ".join(["python", f"examples/recipes/{preset}.py", *sys.argv[1:]])
    backend = (f"{args.train_backend or keras.config.backend()}{precision}, "
               f"{seconds:.0f} s of training{loss}")
    if args.resume:
        # Each sitting's command, backend and hardware, in order: the first
        # command rebuilds the start, the later ones continue it.
        with open(os.path.join(resolve_preset(args.resume), "metadata.json")) as f:
            previous = json.load(f)
        # A preset made elsewhere may not say how: keep what it does say.
        unknown = f"(not recorded in {args.resume})"
        steps += int(previous.get("steps", 0))
        command = f"{previous.get('command', unknown)} && {command}"
        backend = f"{previous.get('backend', unknown)}; then {backend}"
        earlier = previous.get("hardware", unknown)
        # A machine is listed again only when it changed since the last sitting.
        same = earlier.split("; then ")[-1] == hardware
        hardware = earlier if same else f"{earlier}; then {hardware}"
        # A sitting on other data (another patch size, say) says so too.
        data = metadata.get("data")
        if data is not None and previous.get("data", data) != data:
            metadata["data"] = f"{previous['data']}; then {data}"
    return zoo.save_preset(
        model,
        args.output,
        task=task,
        recipe=f"examples/recipes/{preset}.py",
        command=command,
        steps=steps,
        hardware=hardware,
        backend=backend,
        **metadata,
    )
