"""The text GAN recipes' `train` stage, resumed from an earlier sitting.

Presets are trained in several sittings (`--resume`), sometimes on another
backend or with the attribute heads switched on half way; `train.json` must
add the steps, the seconds and the commands up, and name every backend.
"""

import argparse
import json
import os
import sys
import warnings

import h5py
import keras
import numpy as np
import pytest

# Eager: tracing and compiling the GAN step would take most of the test's time.
SMALL = ["--stage", "train", "--scenes", "8", "--renders", "1", "--batch-size", "4",
         "--width", "2", "--run-eagerly"]


@pytest.fixture()
def recipe(monkeypatch, repo_root):
    monkeypatch.syspath_prepend(str(repo_root / "examples" / "recipes"))
    import _text_gan

    return _text_gan


def _h5_arrays(path):
    arrays = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, item: arrays.__setitem__(name, item[()])
                     if isinstance(item, h5py.Dataset) else None)
    return arrays


def _earlier_sitting(recipe, folder, **overrides):
    """A `train` stage's output in `folder` (width 2, 5 steps, "python
    first"), built with `overrides` on the defaults; returns the GAN."""
    args = argparse.Namespace(**{
        "seed": 1, "width": 2, "attribute_weight": 1.0, "encoder": "tiny",
        "negative_weight": 0.0, "text_noise": 0.0, "diversity_weight": 0.0,
        "coordinates": False, "generator_multipliers": None, **overrides})
    gan = recipe.build(args)
    folder.mkdir()
    for name in ("generator", "discriminator", "text_encoder"):
        getattr(gan, name).save_weights(str(folder / f"{name}.weights.h5"))
    with open(folder / "train.json", "w") as f:
        json.dump({"steps": 5, "seconds": 7, "backend": "other",
                   "mixed_precision": False, "hardware": "x", "command": "python first"}, f)
    return gan, args


def test_resume_adds_heads_steps_and_backend_history(recipe, monkeypatch, tmp_path):
    # An earlier sitting, without attribute heads, "on another backend".
    first, second = tmp_path / "first", tmp_path / "second"
    # Seed 1 here, 0 (the default) below: a run that ignored `--resume` differs.
    _, args = _earlier_sitting(recipe, first, attribute_weight=0.0)

    # This sitting also adds the negative-data term, the text noise and the
    # generator's coordinate biases.
    monkeypatch.setattr(sys, "argv", ["text_gan_tiny.py", *SMALL, "--steps", "1",
                                      "--negative-weight", "1", "--text-noise", "0.01",
                                      "--coordinates",
                                      "--trained", str(second), "--resume", str(first)])
    recipe.main("text_gan_tiny", "Test recipe.\n", "tiny", "test")

    with open(second / "train.json") as f:
        resumed = json.load(f)
    assert resumed["steps"] == 6
    assert resumed["seconds"] >= 7
    assert resumed["backend"] == f"other, then {keras.config.backend()}"
    # This sitting's machine joins the history; the earlier one had no data line.
    assert resumed["hardware"].startswith("x; then ") and resumed["hardware"].endswith(" CPU")
    assert resumed["data"].endswith("8 scenes x 1 renders, seed 0")
    commands = resumed["command"].split(" && ")
    assert commands[0] == "python first" and "--resume" in commands[1]
    # The generator went on from the earlier weights: one step away from them,
    # far from where seed 0 starts.
    old = _h5_arrays(first / "generator.weights.h5")
    new = _h5_arrays(second / "generator.weights.h5")
    fresh = recipe.build(argparse.Namespace(**{**vars(args), "seed": 0}))
    fresh.generator.save_weights(str(tmp_path / "fresh.weights.h5"))
    fresh = _h5_arrays(tmp_path / "fresh.weights.h5")
    assert old.keys() == fresh.keys()
    # One coordinate kernel per block (64x64: four) joined the earlier layers.
    added = sorted(new.keys() - old.keys())
    assert old.keys() < new.keys() and len(added) == 4
    assert all("coordinate_bias" in key for key in added), added

    def distance(a):
        return sum(np.abs(a[k] - old[k]).sum() for k in old)

    assert distance(new) < 0.05 * distance(fresh)
    # The attribute heads the earlier sitting lacked were added (a kernel, a bias).
    assert (len(_h5_arrays(second / "discriminator.weights.h5"))
            == len(_h5_arrays(first / "discriminator.weights.h5")) + 2)
    assert os.path.exists(second / "text_encoder.weights.h5")


