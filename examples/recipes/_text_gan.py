"""The training loop shared by the text-to-image GAN recipes (`text_gan_*.py`).

Two stages, because the GPU machine that trains has no TensorFlow and no
MiniLM package:

1. `train`: renders a pool of captioned-shape scenes (training grammar, the
   held-out colour-shape pairs never appear), several renders per scene,
   and fits a `TextGANTextToImage` for a time budget, keeping an EMA of the
   generator. With the MiniLM encoder the frozen sentence vectors of the
   pool's captions come from `--text-cache` (made here by `cache-text`), so
   the device needs neither MiniLM's weights nor its package. Writes the
   networks' weights and `train.json`.
2. `assemble`: builds the real preset (tokenizer + encoder + the trained
   networks), scores it with `zoo.metrics.text_to_image_scores` (the shapes
   judge on fresh prompts) and saves it with its metadata.

Without a GPU both stages run back to back: `--stage all` (the default).
"""

import argparse
import itertools
import json
import os
import platform
import re
import shlex
import shutil
import sys
import tempfile
import time
import warnings

import h5py
import keras
import numpy as np

import zoo
from zoo.cli import positive_int
from zoo.data.captioned_shapes import caption, parse_caption, render, sample_scene
from zoo.data.shape_attributes import ATTRIBUTE_CLASSES, attribute_labels
from zoo.data.shape_negatives import render_misshapen, render_touching
from zoo.training import GeneratorEMA, StopAfter


