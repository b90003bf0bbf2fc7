"""zoo.export: LiteRT and SavedModel parity with predict, int8, argument checks.

TensorFlow backend only (LiteRT conversion needs TensorFlow): not `backend`.
"""

import os

import numpy as np
import pytest

import zoo
from zoo.export import parity, run_exported

SIZES = [(64, 64), (40, 56)]  # the second one checks the dynamic input shape


def _x(height, width, seed=0):
    return np.random.default_rng(seed).random((1, height, width, 3), dtype=np.float32)


def _psnr(reference, test):
    mse = float(np.mean((np.asarray(reference, np.float64) - test) ** 2))
    return 10.0 * np.log10(1.0 / mse) if mse else np.inf


@pytest.fixture(scope="module")
def exported(tmp_path_factory, embedded_restorer):
    """The embedded preset exported once per format: {name: path}."""
    root = tmp_path_factory.mktemp("export")
    paths = {
        "litert": zoo.export(embedded_restorer, root / "dncnn.tflite"),
        "int8": zoo.export(embedded_restorer, root / "dncnn_int8.tflite",
                           quantize="dynamic_int8"),
        "saved_model": zoo.export(embedded_restorer, root / "dncnn_savedmodel",
                                  format="tf_saved_model"),
    }
    # Everything appeared where asked, and nothing else (no staging leftovers).
    assert sorted(p.name for p in root.iterdir()) == sorted(
        ["dncnn.tflite", "dncnn_int8.tflite", "dncnn_savedmodel"]
    )
    return paths


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("kind", ["litert", "saved_model"])
def test_fp32_parity_with_predict(exported, embedded_restorer, kind, size):
    x = _x(*size)
    assert parity(embedded_restorer, exported[kind], x) <= 1e-4
    out = run_exported(exported[kind], x)
    assert out.shape == x.shape and out.dtype == np.float32


def test_litert_batch_of_two(exported, embedded_restorer):
    x = np.concatenate([_x(32, 48, seed=1), _x(32, 48, seed=2)])
    assert parity(embedded_restorer, exported["litert"], x) <= 1e-4


def test_litert_runs_with_ai_edge_litert(exported):
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(exported["litert"]))
    inputs = interpreter.get_input_details()
    outputs = interpreter.get_output_details()
    assert len(inputs) == 1 and len(outputs) == 1
    assert inputs[0]["dtype"] == np.float32
    assert list(inputs[0]["shape_signature"][1:3]) == [-1, -1]  # any height/width


def test_dynamic_int8_is_smaller_and_close(exported, embedded_restorer):
    fp32_size = os.path.getsize(exported["litert"])
    int8_size = os.path.getsize(exported["int8"])
    assert int8_size < 0.5 * fp32_size
    # A noisy natural patch, as the denoiser is used (uniform noise input
    # would exaggerate the int8 error far from any real image).
    from zoo.data import add_gaussian_noise, load_natural_images

    patch = load_natural_images("train")["astronaut"][100:164, 200:264]
    x = add_gaussian_noise(patch, 25, seed=4)[None]
    reference = run_exported(exported["litert"], x)
    quantized = run_exported(exported["int8"], x)
    assert quantized.shape == reference.shape
    assert _psnr(reference, quantized) > 30.0
    assert _psnr(embedded_restorer.predict(x, verbose=0), quantized) > 30.0


def test_int8_keeps_the_output_layer_float(exported, embedded_restorer, tmp_path):
    from zoo.data import add_gaussian_noise, load_natural_images
    from zoo.quantization import int8_weight_scopes

    # Default: every conv int8 but `conv_out`, whose error lands on the pixels.
    scopes = int8_weight_scopes(exported["int8"])
    assert len(scopes) == 16 and not any("conv_out" in s for s in scopes)
    everything = zoo.export(embedded_restorer, tmp_path / "all_int8.tflite",
                            quantize="dynamic_int8", float_layers=[])
    assert len(int8_weight_scopes(everything)) == 17
    # Camera (gray, so channel-identical noise) is where all-int8 lost 0.47 dB
    # on the val protocol; on its top-left quarter the gap is ~10 dB.
    gray = add_gaussian_noise(load_natural_images("val")["camera"][:256, :256], 25, seed=4)
    x = np.repeat(gray[None, ..., None], 3, axis=-1)
    reference = run_exported(exported["litert"], x)
    assert _psnr(reference, run_exported(exported["int8"], x)) > (
        _psnr(reference, run_exported(everything, x)) + 3.0
    )


