"""Text stack: tokenizers and text encoders."""

from zoo.text.minilm import MINILM_INSTALL_HINT, minilm_checkpoint_dir
