"""TextToImageGAN: fit on every backend, generate, validate inputs, presets, callbacks."""

import json

import keras
import numpy as np
import pytest

import zoo
from zoo.models import DiffAugment, TextGANDiscriminator, TextGANGenerator, TextGANTextToImage
from zoo.tasks import TextToImageGAN
from zoo.tasks.text_to_image import images_to_uint8, to_model_range
from zoo.text import PromptTokenizer, TinyTextEncoder
from zoo.training import GeneratorEMA, SampleGrid

pytestmark = pytest.mark.backend

SIZE = 16
PROMPTS = ["a big red circle on the left", "small blue square, top"]


def tiny_gan(seed=0, attention=True, attribute_classes=(), **kwargs):
    """A GAN small enough to compile fast on two CPU cores (16x16 images)."""
    keras.utils.set_random_seed(seed)
    tokenizer = PromptTokenizer(sequence_length=12)
    encoder = TinyTextEncoder(
        vocabulary_size=tokenizer.vocabulary_size, sequence_length=12, hidden_dim=8,
        num_layers=1, num_heads=2, intermediate_dim=16,
    )
    generator = TextGANGenerator(
        text_dim=8, noise_dim=4, image_size=SIZE, width=4, embedding_dim=8,
        attention_resolutions=(8,) if attention else (), num_heads=2,
    )
    discriminator = TextGANDiscriminator(
        text_dim=8, image_size=SIZE, width=4, attribute_classes=attribute_classes
    )
    return TextGANTextToImage(generator, discriminator, encoder, tokenizer, seed=seed, **kwargs)


def captioned(n=8, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, SIZE, SIZE, 3), dtype=np.uint8)
    words = ["red", "green", "blue", "circle", "square", "triangle", "left", "top"]
    captions = [" ".join(rng.choice(words, 3)) for _ in range(n)]
    return images, captions


def snapshot(variables):
    return [np.array(keras.ops.convert_to_numpy(v)) for v in variables]