def test_float_layers_named_stay_float32(tmp_path, tiny_restorer):
    from zoo.quantization import int8_weight_scopes

    restorer = tiny_restorer(depth=4, filters=32)  # conv_in/out: < 1024 weights, float
    both = zoo.export(restorer, tmp_path / "both.tflite", quantize="dynamic_int8")
    assert len(int8_weight_scopes(both)) == 2
    path = zoo.export(restorer, tmp_path / "mixed.tflite", quantize="dynamic_int8",
                      float_layers=["conv_1"])
    assert [s for s in int8_weight_scopes(path) if "conv_1" in s] == []
    assert len(int8_weight_scopes(path)) == 1
    # All of them float: the file computes exactly what the float32 one does.
    names = [layer.name for layer in restorer.backbone.layers if layer.weights]
    path = zoo.export(restorer, tmp_path / "all_float.tflite", quantize="dynamic_int8",
                      float_layers=names)
    assert int8_weight_scopes(path) == []
    assert parity(restorer, path, _x(32, 40)) <= 1e-4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["all_float.tflite", "both.tflite", "mixed.tflite"]


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"quantize": "dynamic_int8", "float_layers": ["no_such_layer"]}, ValueError,
         "float_layers.*no_such_layer"),
        ({"quantize": "dynamic_int8", "float_layers": ["conv_out", "nope"]}, ValueError,
         "float_layers.*nope"),
        ({"quantize": "dynamic_int8", "float_layers": "conv_out"}, TypeError, "float_layers"),
        ({"quantize": "dynamic_int8", "float_layers": [3]}, TypeError, "float_layers"),
        ({"float_layers": ["conv_out"]}, ValueError, "float_layers"),
    ],
)
def test_bad_float_layers(tmp_path, tiny_restorer, kwargs, error, match):
    with pytest.raises(error, match=match):
        zoo.export(tiny_restorer(filters=32), tmp_path / "m.tflite", **kwargs)
    assert list(tmp_path.iterdir()) == []


def test_static_input_shape(tmp_path, tiny_restorer):
    restorer = tiny_restorer()
    path = zoo.export(restorer, tmp_path / "static.tflite", input_shape=(64, 48))
    from ai_edge_litert.interpreter import Interpreter

    detail = Interpreter(model_path=path).get_input_details()[0]
    assert list(detail["shape"]) == [1, 64, 48, 3]
    assert parity(restorer, path, _x(64, 48)) <= 1e-4


def test_export_after_fit_on_clean_images_does_not_degrade(tmp_path, tiny_restorer):
    # Fitting on clean images switches the noise layer on inside `call`;
    # the exported graph must restore, not add noise first.
    restorer = tiny_restorer(degradation=zoo.data.RandomGaussianNoise((0.1, 0.1), seed=0))
    restorer.compile()
    restorer.fit(_x(16, 16)[[0, 0]], epochs=1, batch_size=2, verbose=0)
    path = zoo.export(restorer, tmp_path / "tuned.tflite")
    assert parity(restorer, path, _x(32, 32)) <= 1e-4


def test_saved_model_overwrite_and_no_leftovers(tmp_path, tiny_restorer):
    first, second = tiny_restorer(seed=1), tiny_restorer(seed=2)
    target = tmp_path / "out" / "model"
    zoo.export(first, target)  # no suffix: a SavedModel directory
    assert (target / "saved_model.pb").is_file()
    zoo.export(second, target, format="tf_saved_model")
    x = _x(24, 24)
    assert parity(second, target, x) <= 1e-5
    assert parity(first, target, x) > 1e-3  # really replaced
    assert sorted(p.name for p in target.parent.iterdir()) == ["model"]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"format": "onnx"}, "format"),
        ({"format": "tflite"}, "format"),
        ({"format": "tf_saved_model", "quantize": "dynamic_int8"}, "quantize"),
        ({"quantize": "int4"}, "quantize"),
        ({"input_shape": (64,)}, "input_shape"),
        ({"input_shape": (0, 64)}, "input_shape"),
        ({"input_shape": (64.0, 64)}, "input_shape"),
        ({"input_shape": (1, 64, 64, 3)}, "input_shape"),
    ],
)
def test_bad_arguments_raise_value_error(tmp_path, tiny_restorer, kwargs, match):
    suffix = ".tflite" if kwargs.get("format") != "tf_saved_model" else ""
    with pytest.raises(ValueError, match=match):
        zoo.export(tiny_restorer(), tmp_path / f"m{suffix}", **kwargs)
    assert list(tmp_path.iterdir()) == []


