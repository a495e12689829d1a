"""What the audio classification tasks are (pure data; their runners are registered in
``explorer/heads/audio_classification.py``)."""

from __future__ import annotations

from explorer.catalog import TaskSpec
from explorer.options import MULTI_LABEL, THRESHOLD, TOP_K

SPECS = [
    TaskSpec("AutoModelForAudioClassification", ("audio-classification",), "audio", ("audio",),
             "classification", "AutoFeatureExtractor",
             "Pools the whole clip into one vector, then scores each label (keywords, emotion, "
             "language, sound events).", options=(TOP_K,)),
    TaskSpec("AutoModelForAudioFrameClassification",
             ("audio-frame-classification", "speaker-diarization", "voice-activity-detection"),
             "audio", ("audio",), "frames", "AutoFeatureExtractor",
             "A label for every ~20 ms frame, merged into time spans (who speaks when, "
             "speech vs silence).", options=(MULTI_LABEL, THRESHOLD)),
    TaskSpec("AutoModelForAudioXVector", ("audio-xvector", "speaker-verification"), "audio",
             ("audio",), "embedding", "AutoFeatureExtractor",
             "An x-vector: one speaker embedding per clip (TDNN + statistics pooling) for "
             "speaker verification."),
]