def parse_args(preset, doc, encoder):
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--stage", choices=("all", "cache-text", "train", "assemble"),
                        default="all")
    parser.add_argument("--time-budget", type=float, default=600.0,
                        help="seconds of adversarial training")
    parser.add_argument("--steps", type=positive_int, default=None,
                        help="train exactly this many steps instead of --time-budget")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--scenes", type=int, default=8192,
                        help="distinct training scenes (one caption each)")
    parser.add_argument("--renders", type=int, default=8,
                        help="renders per scene (layouts and colour jitter differ)")
    parser.add_argument("--width", type=int, default=24,
                        help="generator and discriminator width (24: ~2.4M + 1.4M params)")
    parser.add_argument("--attribute-weight", type=float, default=1.0,
                        help="weight of the auxiliary-classifier term on the captions' "
                             "attributes (0: no attribute heads)")
    parser.add_argument("--negative-weight", type=float, default=0.0,
                        help="weight of the negative-data term: the pool's two-object "
                             "scenes also rendered touching, shown to the discriminator "
                             "as fake (0, the default, as in the sittings before it "
                             "existed: none)")
    parser.add_argument("--negatives", default="touching",
                        help="comma-separated kinds of negatives for --negative-weight: "
                             "touching (two objects as one blob), shape (an object morphed "
                             "toward another shape)")
    parser.add_argument("--text-noise", type=float, default=0.0,
                        help="std of Gaussian noise on the generator's text vector while "
                             "training (conditioning augmentation; 0: none)")
    parser.add_argument("--diversity-weight", type=float, default=0.0,
                        help="weight of the mode-seeking term against a generator that "
                             "ignores its noise (0: none)")
    parser.add_argument("--coordinates", action="store_true",
                        help="give the generator's blocks coordinate biases (CoordConv); "
                             "a run without them resumes into them")
    parser.add_argument("--generator-multipliers", default=None, metavar="M,M,...",
                        help="the generator's channels per stage in units of --width "
                             "(default 8,8,4,2,1); a run with fewer channels resumes into "
                             "more, drawing the same images at first")
    parser.add_argument("--learning-rate-scale", type=float, default=1.0,
                        help="multiplies both players' learning rates (the task's defaults: "
                             "generator 1e-4, discriminator 4e-4); below 1 anneals a "
                             "resumed run")
    parser.add_argument("--mixed-precision", action="store_true")
    parser.add_argument("--jit-compile", choices=("true", "false", "auto"), default=None,
                        help="XLA for the training step (default: true, but auto on torch)")
    parser.add_argument("--run-eagerly", action="store_true",
                        help="no graph for the training step: starts at once but each "
                             "step is slow (for debugging and few-step checks)")
    parser.add_argument("--text-cache", default=os.path.join(".gpu", f"{preset}_text.npz"))
    parser.add_argument("--trained", default=os.path.join("/tmp", f"{preset}_trained"),
                        help="where `train` writes and `assemble` reads the weights")
    parser.add_argument("--resume", default=None, metavar="DIR",
                        help="`train` continues from what DIR holds: the output of a "
                             "`train` stage, or a saved preset such as presets/text_gan_tiny "
                             "(optimizer moments start afresh; attribute heads the run "
                             "in DIR lacked start fresh)")
    parser.add_argument("--output", default=os.path.join("presets", preset))
    parser.add_argument("--hardware", default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    args.encoder = encoder
    if args.generator_multipliers is not None:
        try:
            args.generator_multipliers = tuple(
                int(m) for m in args.generator_multipliers.split(","))
        except ValueError:
            parser.error("--generator-multipliers takes integers separated by commas, "
                         f"e.g. 8,8,4,2,3. Received: {args.generator_multipliers!r}")
    return args


def scene_pool(num_scenes, renders, seed):
    """`num_scenes` training scenes, one caption each, `renders` images each.

    Returns the images, each image's caption, the scenes' captions and the
    scenes.
    """
    rng = np.random.default_rng((seed, 7))
    scenes = [sample_scene(rng, held_out="exclude") for _ in range(num_scenes)]
    captions = [caption(scene, rng) for scene in scenes]
    images = np.empty((num_scenes * renders, 64, 64, 3), np.uint8)
    for i, scene in enumerate(scenes):
        for k in range(renders):
            images[i * renders + k] = render(scene, rng)
    return images, [c for c in captions for _ in range(renders)], captions, scenes


NEGATIVE_KINDS = {"touching": render_touching, "shape": render_misshapen}


def negative_pool(scenes, renders, seed, kinds=("touching",)):
    """Per pool row (`renders` per scene), a negative of its scene: the
    negative-data term's fakes. `kinds` from `NEGATIVE_KINDS`: "touching"
    (two-object scenes only: the objects drawn as one blob) and "shape" (one
    object morphed toward another shape); a row whose scene several kinds
    fit draws one of them at random. Rows no kind fits stay black, mask 0.
    """
    unknown = set(kinds) - set(NEGATIVE_KINDS)
    if not kinds or unknown:
        raise ValueError(f"`kinds` must be among {sorted(NEGATIVE_KINDS)}. Received: {kinds}")
    rng = np.random.default_rng((seed, 8))
    pick = np.random.default_rng((seed, 9))
    negatives = np.zeros((len(scenes) * renders, 64, 64, 3), np.uint8)
    mask = np.zeros(len(scenes) * renders, np.float32)
    for i, scene in enumerate(scenes):
        fitting = [k for k in kinds if k != "touching" or scene.relation is not None]
        for k in range(renders if fitting else 0):
            # A draw only where there is a choice: the shipped preset's pool
            # was drawn so, and a replay draws the same negatives.
            kind = fitting[int(pick.integers(len(fitting)))] if len(fitting) > 1 else fitting[0]
            negatives[i * renders + k] = NEGATIVE_KINDS[kind](scene, rng)
            mask[i * renders + k] = 1.0
    return negatives, mask


class PoolBatches(keras.utils.PyDataset):
    """Shuffled batches of the pool, tokenized (and labelled) once up front.

    Tokenizing every batch in the training loop (pure Python when
    tensorflow-text is absent) starved the GPU: 300 ms a step. With
    `labels`, each batch also carries the captions' `attribute_labels`; with
    `negatives` (`negative_pool`'s images and mask), the rows' negatives.
    """

    def __init__(self, images, captions, tokenizer, batch_size, seed, labels=False,
                 negatives=None):
        super().__init__()
        self.negatives = negatives
        unique = sorted(set(captions))
        tokens = tokenizer(unique)
        row = {c: i for i, c in enumerate(unique)}
        rows = np.array([row[c] for c in captions])
        self.token_ids = tokens["token_ids"][rows]
        self.padding_mask = tokens["padding_mask"][rows]
        self.labels = None
        if labels:
            self.labels = attribute_labels([parse_caption(c) for c in unique])[rows]
        self.images = images
        self.batch_size = batch_size
        self.rng = np.random.default_rng(seed)
        self.order = self.rng.permutation(len(images))

    def __len__(self):
        return len(self.images) // self.batch_size

    def __getitem__(self, index):
        rows = np.sort(self.order[index * self.batch_size:(index + 1) * self.batch_size])
        images = self.images[rows].astype(np.float32) / 127.5 - 1.0
        batch = {"images": images, "token_ids": self.token_ids[rows],
                 "padding_mask": self.padding_mask[rows]}
        if self.labels is not None:
            batch["attribute_labels"] = self.labels[rows]
        if self.negatives is not None:
            batch["negative_images"] = self.negatives[0][rows].astype(np.float32) / 127.5 - 1.0
            batch["negative_mask"] = self.negatives[1][rows]
        return batch

    def on_epoch_end(self):
        self.order = self.rng.permutation(len(self.images))


class CaptionIndexTokenizer:
    """Captions of the pool -> their row in the text cache (as token id 0)."""

    def __init__(self, captions, sequence_length=16):
        self.index = {c: i for i, c in enumerate(captions)}
        self.sequence_length = sequence_length

    def __call__(self, prompts):
        prompts = [prompts] if isinstance(prompts, str) else list(prompts)
        ids = np.zeros((len(prompts), self.sequence_length), np.int32)
        ids[:, 0] = [self.index[p] for p in prompts]
        return {"token_ids": ids, "padding_mask": np.ones_like(ids)}


class CachedSentenceEncoder(keras.layers.Layer):
    """Looks up precomputed (frozen) sentence vectors by caption row."""

    def __init__(self, table, **kwargs):
        super().__init__(trainable=False, **kwargs)
        self.table = self.add_weight(
            shape=table.shape, initializer=keras.initializers.Constant(table),
            trainable=False, name="table", dtype="float32",
        )
        self.hidden_dim = int(table.shape[1])

    def call(self, inputs, training=False):
        rows = inputs["token_ids"][:, 0]
        pooled = keras.ops.take(self.table, rows, axis=0)
        length = keras.ops.shape(inputs["token_ids"])[1]
        states = keras.ops.zeros((keras.ops.shape(rows)[0], length, self.hidden_dim))
        return {"token_states": states, "pooled": pooled}


def build(args, text_encoder=None, tokenizer=None):
    """The GAN; with `text_encoder`/`tokenizer` given, those replace the real ones."""
    from zoo.models import TextGANDiscriminator, TextGANGenerator, TextGANTextToImage

    keras.utils.set_random_seed(args.seed)
    classes = ATTRIBUTE_CLASSES if args.attribute_weight > 0 else ()
    if text_encoder is None:
        return TextGANTextToImage.from_scratch(
            args.encoder, generator_width=args.width, discriminator_width=args.width,
            attention_resolutions=attention(args), generator_coordinates=args.coordinates,
            generator_channel_multipliers=args.generator_multipliers,
            attribute_classes=classes,
            attribute_weight=args.attribute_weight, negative_weight=args.negative_weight,
            text_noise=args.text_noise, diversity_weight=args.diversity_weight,
            seed=args.seed,
        )
    dim = text_encoder.hidden_dim
    return TextGANTextToImage(
        generator=TextGANGenerator(text_dim=dim, width=args.width,
                                   attention_resolutions=attention(args),
                                   coordinates=args.coordinates,
                                   channel_multipliers=args.generator_multipliers),
        discriminator=TextGANDiscriminator(text_dim=dim, width=args.width,
                                           attribute_classes=classes),
        text_encoder=text_encoder, tokenizer=tokenizer, seed=args.seed,
        attribute_weight=args.attribute_weight, negative_weight=args.negative_weight,
        text_noise=args.text_noise, diversity_weight=args.diversity_weight,
    )


def jit_compile(args):
    # Keras's "auto" leaves XLA off for TensorFlow on a CPU, where the GAN
    # step then runs about 2.3x slower. On torch, True means torch.compile,
    # which this GAN was not measured with: keep Keras's default there.
    if args.run_eagerly:
        return False  # no graph to compile
    if args.jit_compile is None:
        return "auto" if keras.config.backend() == "torch" else True
    return {"true": True, "false": False, "auto": "auto"}[args.jit_compile]


def attention(args):
    # Cross-attention needs token states, which the MiniLM cache omits.
    return (16,) if args.encoder == "tiny" else ()


def cache_text(args):
    """Frozen MiniLM sentence vectors of the pool's captions -> `--text-cache`."""
    from zoo.text import MiniLMEncoder, PromptTokenizer

    _, _, captions, _ = scene_pool(args.scenes, 0, args.seed)
    tokens = PromptTokenizer(20)(captions)  # the length from_scratch uses
    encoder = MiniLMEncoder()
    pooled = np.concatenate([
        keras.ops.convert_to_numpy(encoder({k: v[i:i + 512] for k, v in tokens.items()})["pooled"])
        for i in range(0, len(captions), 512)
    ])
    os.makedirs(os.path.dirname(args.text_cache) or ".", exist_ok=True)
    np.savez_compressed(args.text_cache, captions=np.array(captions), pooled=pooled.astype(np.float16))
    print(f"cached {len(captions)} sentence vectors in {args.text_cache}")


def compile_gan(gan, args):
    """Compiles `gan` with the task's default optimizers (two time-scale
    rule: generator 1e-4, discriminator 4e-4), both learning rates times
    `--learning-rate-scale`."""
    scale = args.learning_rate_scale
    if not scale > 0:
        raise SystemExit(f"--learning-rate-scale must be positive, got {scale}.")
    gan.compile(jit_compile=jit_compile(args), run_eagerly=args.run_eagerly)
    for player in (gan.optimizer.g_optimizer, gan.optimizer.d_optimizer):
        player.learning_rate = float(keras.ops.convert_to_numpy(player.learning_rate)) * scale


def train(args):
    if args.mixed_precision:
        keras.config.set_dtype_policy("mixed_bfloat16")
    start = time.perf_counter()
    images, captions, unique, scenes = scene_pool(args.scenes, args.renders, args.seed)
    print(f"rendered {len(images)} images of {len(unique)} scenes in "
          f"{time.perf_counter() - start:.0f} s", flush=True)
    if args.encoder == "minilm":
        cache = np.load(args.text_cache)
        if list(cache["captions"]) != unique:
            raise SystemExit(f"{args.text_cache} was made for other scenes: rerun --stage cache-text.")
        table = cache["pooled"].astype(np.float32)
        gan = build(args, CachedSentenceEncoder(table), CaptionIndexTokenizer(unique))
    else:
        gan = build(args)
    previous = {"steps": 0, "seconds": 0, "command": ""}
    if args.resume:
        previous = resume(gan, args.resume, args.encoder)
        print(f"resuming from {args.resume} after {previous['steps']} steps", flush=True)
    compile_gan(gan, args)
    ema = GeneratorEMA(decay=0.999)
    # At most 500 steps an epoch, and no more than the pool holds batches.
    steps_per_epoch = min(500, len(images) // args.batch_size)
    if steps_per_epoch < 1:
        raise SystemExit(f"--batch-size {args.batch_size} is larger than the pool of "
                         f"{len(images)} images (--scenes x --renders).")
    epochs = 10_000  # until --time-budget
    if args.steps:  # whole epochs that add up to --steps (to within an epoch count)
        epochs = -(-args.steps // steps_per_epoch)
        steps_per_epoch = args.steps // epochs
    callbacks = [ema] + ([] if args.steps else [StopAfter(args.time_budget)])
    start = time.perf_counter()
    negatives = None
    if args.negative_weight > 0:
        kinds = tuple(k.strip() for k in args.negatives.split(",") if k.strip())
        negatives = negative_pool(scenes, args.renders, args.seed, kinds)
        print(f"rendered {int(negatives[1].sum())} negatives ({', '.join(kinds)})", flush=True)
    batches = PoolBatches(images, captions, gan.tokenizer, args.batch_size, args.seed,
                          labels=args.attribute_weight > 0, negatives=negatives)
    gan.fit(batches, epochs=epochs, steps_per_epoch=steps_per_epoch,
            image_range=(-1, 1), verbose=2, callbacks=callbacks)
    seconds = time.perf_counter() - start
    os.makedirs(args.trained, exist_ok=True)
    gan.generator.save_weights(os.path.join(args.trained, "generator.weights.h5"))
    gan.discriminator.save_weights(os.path.join(args.trained, "discriminator.weights.h5"))
    if args.encoder == "tiny":
        gan.text_encoder.save_weights(os.path.join(args.trained, "text_encoder.weights.h5"))
    steps = int(keras.ops.convert_to_numpy(gan.optimizer.iterations)) + previous["steps"]
    seconds += previous["seconds"]
    command = shlex.join(["python", *sys.argv])
    # A resumed run may use another backend, precision, machine or data: keep
    # the whole history, each change listed once, in order.
    backend = keras.config.backend() + (" mixed_bfloat16" if args.mixed_precision else "")
    hardware = args.hardware or f"{platform.processor() or platform.machine()} CPU"
    data = training_data(args)
    if args.resume:
        history = previous.get("backend", backend)
        if previous.get("mixed_precision") and not history.endswith("mixed_bfloat16"):
            history += " mixed_bfloat16"  # a train.json from before precision was inline
        backend = history if history.endswith(backend) else f"{history}, then {backend}"
        earlier = previous.get("hardware", hardware)
        same = earlier.split("; then ")[-1] == hardware
        hardware = earlier if same else f"{earlier}; then {hardware}"
        earlier = previous.get("data", data)
        data = earlier if earlier.split("; then ")[-1] == data else f"{earlier}; then {data}"
    with open(os.path.join(args.trained, "train.json"), "w") as f:
        json.dump({
            "steps": steps, "seconds": round(seconds), "backend": backend,
            "hardware": hardware, "data": data,
            "command": f"{previous['command']} && {command}" if args.resume else command,
        }, f)
    print(f"trained {steps} steps in {seconds:.0f} s -> {args.trained}", flush=True)


def resume(gan, folder, encoder):
    """Loads the networks `folder` holds into `gan`; returns its `train.json`.

    `folder` is a `train` stage's output or a preset `assemble` saved (whose
    metadata holds the same history).
    """
    if os.path.exists(os.path.join(folder, "train.json")):
        load_networks(gan, folder, encoder)
        with open(os.path.join(folder, "train.json")) as f:
            return json.load(f)
    if not os.path.exists(os.path.join(folder, "metadata.json")):
        raise SystemExit(f"--resume {folder}: neither a `train` stage's output "
                         "(train.json) nor a preset (metadata.json).")
    # Read the preset's weight files rather than `zoo.from_preset`, which would
    # load MiniLM: the GPU machine has neither it nor its package. The
    # generator is the preset's backbone; task.weights.h5 holds the others.
    with tempfile.TemporaryDirectory() as scratch:
        shutil.copy(os.path.join(folder, "model.weights.h5"),
                    os.path.join(scratch, "generator.weights.h5"))
        with h5py.File(os.path.join(folder, "task.weights.h5"), "r") as task:
            groups = {"discriminator": "discriminator"}
            if encoder == "tiny":  # the task's one layer with weights of its own
                (name,) = task["layers"]
                groups["text_encoder"] = f"layers/{name}"
            for name, group in groups.items():
                with h5py.File(os.path.join(scratch, f"{name}.weights.h5"), "w") as out:
                    for key in task[group]:
                        task.copy(task[group][key], out, key)
        load_networks(gan, scratch, encoder)
    with open(os.path.join(folder, "metadata.json")) as f:
        metadata = json.load(f)
    # `assemble` wrote "<backends, each with its precision>, <seconds> s of training".
    backend, seconds = re.fullmatch(r"(.*), (\d+) s of training", metadata["backend"]).groups()
    history = {"steps": metadata["steps"], "seconds": int(seconds), "backend": backend,
               "hardware": metadata["hardware"], "command": metadata["command"]}
    if "data" in metadata:
        history["data"] = metadata["data"]
    return history


def load_networks(gan, folder, encoder):
    """The weights a `train` stage wrote in `folder`."""
    # A run without coordinate biases, attribute heads or the wider stages
    # loads into the networks that have them; those parts start fresh.
    load_shared_layers(gan.generator, os.path.join(folder, "generator.weights.h5"),
                       coordinates=False, channel_multipliers=None)
    load_shared_layers(gan.discriminator, os.path.join(folder, "discriminator.weights.h5"),
                       attribute_classes=[])
    if encoder == "tiny":
        gan.text_encoder.load_weights(os.path.join(folder, "text_encoder.weights.h5"))


def load_shared_layers(model, path, **plain_config):
    """Loads `path` into `model`, or, when it was saved by the model built
    with some of `plain_config` (fewer layers or channels), copies every layer
    the two share, each weight into the leading slice of the new one
    (`widen`)."""
    if _loads(model, path):
        return
    items = list(plain_config.items())
    subsets = [dict(c) for r in range(1, len(items) + 1)
               for c in itertools.combinations(items, r)]
    for config in subsets:
        plain = type(model).from_config(model.get_config() | config)
        if not _loads(plain, path):
            continue
        for layer in plain.layers:
            if layer.weights:
                target = model.get_layer(layer.name)
                target.set_weights([widen(old, new) for old, new
                                    in zip(layer.get_weights(), target.get_weights())])
        print(f"{path} was saved with {config}: the parts it lacks start fresh", flush=True)
        return
    raise ValueError(f"{path} fits neither the model nor it with any of {plain_config}.")


def _loads(model, path):
    """Whether `path` loads into `model`. Keras warns of each layer it cannot
    match before it raises; those warnings are kept only when it loads."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model.load_weights(path)
        except ValueError:
            return False
    for warning in caught:
        warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    return True


def widen(old, new):
    """`old` copied into the leading slice of `new` (a freshly initialised
    weight as wide or wider). In a kernel (inputs on axis -2, outputs on
    -1) the new inputs' weights into the old outputs are zeroed, so the old
    channels compute what they did: a widened network draws the same images
    until training moves it (Net2Net-style, with the new units read at zero).
    """
    if old.shape == new.shape:
        return old
    if old.ndim != new.ndim or any(o > n for o, n in zip(old.shape, new.shape)):
        raise ValueError(f"Cannot widen a weight of shape {old.shape} into {new.shape}.")
    out = np.array(new, copy=True)
    if old.ndim >= 2:
        out[..., old.shape[-2]:, :old.shape[-1]] = 0
    out[tuple(slice(0, n) for n in old.shape)] = old
    return out


def training_data(args):
    """What a sitting trained on, for the preset's metadata."""
    return (f"captioned shapes (DESIGN.md), training grammar without the held-out pairs: "
            f"{args.scenes} scenes x {args.renders} renders, seed {args.seed}")


def assemble(args, preset, description):
    from zoo.metrics import text_to_image_scores

    keras.config.set_dtype_policy("float32")
    with open(os.path.join(args.trained, "train.json")) as f:
        run = json.load(f)
    gan = build(args)
    load_networks(gan, args.trained, args.encoder)
    scores = text_to_image_scores(gan.generate, paraphrases=args.encoder == "minilm")
    # A train.json from before the precision went into the backend history.
    precision = " mixed_bfloat16" if run.get("mixed_precision") else ""
    zoo.save_preset(
        gan, args.output, task="text_to_image", description=description,
        recipe=f"examples/recipes/{preset}.py", command=run["command"],
        data=run.get("data", training_data(args)),
        steps=run["steps"], hardware=run["hardware"],
        backend=f"{run['backend']}{precision}, {run['seconds']} s of training",
        metrics=scores,
    )
    print(json.dumps(scores, indent=2))


def main(preset, doc, encoder, description):
    args = parse_args(preset, doc, encoder)
    if args.stage in ("all", "cache-text") and encoder == "minilm":
        cache_text(args)
    if args.stage in ("all", "train"):
        train(args)
    if args.stage in ("all", "assemble"):
        assemble(args, preset, description)