def test_quantize_with_inferred_saved_model_raises(tmp_path, tiny_restorer):
    with pytest.raises(ValueError, match="quantize"):
        zoo.export(tiny_restorer(), tmp_path / "savedmodel", quantize="dynamic_int8")


def test_existing_path_of_wrong_kind(tmp_path, tiny_restorer):
    (tmp_path / "m.tflite").mkdir()
    with pytest.raises(ValueError, match="path"):
        zoo.export(tiny_restorer(), tmp_path / "m.tflite")


def test_saved_model_never_replaces_a_folder_of_user_files(tmp_path, tiny_restorer):
    folder = tmp_path / "mydir"
    folder.mkdir()
    (folder / "notes.txt").write_text("x")
    with pytest.raises(ValueError, match="path.*mydir.*not a SavedModel"):
        zoo.export(tiny_restorer(), folder)
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mydir"]  # no staging left


def test_saved_model_into_an_empty_directory(tmp_path, tiny_restorer):
    (tmp_path / "empty").mkdir()
    restorer = tiny_restorer()
    path = zoo.export(restorer, tmp_path / "empty", format="tf_saved_model")
    assert parity(restorer, path, _x(16, 16)) <= 1e-5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]


# (Not "/": a regression would then delete far more than tmp_path.)
@pytest.mark.parametrize("path", [".", "sub/.."])
def test_path_naming_no_entry_is_refused(tmp_path, monkeypatch, tiny_restorer, path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    (tmp_path / "keep.txt").write_text("x")
    with pytest.raises(ValueError, match="path"):
        zoo.export(tiny_restorer(), path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt", "sub"]


@pytest.mark.parametrize(
    "name, format",
    [("m_lite", "litert"), ("m.tf", "litert"), ("m.tflite", "tf_saved_model")],
)
def test_path_suffix_must_match_format(tmp_path, tiny_restorer, name, format):
    with pytest.raises(ValueError, match="`path`") as e:
        zoo.export(tiny_restorer(), tmp_path / name, format=format)
    assert str(tmp_path / name) in str(e.value) and f".{name}." not in str(e.value)
    assert list(tmp_path.iterdir()) == []


def test_input_shape_must_be_a_size_multiple(tmp_path, tiny_inpainter):
    import keras

    keras.utils.set_random_seed(0)
    nafnet = zoo.models.NAFNetImageRestorer(backbone=zoo.models.NAFNetBackbone(
        width=4, enc_blocks=[1, 1], middle_blocks=0, dec_blocks=[1, 1]))
    assert nafnet.size_multiple == 4
    for model, shape in [(nafnet, (30, 30)), (nafnet, (32, 30)), (tiny_inpainter, (33, 32))]:
        with pytest.raises(ValueError, match=r"input_shape.*multiples of \d.*\(3\d, 3\d\)"):
            zoo.export(model, tmp_path / "m.tflite", input_shape=shape)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("model", [None, object(), lambda x: x, "dncnn_color_blind"])
def test_non_keras_model_raises_type_error(tmp_path, model):
    with pytest.raises(TypeError, match="model"):
        zoo.export(model, tmp_path / "m.tflite")
    assert list(tmp_path.iterdir()) == []


# Multi-input models: the inpainter takes {"images", "masks"}.


@pytest.fixture(scope="module")
def tiny_inpainter():
    import keras

    keras.utils.set_random_seed(0)
    return zoo.models.InpaintUNetInpainter(
        backbone=zoo.models.InpaintUNetBackbone(width=4, depth=1, dilations=[2])
    )


@pytest.fixture(scope="module")
def exported_inpainter(tmp_path_factory, tiny_inpainter):
    root = tmp_path_factory.mktemp("export_inpaint")
    return {
        "litert": zoo.export(tiny_inpainter, root / "inpaint.tflite"),
        "saved_model": zoo.export(tiny_inpainter, root / "inpaint_savedmodel"),
    }


@pytest.mark.parametrize("kind", ["litert", "saved_model"])
def test_multi_input_fp32_parity(exported_inpainter, tiny_inpainter, kind):
    from zoo.export import random_inputs

    for batch, (height, width) in [(1, (64, 64)), (2, (40, 56))]:
        x = random_inputs(tiny_inpainter, height, width, batch_size=batch, seed=batch)
        assert set(x) == {"images", "masks"}
        assert set(np.unique(x["masks"])) == {0.0, 1.0}
        assert parity(tiny_inpainter, exported_inpainter[kind], x) <= 1e-4
        out = run_exported(exported_inpainter[kind], x)
        assert out.shape == (batch, height, width, 3) and out.dtype == np.float32
        # Known pixels pass through the exported model too.
        known = np.broadcast_to(x["masks"] == 0, out.shape)
        np.testing.assert_allclose(out[known], x["images"][known], atol=1e-6)


def test_multi_input_litert_signature_names(exported_inpainter):
    from ai_edge_litert.interpreter import Interpreter

    signature = Interpreter(model_path=str(exported_inpainter["litert"])).get_signature_list()
    assert sorted(signature["serving_default"]["inputs"]) == ["images", "masks"]


def test_multi_input_static_shape(tmp_path, tiny_inpainter):
    from ai_edge_litert.interpreter import Interpreter

    from zoo.export import random_inputs

    path = zoo.export(tiny_inpainter, tmp_path / "static.tflite", input_shape=(32, 48))
    runner = Interpreter(model_path=path).get_signature_runner()
    shapes = {k: list(v["shape"]) for k, v in runner.get_input_details().items()}
    assert shapes == {"images": [1, 32, 48, 3], "masks": [1, 32, 48, 1]}
    assert parity(tiny_inpainter, path, random_inputs(tiny_inpainter, 32, 48)) <= 1e-4


@pytest.mark.parametrize("kind", ["litert", "saved_model"])
def test_multi_input_bad_inputs_name_the_argument(exported_inpainter, kind):
    images = _x(16, 16)
    with pytest.raises(ValueError, match="inputs.*dict"):
        run_exported(exported_inpainter[kind], images)
    with pytest.raises(ValueError, match="inputs.*keys"):
        run_exported(exported_inpainter[kind], {"images": images})


# Text-to-image: the text encoder and generator in one graph,
# token_ids + padding_mask + noise -> image in [-1, 1].

T2I_PROMPTS = ["a large red circle above a small blue square", "small green triangle, left"]


def tiny_text_gan(seed=0, **kwargs):
    """A 16x16 text GAN with a tiny encoder (fast to build and convert)."""
    import keras

    from zoo.text import TinyTextEncoder

    keras.utils.set_random_seed(seed)
    encoder = TinyTextEncoder(sequence_length=12, hidden_dim=8, num_layers=1, num_heads=2,
                              intermediate_dim=16)
    return zoo.models.TextGANTextToImage.from_scratch(
        encoder, sequence_length=12, image_size=16, generator_width=4, discriminator_width=4,
        noise_dim=4, attention_resolutions=(8,), seed=seed, **kwargs,
    )


def assert_uint8_equal(images, expected, reference):
    """`images_to_uint8(images) == expected`, except where `reference` (the
    Keras floats) lies within 1e-3 of a rounding tie: there +-1 is allowed."""
    from zoo.tasks.text_to_image import images_to_uint8

    got = images_to_uint8(images).astype(int)
    scaled = (np.asarray(reference, np.float64) + 1.0) * 127.5
    tie = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-3
    assert np.array_equal(got[~tie], expected.astype(int)[~tie])
    assert np.all(np.abs(got - expected.astype(int)) <= 1)


@pytest.fixture(scope="module")
def text_gan():
    return tiny_text_gan()


@pytest.fixture(scope="module")
def exported_text_gan(tmp_path_factory, text_gan):
    root = tmp_path_factory.mktemp("export_t2i")
    paths = {
        "litert": zoo.export(text_gan, root / "g.tflite"),
        "saved_model": zoo.export(text_gan, root / "g_savedmodel", format="tf_saved_model"),
    }
    assert sorted(p.name for p in root.iterdir()) == ["g.tflite", "g_savedmodel"]
    return paths


def test_text_to_image_litert_signature(exported_text_gan):
    from ai_edge_litert.interpreter import Interpreter

    runner = Interpreter(model_path=exported_text_gan["litert"]).get_signature_runner()
    inputs = runner.get_input_details()
    assert {k: (v["dtype"], list(v["shape_signature"])) for k, v in inputs.items()} == {
        "token_ids": (np.int32, [-1, 12]),
        "padding_mask": (np.int32, [-1, 12]),
        "noise": (np.float32, [-1, 4]),
    }
    (output,) = runner.get_output_details().values()
    assert output["dtype"] == np.float32 and output["shape_signature"][-1] == 3


@pytest.mark.parametrize("kind", ["litert", "saved_model"])
def test_text_to_image_parity_and_generate(exported_text_gan, text_gan, kind):
    from zoo.export import random_inputs

    path = exported_text_gan[kind]
    x = text_gan.export_inputs(T2I_PROMPTS, seed=5)
    assert parity(text_gan, path, x) <= 1e-4
    out = run_exported(path, x)
    assert out.shape == (2, 16, 16, 3) and out.dtype == np.float32
    assert out.min() >= -1.0 and out.max() <= 1.0
    # What `generate` computes, on the same tokens and noise.
    reference = keras_numpy(text_gan.predict_on_batch(x))
    assert float(np.max(np.abs(out - reference))) <= 1e-4
    # ... and its uint8 images: export_inputs draws generate's noise.
    assert_uint8_equal(out, text_gan.generate(T2I_PROMPTS, seed=5), reference)
    # A batch of one, and random_inputs (what `zoo export --check` uses).
    one = text_gan.export_inputs(T2I_PROMPTS[1], seed=9)
    assert_uint8_equal(run_exported(path, one), text_gan.generate(T2I_PROMPTS[1], seed=9)[None],
                       keras_numpy(text_gan.predict_on_batch(one)))
    x3 = random_inputs(text_gan, 64, 64, batch_size=3, seed=2)
    assert sorted(x3) == ["noise", "padding_mask", "token_ids"]
    assert x3["token_ids"].dtype == np.int32 and x3["noise"].shape == (3, 4)
    assert parity(text_gan, path, x3) <= 1e-4


def keras_numpy(value):
    import keras

    return np.asarray(keras.ops.convert_to_numpy(value))


def test_text_to_image_export_inputs_are_generates(text_gan):
    x = text_gan.export_inputs(T2I_PROMPTS, seed=3, num_per_prompt=2)
    tokens = text_gan.tokenizer([p for p in T2I_PROMPTS for _ in range(2)])
    np.testing.assert_array_equal(x["token_ids"], tokens["token_ids"])
    np.testing.assert_array_equal(x["padding_mask"], tokens["padding_mask"])
    noise = np.random.default_rng(3).standard_normal((4, 4)).astype(np.float32)
    np.testing.assert_array_equal(x["noise"], noise)
    assert x["token_ids"].dtype == np.int32 and x["noise"].dtype == np.float32


def test_text_to_image_input_shape_does_not_apply(tmp_path, text_gan):
    with pytest.raises(ValueError, match="input_shape"):
        zoo.export(text_gan, tmp_path / "sub" / "g.tflite", input_shape=(16, 16))
    assert list(tmp_path.iterdir()) == []


def test_text_to_image_with_coordinate_biases_exports(tmp_path):
    from zoo.layers import CoordinateBias

    gan = tiny_text_gan(seed=2, generator_coordinates=True)
    layers = [l for l in gan.generator.layers if isinstance(l, CoordinateBias)]
    assert len(layers) == 2
    for i, layer in enumerate(layers):  # non-zero ramps, or the test sees none
        layer.set_weights([np.random.default_rng(i).normal(0, 1, layer.kernel.shape)
                           .astype("float32")])
    path = zoo.export(gan, tmp_path / "coordinates.tflite")
    x = gan.export_inputs(T2I_PROMPTS, seed=4)
    assert parity(gan, path, x) <= 1e-4


@pytest.mark.slow
def test_text_to_image_with_minilm_exports(tmp_path):
    """MiniLM converts too: the file carries its 22.7M weights (~90 MB)."""
    gan = zoo.models.TextGANTextToImage.from_scratch(
        "minilm", sequence_length=16, image_size=16, generator_width=4, discriminator_width=4,
        noise_dim=4, attention_resolutions=(8,), seed=0,
    )
    path = zoo.export(gan, tmp_path / "minilm_gan.tflite")
    assert os.path.getsize(path) > 80e6
    x = gan.export_inputs(T2I_PROMPTS, seed=1)
    assert parity(gan, path, x) <= 1e-4


def test_embedded_text_gan_preset_runs_in_litert(tmp_path):
    # The shipped 64x64 generator, not only the tiny test one: every op must
    # be a LiteRT builtin (a TensorFlow op would fail in the interpreter).
    gan = zoo.from_preset("text_gan_tiny")
    path = zoo.export(gan, tmp_path / "text_gan_tiny.tflite")
    inputs = gan.export_inputs(["a large red circle above a small blue square"], seed=0)
    assert parity(gan, path, inputs) <= 1e-4


def test_bad_float_layers_creates_no_folder(tmp_path, tiny_restorer):
    target = tmp_path / "new" / "m.tflite"
    with pytest.raises(ValueError, match="float_layers"):
        zoo.export(tiny_restorer(), target, quantize="dynamic_int8", float_layers=["nope"])
    assert list(tmp_path.iterdir()) == []


def test_embedded_inpainter_int8_keeps_all_but_the_bottom_float(tmp_path):
    from zoo.data import load_natural_images, protocol_masks
    from zoo.quantization import int8_weight_scopes

    inpainter = zoo.from_preset("inpaint_unet")
    mixed = zoo.export(inpainter, tmp_path / "int8.tflite", quantize="dynamic_int8")
    everything = zoo.export(inpainter, tmp_path / "all_int8.tflite",
                            quantize="dynamic_int8", float_layers=[])
    bottom = {"down2", "enc2", "context0", "context1", "context2"}
    assert {s for scopes in int8_weight_scopes(mixed) for s in scopes} & set(
        zoo.quantization.weighted_layer_names(inpainter)) == bottom
    # A train-split crop where all-int8 loses ~2.3 dB in the hole.
    retina = load_natural_images("train")["retina"]
    top, left = (retina.shape[0] - 256) // 2, (retina.shape[1] - 256) // 2
    clean = retina[top : top + 256, left : left + 256].astype(np.float32) / 255
    mask = protocol_masks({"crop": clean}, seed=0)["crop"][None, ..., None]
    x = {"images": (clean * (1 - mask[0]))[None], "masks": mask}
    # The fp32 file gives predict's numbers (tested above): compare with those.
    reference = inpainter.predict(x, verbose=0)
    loss = {name: _psnr(clean[None], reference) - _psnr(clean[None], run_exported(path, x))
            for name, path in (("mixed", mixed), ("all", everything))}
    assert loss["mixed"] < 0.2 and loss["all"] > 1.0, loss
    # fp32 LiteRT stores every weight as 4 bytes.
    fp32_bytes = 4 * inpainter.count_params()
    assert os.path.getsize(mixed) < 0.5 * fp32_bytes


def test_an_embedding_cannot_stay_float_in_a_dynamic_int8_file(tmp_path, text_gan):
    # Its int8 lookup feeds int8 consumers: the table cannot go back alone.
    with pytest.raises(ValueError, match="`float_layers`.*token_embedding"):
        zoo.export(text_gan, tmp_path / "g8.tflite", quantize="dynamic_int8",
                   float_layers=["token_embedding"])
    assert list(tmp_path.iterdir()) == []
