"""What the audio codec tasks are (pure data; their runners are registered in
``explorer/heads/audio_codec.py``)."""

from __future__ import annotations

from explorer.catalog import TaskSpec

SPECS = [
    TaskSpec("AutoModelForAudioTokenization", ("audio-tokenization", "audio-codec"), "audio",
             ("audio",), "audio", "AutoFeatureExtractor",
             "A neural codec: encodes audio into discrete codes (the tokens speech LMs read) and "
             "decodes them back (DAC, X-Codec)."),
]
