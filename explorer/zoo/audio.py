"""What the audio zoo recipes share (the recipes live beside their runners, in
``explorer/heads/``): the example clip, the letter alphabet and the tiny wav2vec2.

The speech models share one tiny wav2vec2 body: a 7-layer conv feature encoder with the real
strides (320 samples → one frame, 20 ms at 16 kHz) but 16 channels, and a 2-layer transformer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SPEECH = "speech.wav"
LETTERS = "abcdefghijklmnopqrstuvwxyz'"


def wav2vec2_config(**kwargs: Any) -> Any:
    from transformers import AutoConfig

    return AutoConfig.for_model(
        "wav2vec2", hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, conv_dim=(16,) * 7, num_conv_pos_embeddings=16,
        num_conv_pos_embedding_groups=4, **kwargs)


def wav2vec2_features() -> Any:
    from transformers import Wav2Vec2FeatureExtractor

    return Wav2Vec2FeatureExtractor(feature_size=1, sampling_rate=16000, padding_value=0.0,
                                    do_normalize=True, return_attention_mask=True)


def ctc_tokenizer(directory: Path) -> Any:
    """A letter vocabulary (``|`` separates words, ``<pad>`` is the CTC blank), its file written
    into ``directory``."""
    from transformers import Wav2Vec2CTCTokenizer

    vocab = {t: i for i, t in enumerate(["<pad>", "<unk>", "|", *LETTERS])}
    vocab_file = directory / "vocab.json"
    vocab_file.write_text(json.dumps(vocab))
    # No <s> / </s>: CTC never needs them, and a random head would scatter them in the text.
    return Wav2Vec2CTCTokenizer(str(vocab_file), word_delimiter_token="|", bos_token=None,
                                eos_token=None)