def moved(before, variables):
    # Exact: weights behind a zero-initialised attention gate move very little.
    return [v.path for b, v in zip(before, variables)
            if not np.array_equal(b, keras.ops.convert_to_numpy(v))]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One tiny GAN trained 2 epochs x 2 steps, with an EMA and a sample grid."""
    gan = tiny_gan()
    networks = {
        "generator": gan.generator.trainable_variables,
        "discriminator": gan.discriminator.trainable_variables,
        "text_encoder": gan.text_encoder.trainable_variables,
    }
    state = {
        "bn": [v for v in gan.generator.non_trainable_variables if "moving" in v.path],
        "spectral_u": [
            v for v in gan.discriminator.non_trainable_variables if "vector_u" in v.path
        ],
        "seeds": [gan.seed_generator.state, gan.augment.seed_generator.state],
    }
    before = {k: snapshot(v) for k, v in {**networks, **state}.items()}
    ema = GeneratorEMA(decay=0.5)
    grid_dir = tmp_path_factory.mktemp("grids")
    grid = SampleGrid(PROMPTS, grid_dir, seed=1, ema=ema)
    images, captions = captioned()
    history = gan.fit((images, captions), batch_size=4, epochs=2, verbose=0,
                      callbacks=[ema, grid])
    return dict(gan=gan, networks=networks, state=state, before=before, history=history,
                ema=ema, grid=grid)


def test_fit_trains_every_network(trained):
    for name, variables in trained["networks"].items():
        still = set(v.path for v in variables) - set(moved(trained["before"][name], variables))
        # Two weights may stand still: the discriminator's last bias (its hinge
        # gradients cancel) and attention key biases (softmax ignores them).
        still = {p for p in still if not p.endswith(("unconditional/bias", "key/bias"))}
        assert not still, f"{name}: {sorted(still)}"


def test_fit_updates_statistics_spectral_vectors_and_seeds(trained):
    for name, variables in trained["state"].items():
        assert variables, name
        assert moved(trained["before"][name], variables), f"{name} did not change"


def test_fit_logs_finite_losses(trained):
    history = trained["history"].history
    assert set(history) == {"d_loss", "g_loss", "real_score", "fake_score", "mismatch_score"}
    for name, values in history.items():
        assert len(values) == 2 and np.all(np.isfinite(values)), name
    assert int(trained["gan"].optimizer.iterations) == 4


def test_players_and_optimizers(trained):
    gan = trained["gan"]
    d_ids = {id(v) for v in gan.discriminator_trainable_variables}
    g_ids = {id(v) for v in gan.generator_trainable_variables}
    # The trainable text encoder trains with the discriminator.
    assert {id(v) for v in gan.text_encoder.trainable_variables} <= d_ids
    assert not d_ids & g_ids
    assert d_ids | g_ids == {id(v) for v in gan.trainable_variables}
    assert float(gan.optimizer.g_optimizer.learning_rate) == pytest.approx(1e-4)
    assert float(gan.optimizer.d_optimizer.learning_rate) == pytest.approx(4e-4)


def test_callbacks_write_grids_and_swap_in_the_average(trained):
    grid, ema, gan = trained["grid"], trained["ema"], trained["gan"]
    assert [p.rsplit("/", 1)[-1] for p in grid.paths] == ["epoch_001.png", "epoch_002.png"]
    from PIL import Image

    image = np.asarray(Image.open(grid.paths[-1]))
    assert image.ndim == 3 and image.shape[0] > SIZE * 2 and image.shape[1] >= SIZE * 4
    for variable, average in zip(gan.generator.trainable_variables, ema.average):
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(variable), keras.ops.convert_to_numpy(average), atol=1e-6
        )
    assert ema._raw is not None  # the training weights wait for the next fit


def test_generate_shapes_dtype_and_determinism(trained):
    gan = trained["gan"]
    a = gan.generate(PROMPTS, seed=7)
    assert a.shape == (2, SIZE, SIZE, 3) and a.dtype == np.uint8
    np.testing.assert_array_equal(gan.generate(PROMPTS, seed=7), a)
    # Alone or in a batch, the same image: the backend may sum in another
    # order for another batch size, so a pixel on a rounding boundary may
    # move by one level, nothing more, and almost none do.
    alone = gan.generate(PROMPTS[:1], seed=7)[0].astype(np.int16)
    assert np.abs(alone - a[0]).max() <= 1 and np.mean(alone != a[0]) < 0.01
    assert not np.array_equal(gan.generate(PROMPTS, seed=8), a)
    assert gan.generate(PROMPTS[0], seed=7).shape == (SIZE, SIZE, 3)
    many = gan.generate(PROMPTS, seed=7, num_per_prompt=3, batch_size=4)
    assert many.shape == (6, SIZE, SIZE, 3)
    # Diffusion-only arguments are accepted and ignored.
    np.testing.assert_array_equal(gan.generate(PROMPTS, seed=7, num_steps=50), a)


def test_generate_validates_prompts(trained):
    gan = trained["gan"]
    with pytest.raises(ValueError, match="prompts"):
        gan.generate([])
    with pytest.raises(TypeError, match="prompts"):
        gan.generate(["ok", 3])
    with pytest.raises(TypeError, match="prompts"):
        gan.generate(None)
    with pytest.raises(ValueError, match="num_per_prompt"):
        gan.generate(PROMPTS, num_per_prompt=0)
    with pytest.raises(TypeError, match="seed"):
        gan.generate(PROMPTS, seed="zero")
    for bad in (0, -1):
        with pytest.raises(ValueError, match="`batch_size` must be an int"):
            gan.generate(PROMPTS, batch_size=bad)
    for bad in (2.5, True, "4"):
        with pytest.raises(TypeError, match="`batch_size` must be an int"):
            gan.generate(PROMPTS, batch_size=bad)


def _assert_uint8_equal(images, expected, reference):
    """`images_to_uint8(images) == expected` but within 1e-3 of a rounding tie of
    `reference` (the Keras floats), where +-1 is allowed."""
    got = images_to_uint8(images).astype(int)
    scaled = (np.asarray(reference, np.float64) + 1.0) * 127.5
    tie = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-3
    assert np.array_equal(got[~tie], expected.astype(int)[~tie])
    assert np.all(np.abs(got - expected.astype(int)) <= 1)


def test_export_model_and_inputs_give_generate(trained):
    gan = trained["gan"]
    x = gan.export_inputs(PROMPTS, seed=7, num_per_prompt=2)
    assert sorted(x) == ["noise", "padding_mask", "token_ids"]
    noise = np.random.default_rng(7).standard_normal((4, gan.noise_dim)).astype(np.float32)
    np.testing.assert_array_equal(x["noise"], noise)
    np.testing.assert_array_equal(
        x["token_ids"], gan.tokenizer([p for p in PROMPTS for _ in range(2)])["token_ids"]
    )
    model = gan.export_model()
    assert sorted(model.input) == ["noise", "padding_mask", "token_ids"]
    out = keras.ops.convert_to_numpy(model.predict(x, verbose=0))
    reference = keras.ops.convert_to_numpy(gan.predict_on_batch(x))
    assert out.shape == (4, SIZE, SIZE, 3)
    np.testing.assert_allclose(out, reference, atol=1e-5)
    _assert_uint8_equal(out, gan.generate(PROMPTS, seed=7, num_per_prompt=2), reference)
    # The export model shares the GAN's weights.
    assert {id(v) for v in model.weights} <= {id(v) for v in gan.weights}
    with pytest.raises(ValueError, match="seed"):
        gan.export_inputs(PROMPTS, seed=-1)
    with pytest.raises(ValueError, match="num_per_prompt"):
        gan.export_inputs(PROMPTS, num_per_prompt=0)
    with pytest.raises(ValueError, match="prompts"):
        gan.export_inputs([])


def test_export_litert_from_this_backend(trained, tmp_path):
    """On JAX and PyTorch the export runs in a TensorFlow subprocess via a preset."""
    from zoo.export import parity, run_exported

    gan = trained["gan"]
    path = zoo.export(gan, tmp_path / "generator.tflite")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["generator.tflite"]
    x = gan.export_inputs(PROMPTS, seed=4)
    assert parity(gan, path, x) <= 1e-4
    reference = keras.ops.convert_to_numpy(gan.predict_on_batch(x))
    _assert_uint8_equal(run_exported(path, x), gan.generate(PROMPTS, seed=4), reference)


def test_fit_from_a_stream_of_batches(trained):
    gan = trained["gan"]
    steps = int(gan.optimizer.iterations)

    def batches():
        rng = np.random.default_rng(1)
        while True:
            images, captions = captioned(4, seed=int(rng.integers(1000)))
            yield images.astype("float32") / 255.0, [c.encode() for c in captions]

    with pytest.raises(ValueError, match="steps_per_epoch"):
        gan.fit(batches(), epochs=1, verbose=0)
    gan.fit(batches(), steps_per_epoch=2, epochs=1, verbose=0)
    assert int(gan.optimizer.iterations) == steps + 2


def test_the_step_takes_numpy_batches(trained):
    """As `fit(run_eagerly=True)` passes them on JAX (they once mixed numpy
    padding masks with tensors and failed): the step makes them tensors."""
    from zoo.training.adversarial import _batch

    gan = trained["gan"]
    images, captions = captioned(4)
    batch = {"images": images.astype("float32") / 127.5 - 1.0, **gan.tokenizer(captions)}
    assert all(isinstance(v, np.ndarray) for v in batch.values())
    for loss_fn, name in ((gan.discriminator_loss, "d_loss"), (gan.generator_loss, "g_loss")):
        loss, logs = loss_fn(_batch(batch))
        assert np.isfinite(float(keras.ops.convert_to_numpy(loss))), name
        assert float(keras.ops.convert_to_numpy(logs[name])) == pytest.approx(
            float(keras.ops.convert_to_numpy(loss)))


def test_fit_validates_data(trained):
    gan = trained["gan"]
    images, captions = captioned(4)
    with pytest.raises(ValueError, match="images"):
        gan.fit((images[:, :8], captions), batch_size=2, verbose=0)
    with pytest.raises(ValueError, match="captions"):
        gan.fit((images, captions[:3]), batch_size=2, verbose=0)
    with pytest.raises(TypeError, match="captions"):
        gan.fit((images, [1, 2, 3, 4]), batch_size=2, verbose=0)
    with pytest.raises(ValueError, match="image_range"):
        gan.fit((images / 255.0, captions), image_range=(0, 255), verbose=0)
    # Floats on the 0-255 scale would train on garbage.
    with pytest.raises(ValueError, match="outside their range"):
        gan.fit((images.astype("float32"), captions), batch_size=2, verbose=0)
    for bad, error in ((0, ValueError), (2.5, TypeError), (True, TypeError)):
        with pytest.raises(error, match="`batch_size`"):
            gan.fit((images, captions), batch_size=bad, verbose=0)
    with pytest.raises(ValueError, match="different sizes"):
        gan.fit(([images[0], images[1, :8]], captions[:2]), batch_size=2, verbose=0)


def test_diversity_needs_two_images_a_batch_from_arrays_too():
    # A batch of one would make the mode-seeking term 0 / 0: NaN weights.
    gan = tiny_gan(attention=False, diversity_weight=1.0)
    images, captions = captioned(2)
    with pytest.raises(ValueError, match="at least 2 images"):
        gan.fit((images, captions), batch_size=1, verbose=0)
    with pytest.raises(ValueError, match="at least 2 images"):
        gan.fit((images[:1], captions[:1]), verbose=0)


def test_a_tokenizer_larger_than_the_encoders_table_is_refused():
    with pytest.raises(ValueError, match="`vocabulary_size=30522`"):
        TextGANTextToImage(
            TextGANGenerator(text_dim=8, noise_dim=4, image_size=SIZE, width=4,
                             embedding_dim=8, attention_resolutions=(), num_heads=2),
            TextGANDiscriminator(text_dim=8, image_size=SIZE, width=4),
            TinyTextEncoder(vocabulary_size=100, sequence_length=12, hidden_dim=8,
                            num_layers=1, num_heads=2, intermediate_dim=16),
            PromptTokenizer(sequence_length=12),
        )


def test_images_to_uint8_refuses_nan():
    with pytest.raises(ValueError, match="NaN"):
        images_to_uint8(np.full((1, 2, 2, 3), np.nan, np.float32))


def test_to_model_range():
    u8 = np.array([0, 255], np.uint8).reshape(1, 1, 2, 1).repeat(3, -1)
    u8 = np.tile(u8, (1, 2, 1, 1))
    np.testing.assert_allclose(to_model_range(u8, 2)[0, 0, :, 0], [-1, 1])
    unit = u8.astype("float32") / 255.0
    np.testing.assert_allclose(to_model_range(unit, 2), to_model_range(u8, 2))
    signed = unit * 2 - 1
    np.testing.assert_allclose(to_model_range(signed, 2), signed)
    np.testing.assert_allclose(to_model_range(unit * 0.5 + 0.5, 2, image_range=(-1, 1)),
                               unit * 0.5 + 0.5)
    with pytest.raises(ValueError, match="NaN"):
        to_model_range(np.full((1, 2, 2, 3), np.nan, np.float32), 2)
    # Only uint8 is on the 0-255 scale: others would leave [-1, 1] silently.
    for dtype in (np.uint16, np.int32, np.int8):
        with pytest.raises(TypeError, match="`images` must be uint8 or float"):
            to_model_range(u8.astype(dtype), 2)


def test_preset_round_trip(trained, tmp_path):
    gan = trained["gan"]
    preset = tmp_path / "tiny_text_gan"
    gan.save_to_preset(preset, description="tiny test GAN")
    metadata = json.loads((preset / "metadata.json").read_text())
    assert metadata["task"] == "text_to_image"
    assert metadata["params"] == gan.generator.count_params()
    for name in ("config.json", "model.weights.h5", "task.json", "task.weights.h5"):
        assert (preset / name).is_file(), name
    expected = gan.generate(PROMPTS, seed=3)
    for loader in (zoo.from_preset, TextToImageGAN.from_preset, TextGANTextToImage.from_preset):
        loaded = loader(str(preset))
        assert type(loaded) is TextGANTextToImage
        assert isinstance(loaded.augment, DiffAugment)
        np.testing.assert_array_equal(loaded.generate(PROMPTS, seed=3), expected)
        for a, b in zip(loaded.discriminator.weights, gan.discriminator.weights):
            np.testing.assert_array_equal(keras.ops.convert_to_numpy(a),
                                          keras.ops.convert_to_numpy(b))
        for a, b in zip(loaded.text_encoder.weights, gan.text_encoder.weights):
            np.testing.assert_array_equal(keras.ops.convert_to_numpy(a),
                                          keras.ops.convert_to_numpy(b))


def test_save_to_preset_refuses_sharding(trained, tmp_path):
    with pytest.raises(ValueError, match="max_shard_size"):
        trained["gan"].save_to_preset(tmp_path / "p", max_shard_size=1)
    assert not (tmp_path / "p").exists()


def test_docstrings_name_what_exists():
    import inspect
    import re

    import zoo.cli
    from zoo.tasks import text_to_image

    # Every preset an example loads is shipped.
    source = inspect.getsource(text_to_image)
    found = re.findall(r'--preset (\w+)|from_preset\("(\w+)"\)', zoo.cli.__doc__ + source)
    assert found and {a or b for a, b in found} <= set(zoo.list_presets())
    # `zoo.export` is the function: examples import `run_exported` from its module.
    assert "zoo.export.run_exported" not in source
    exec("from zoo.export import run_exported", {})


def _labelled_batches(n_batches=2, batch=4):
    """Token-ready batches of real captioned shapes with their attribute labels."""
    from zoo.data import attribute_labels

    data = zoo.data.CaptionedShapes(seed=5)
    out = []
    for _ in range(n_batches):
        images, captions, specs = data.sample(batch)
        small = images[:, ::64 // SIZE, ::64 // SIZE]
        out.append({"images": small, "captions": captions,
                    "attribute_labels": attribute_labels(specs)})
    return out


# The heads' losses are backend-free `keras.ops` code, and the step that
# applies them is compiled and tested on every backend above; on JAX a second
# GAN would compile for a minute (and its eager steps take minutes).
@pytest.mark.skipif(keras.config.backend() == "jax", reason="slow on JAX; see above")
def test_attribute_heads_train_with_labelled_batches():
    from zoo.data import ATTRIBUTE_CLASSES

    gan = tiny_gan(seed=3, attribute_classes=ATTRIBUTE_CLASSES, attribute_weight=0.5,
                   compile=False)
    gan.compile(run_eagerly=True)
    head = [v for v in gan.discriminator.trainable_variables if "attribute_logits" in v.path]
    before = snapshot(head + gan.generator.trainable_variables)
    history = gan.fit(_labelled_batches(), epochs=1, verbose=0).history
    assert {"attribute_loss", "g_attribute_loss"} <= set(history)
    # At initialisation the heads are near uniform: about sum(log classes).
    assert 0.5 * np.log(ATTRIBUTE_CLASSES).sum() < history["attribute_loss"][0] < 40
    assert np.isfinite(history["g_attribute_loss"][0])
    assert len(moved(before[:2], head)) == 2
    assert moved(before[2:], gan.generator.trainable_variables)
    restored = TextGANTextToImage.from_config(gan.get_config())
    assert restored.attribute_weight == 0.5
    assert restored.discriminator.attribute_classes == ATTRIBUTE_CLASSES


def test_attribute_loss_is_masked_cross_entropy_per_head():
    gan = tiny_gan(attribute_classes=(2, 3), compile=False)
    logits = np.array([[0.0, 1.0, 2.0, 0.0, -1.0], [1.0, 1.0, 0.0, 3.0, 0.0]], np.float32)
    labels = np.array([[1, -1], [0, 1]], np.int32)

    def ce(row, label):
        return np.log(np.exp(row).sum()) - row[label]

    expected = (ce(logits[0, :2], 1) + ce(logits[1, :2], 0)) / 2 + ce(logits[1, 2:], 1)
    got = keras.ops.convert_to_numpy(gan._attribute_loss(logits, labels))
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_attribute_labels_need_heads_and_the_right_shape():
    batches = _labelled_batches(1)
    with pytest.raises(ValueError, match="attribute heads"):
        tiny_gan(attention=False).fit(batches, epochs=1, verbose=0)
    gan = tiny_gan(attention=False, attribute_classes=(2, 5))
    with pytest.raises(ValueError, match="attribute_labels"):
        gan.fit(batches, epochs=1, verbose=0)


def _with_negatives(gan, n=4, mask=(1, 0, 1, 1)):
    images, captions = captioned(n)
    negatives = np.random.default_rng(1).integers(0, 256, (n, SIZE, SIZE, 3), dtype=np.uint8)
    raw = {"images": images, "captions": captions}
    return (gan._prepare(raw, None),
            gan._prepare(raw | {"negative_images": negatives,
                                "negative_mask": np.array(mask, np.float32)}, None))


def test_negative_term_is_a_masked_hinge_on_the_negatives():
    gan = tiny_gan(attention=False, augment=None, negative_weight=2.0, compile=False)
    from zoo.training.adversarial import _batch

    plain, batch = (_batch(b) for b in _with_negatives(gan))
    # Lift every logit above -1, where the hinge is live (an untrained
    # discriminator's may all lie below it).
    (bias,) = [v for v in gan.discriminator.variables if v.path.endswith("unconditional/bias")]
    bias.assign(keras.ops.full(bias.shape, 5.0))
    state = snapshot(gan.variables)

    def rewind():
        for variable, value in zip(gan.variables, state):
            variable.assign(value)

    plain_loss = keras.ops.convert_to_numpy(gan.discriminator_loss(plain)[0])
    rewind()
    loss = keras.ops.convert_to_numpy(gan.discriminator_loss(batch)[0])
    rewind()
    # The same weights, noise and spectral-norm step as inside the loss.
    pooled = gan._encode(plain, training=True)["pooled"]
    logits = keras.ops.convert_to_numpy(
        gan._discriminate(batch["negative_images"], pooled, training=True)[0])[:, 0]
    mask = keras.ops.convert_to_numpy(batch["negative_mask"])
    expected = plain_loss + 2.0 * np.sum(mask * np.maximum(1.0 + logits, 0)) / mask.sum()
    np.testing.assert_allclose(loss, expected, rtol=1e-5, atol=1e-6)
    assert not np.isclose(loss, plain_loss)


def test_negatives_are_checked():
    gan = tiny_gan(attention=False, compile=False)
    images, captions = captioned(4)
    raw = {"images": images, "captions": captions}
    batch = gan._prepare(raw | {"negative_images": images[::-1]}, None)
    np.testing.assert_array_equal(batch["negative_mask"], np.ones(4, np.float32))
    np.testing.assert_array_equal(batch["negative_images"], batch["images"][::-1])
    # Float negatives take the images' range, even an all-black row's.
    floats = gan._prepare({"images": images / 255.0, "captions": captions,
                           "negative_images": np.zeros((4, SIZE, SIZE, 3))}, None)
    np.testing.assert_array_equal(floats["negative_images"], -1.0)
    with pytest.raises(ValueError, match="negative_images"):
        gan._prepare(raw | {"negative_images": images[:3]}, None)
    with pytest.raises(ValueError, match="negative_images"):
        gan._prepare(raw | {"negative_images": images[:, :8]}, None)
    with pytest.raises(ValueError, match="negative_mask"):
        gan._prepare(raw | {"negative_images": images, "negative_mask": np.full(4, 0.5)}, None)
    with pytest.raises(ValueError, match="negative_mask"):
        gan._prepare(raw | {"negative_images": images, "negative_mask": np.ones(3)}, None)


# As for the attribute heads: the term is `keras.ops` code and the step is
# tested on every backend; a second compiled GAN would take minutes on JAX.
@pytest.mark.skipif(keras.config.backend() == "jax", reason="slow on JAX; see above")
def test_fit_with_negatives_trains_both_players():
    gan = tiny_gan(seed=4, attention=False, negative_weight=0.5, compile=False)
    gan.compile(run_eagerly=True)
    before = snapshot(gan.discriminator.trainable_variables + gan.generator.trainable_variables)
    _, batch = _with_negatives(gan)
    history = gan.fit([batch, batch], epochs=1, verbose=0).history
    assert np.all(np.isfinite(history["d_loss"]))
    assert len(moved(before, gan.discriminator.trainable_variables
                     + gan.generator.trainable_variables)) > len(before) // 2
    assert TextGANTextToImage.from_config(gan.get_config()).negative_weight == 0.5


def test_text_noise_reaches_the_generator_only_while_training():
    gan = tiny_gan(attention=False, text_noise=0.5, compile=False)
    images, captions = captioned(64)
    tokens = gan._prepare({"images": images, "captions": captions}, None)
    encoded = gan._encode(tokens)
    pooled = keras.ops.convert_to_numpy(encoded["pooled"])
    noise = gan._noise(64)
    served = gan._generator_inputs(noise, encoded, tokens["padding_mask"])
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(served["text"]), pooled)
    trained = gan._generator_inputs(noise, encoded, tokens["padding_mask"], training=True)
    offset = keras.ops.convert_to_numpy(trained["text"]) - pooled
    assert offset.std() == pytest.approx(0.5, rel=0.15) and abs(offset.mean()) < 0.1
    assert TextGANTextToImage.from_config(gan.get_config()).text_noise == 0.5


def test_mode_seeking_term_pairs_each_caption_with_two_noises():
    gan = tiny_gan(attention=False, augment=None, diversity_weight=0.5, compile=False)
    from zoo.training.adversarial import _batch

    images, captions = captioned(6)
    batch = _batch(gan._prepare({"images": images, "captions": captions}, None))
    state = snapshot(gan.variables)
    loss, logs = gan.generator_loss(batch)
    for variable, value in zip(gan.variables, state):
        variable.assign(value)
    # Recomputed by hand: the same noise draw, the first 3 captions twice.
    noise = gan._noise(6)
    encoded = gan._encode(batch)
    encoded = {k: keras.ops.concatenate([v[:3], v[:3]], axis=0) for k, v in encoded.items()}
    mask = keras.ops.concatenate([batch["padding_mask"][:3]] * 2, axis=0)
    fake = gan.generator(gan._generator_inputs(noise, encoded, mask, training=True),
                         training=True)
    logits = gan._discriminate(fake, encoded["pooled"], training=False)[0]
    fake, logits, noise = (keras.ops.convert_to_numpy(t) for t in (fake, logits, noise))
    diversity = np.abs(fake[:3] - fake[3:]).mean() / np.abs(noise[:3] - noise[3:]).mean()
    np.testing.assert_allclose(keras.ops.convert_to_numpy(logs["g_diversity"]), diversity,
                               rtol=1e-4)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(loss),
                               -logits.mean() + 0.5 / (diversity + 1e-5), rtol=1e-4)
    with pytest.raises(ValueError, match="at least 2"):
        gan._prepare({"images": images[:1], "captions": captions[:1]}, None)


@pytest.mark.skipif(keras.config.backend() == "jax", reason="slow on JAX; see above")
def test_fit_with_the_mode_seeking_term_logs_it_and_trains_both_players():
    gan = tiny_gan(seed=5, attention=False, diversity_weight=0.1, compile=False)
    gan.compile(run_eagerly=True)
    before = snapshot(gan.discriminator.trainable_variables + gan.generator.trainable_variables)
    history = gan.fit(captioned(8), batch_size=4, epochs=1, verbose=0).history
    assert np.all(np.isfinite(history["g_loss"])) and np.all(np.array(history["g_diversity"]) > 0)
    assert len(moved(before, gan.discriminator.trainable_variables
                     + gan.generator.trainable_variables)) > len(before) // 2
    assert TextGANTextToImage.from_config(gan.get_config()).diversity_weight == 0.1


def test_constructor_checks():
    with pytest.raises(ValueError, match="mismatch_weight"):
        tiny_gan(mismatch_weight=1.0)
    with pytest.raises(ValueError, match="attribute_weight"):
        tiny_gan(attribute_weight=-1.0)
    with pytest.raises(ValueError, match="negative_weight"):
        tiny_gan(negative_weight=-0.5)
    with pytest.raises(ValueError, match="text_noise"):
        tiny_gan(text_noise=-0.1)
    with pytest.raises(ValueError, match="diversity_weight"):
        tiny_gan(diversity_weight=-1.0)
    gan = tiny_gan(attention=False, augment=None, compile=False)
    assert gan.augment is None and not gan.generator.uses_token_states
    with pytest.raises(ValueError, match="text_dim"):
        TextGANTextToImage(
            TextGANGenerator(text_dim=5, image_size=SIZE, width=2, attention_resolutions=()),
            gan.discriminator, gan.text_encoder, gan.tokenizer,
        )
