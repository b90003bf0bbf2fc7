"""Shared fixtures: tiny DnCNN restorers, the embedded preset, subprocess env."""

import os
import pathlib

import numpy as np
import pytest

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root():
    return REPO_ROOT


@pytest.fixture
def subprocess_env():
    """Builds an environment for a child Python that can import the repo's zoo."""

    def make(backend="tensorflow", pythonpath=str(REPO_ROOT), **extra):
        env = dict(os.environ, KERAS_BACKEND=backend, PYTHONPATH=pythonpath)
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        env.update(extra)
        return env

    return make


@pytest.fixture
def tiny_restorer():
    """Factory for small seeded DnCNN restorers (receptive radius = depth)."""
    import keras

    import zoo

    def make(depth=3, filters=8, seed=0, zero_output=False, **kwargs):
        keras.utils.set_random_seed(seed)
        backbone = zoo.models.DnCNNBackbone(depth=depth, filters=filters)
        if zero_output:
            layer = backbone.get_layer("conv_out")
            layer.set_weights([np.zeros_like(w) for w in layer.get_weights()])
        return zoo.models.DnCNNImageRestorer(backbone=backbone, **kwargs)

    return make


@pytest.fixture(scope="session")
def embedded_restorer():
    """The embedded `dncnn_color_blind` preset, loaded once (do not train it)."""
    import zoo

    return zoo.from_preset("dncnn_color_blind")


def pytest_configure(config):
    import keras

    if keras.config.backend() == "jax":
        # With partitionable threefry, jax compiles a fresh program for each
        # new weight shape's initializer (tens of seconds each on 2 cores).
        import jax

        jax.config.update("jax_threefry_partitionable", False)