def test_resume_from_a_saved_preset(recipe, monkeypatch, tmp_path):
    # A shipped preset holds the networks and the history in its metadata.
    import zoo

    preset, trained = tmp_path / "preset", tmp_path / "trained"
    args = argparse.Namespace(seed=1, width=2, attribute_weight=1.0, encoder="tiny",
                              negative_weight=0.0, text_noise=0.0, diversity_weight=0.0,
                              coordinates=False, generator_multipliers=None)
    gan = recipe.build(args)
    # Its last sitting ran on this backend: the history must not shrink to it.
    earlier_data = "captioned shapes, 4096 scenes"
    zoo.save_preset(gan, preset, task="text_to_image", steps=9, hardware="x; then y",
                    backend=f"other, then {keras.config.backend()} mixed_bfloat16, "
                            "12 s of training",
                    data=earlier_data, command="python first")

    monkeypatch.setattr(sys, "argv", ["text_gan_tiny.py", *SMALL, "--steps", "1",
                                      "--hardware", "y",
                                      "--trained", str(trained), "--resume", str(preset)])
    recipe.main("text_gan_tiny", "Test recipe.\n", "tiny", "test")

    with open(trained / "train.json") as f:
        resumed = json.load(f)
    assert resumed["steps"] == 10
    assert resumed["seconds"] >= 12
    # Each sitting's backend and precision (this one float32), in order; the
    # machine is unchanged since the last sitting, so it is not listed again.
    backend = keras.config.backend()
    assert resumed["backend"] == f"other, then {backend} mixed_bfloat16, then {backend}"
    assert resumed["hardware"] == "x; then y"
    assert resumed["data"].startswith(earlier_data + "; then captioned shapes (DESIGN.md)")
    assert resumed["command"].startswith("python first && ")
    # Each network went one step from the preset's weights, not from fresh ones.
    fresh = recipe.build(argparse.Namespace(**{**vars(args), "seed": 0}))
    for name in ("generator", "discriminator", "text_encoder"):
        network = getattr(gan, name)
        old = network.get_weights()
        network.load_weights(str(trained / f"{name}.weights.h5"))
        moved = sum(np.abs(a - b).sum() for a, b in zip(network.get_weights(), old))
        apart = sum(np.abs(a - b).sum() for a, b in zip(getattr(fresh, name).get_weights(), old))
        assert 0 < moved < 0.05 * apart, name


def test_a_wider_generator_resumes_drawing_the_same_images(recipe, monkeypatch, tmp_path):
    # The 32x32 and 64x64 stages widened (channels 2*(2, 1) -> 2*(4, 4)): the
    # old channels go on computing what they did, the new ones are read at zero.
    narrow_dir, wide_dir = tmp_path / "narrow", tmp_path / "wide"
    narrow, args = _earlier_sitting(recipe, narrow_dir)
    wide = recipe.build(argparse.Namespace(
        **{**vars(args), "seed": 0, "generator_multipliers": (8, 8, 4, 4, 4)}))
    assert wide.generator.count_params() > narrow.generator.count_params()
    # Keras warns of unmatched layers before it rejects a trial load; a
    # discarded attempt must not leave "freshly-initialized weights" in the log.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        recipe.load_networks(wide, str(narrow_dir), "tiny")
    assert not [w for w in caught if "initialized" in str(w.message)]
    prompts = ["a large red circle above a small blue square", "a green triangle"]
    wide_images = wide.generate(prompts, seed=3).astype(np.int16)
    narrow_images = narrow.generate(prompts, seed=3).astype(np.int16)
    # The same sums in another order: a pixel on a rounding boundary may move
    # by one level, nothing more, and almost none do.
    assert np.abs(wide_images - narrow_images).max() <= 1
    assert np.mean(wide_images != narrow_images) < 1e-3
    # The new channels are there to learn: fresh, not zero, where they compute.
    kernel = wide.generator.get_layer("block_3_conv_1").kernel
    assert np.abs(keras.ops.convert_to_numpy(kernel)[..., 2:]).sum() > 0

    monkeypatch.setattr(sys, "argv", ["text_gan_tiny.py", *SMALL, "--steps", "1",
                                      "--generator-multipliers", "8,8,4,4,4",
                                      "--trained", str(wide_dir), "--resume", str(narrow_dir)])
    recipe.main("text_gan_tiny", "Test recipe.\n", "tiny", "test")
    with open(wide_dir / "train.json") as f:
        assert json.load(f)["steps"] == 6
    wide.generator.load_weights(str(wide_dir / "generator.weights.h5"))


