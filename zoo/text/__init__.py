"""Text stack: tokenizers and text encoders.

Example:
```python
tokenizer = zoo.text.PromptTokenizer(sequence_length=16)
encoder = zoo.text.MiniLMEncoder()        # or TinyTextEncoder() to train
out = encoder(tokenizer(["a big red circle on the left"]))
out["token_states"], out["pooled"]        # [1, 16, 384], [1, 384]
```
"""

from zoo.text.minilm import MINILM_INSTALL_HINT, minilm_checkpoint_dir
from zoo.text.minilm_encoder import MINILM_REFERENCES, MiniLMEncoder
from zoo.text.pooling import MaskedMeanPooling
from zoo.text.prompt_tokenizer import MINILM_VOCABULARY, PromptTokenizer
from zoo.text.tiny_text_encoder import TinyTextEncoder