def test_widen_keeps_the_old_outputs_and_rejects_narrowing(recipe):
    old = np.ones((3, 3, 2, 2), np.float32)
    new = np.full((3, 3, 4, 5), 7.0, np.float32)
    out = recipe.widen(old, new)
    np.testing.assert_array_equal(out[:, :, :2, :2], old)
    np.testing.assert_array_equal(out[:, :, 2:, :2], 0.0)  # new inputs -> old outputs
    np.testing.assert_array_equal(out[:, :, :, 2:], 7.0)  # the new outputs as initialised
    np.testing.assert_array_equal(recipe.widen(np.arange(2.0), np.zeros(4)), [0, 1, 0, 0])
    with pytest.raises(ValueError, match="widen"):
        recipe.widen(new, old)


def test_generator_multipliers_flag_rejects_non_integers(recipe, monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "argv", ["text_gan_tiny.py", *SMALL, "--steps", "1",
                                      "--generator-multipliers", "8,8,wide",
                                      "--trained", str(tmp_path / "t")])
    with pytest.raises(SystemExit):
        recipe.main("text_gan_tiny", "Test recipe.\n", "tiny", "test")
    assert not (tmp_path / "t").exists()


def test_resume_rejects_a_folder_without_history(recipe, monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "argv", ["text_gan_tiny.py", *SMALL, "--steps", "1",
                                      "--trained", str(tmp_path / "t"),
                                      "--resume", str(tmp_path)])
    with pytest.raises(SystemExit, match="neither"):
        recipe.main("text_gan_tiny", "Test recipe.\n", "tiny", "test")
    assert not (tmp_path / "t").exists()


def test_the_pool_negatives_belong_to_their_rows(recipe):
    from zoo.data import parse_caption
    from zoo.data.captioned_shapes import COLOR_JITTER, PALETTE
    from zoo.metrics.shapes_judge import describe
    from zoo.text import PromptTokenizer

    images, captions, _, scenes = recipe.scene_pool(12, 2, seed=0)
    negatives, mask = recipe.negative_pool(scenes, 2, seed=0)
    two = np.array([len(parse_caption(c)["objects"]) == 2 for c in captions])
    assert two.any() and not two.all()
    np.testing.assert_array_equal(mask, two.astype(np.float32))
    for image, negative, caption, is_two in zip(images, negatives, captions, two):
        if is_two:
            # Its row's scene (both colours), the two objects merged into one blob.
            assert len(describe(image)) == 2 and len(describe(negative)) == 1
            pixels = negative.reshape(-1, 3).astype(int)
            for obj in parse_caption(caption)["objects"]:
                gap = np.abs(pixels - PALETTE[obj["color"]]).max(axis=1)
                assert (gap <= COLOR_JITTER).any(), caption
        else:
            assert not negative.any()
    batches = recipe.PoolBatches(images, captions, PromptTokenizer(20), 8, seed=0,
                                 negatives=(negatives, mask))
    batch = batches[0]
    assert batch["negative_images"].shape == batch["images"].shape
    assert batch["negative_images"].min() >= -1.0 and batch["negative_images"].max() <= 1.0
    assert set(np.unique(batch["negative_mask"])) <= {0.0, 1.0}


def test_the_pool_draws_shape_negatives_for_every_row(recipe):
    from zoo.data import parse_caption
    from zoo.metrics.shapes_judge import describe, judge_errors

    images, captions, _, scenes = recipe.scene_pool(16, 2, seed=1)
    negatives, mask = recipe.negative_pool(scenes, 2, seed=1, kinds=("touching", "shape"))
    np.testing.assert_array_equal(mask, np.ones(len(images), np.float32))
    kinds = set()
    for negative, caption in zip(negatives, captions):
        spec = parse_caption(caption)
        errors = judge_errors(describe(negative), spec)
        kinds.add("touching" if "missing object" in errors else "shape")
        if len(spec["objects"]) == 1:
            # A single object can only be misshapen: same count, same colour.
            (found,) = describe(negative)
            assert found["color"] == spec["objects"][0]["color"], caption
    assert kinds == {"touching", "shape"}
    with pytest.raises(ValueError, match="kinds"):
        recipe.negative_pool(scenes, 2, seed=1, kinds=("blurry",))


def test_learning_rate_scale_scales_both_players(recipe, tmp_path):
    gan, args = _earlier_sitting(recipe, tmp_path / "run")
    args.learning_rate_scale, args.jit_compile, args.run_eagerly = 0.25, None, True
    recipe.compile_gan(gan, args)
    rates = {name: float(keras.ops.convert_to_numpy(getattr(gan.optimizer, name).learning_rate))
             for name in ("g_optimizer", "d_optimizer")}
    assert rates == pytest.approx({"g_optimizer": 0.25e-4, "d_optimizer": 1e-4})
    args.learning_rate_scale = 0.0
    with pytest.raises(SystemExit, match="--learning-rate-scale"):
        recipe.compile_gan(gan, args)
