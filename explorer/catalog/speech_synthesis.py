"""What the speech synthesis tasks are (pure data; their runners are registered in
``explorer/heads/speech_synthesis.py``)."""

from __future__ import annotations

from explorer.catalog import TaskSpec
from explorer.options import SEED, SPEAKER_ID, TGT_LANG

SPECS = [
    TaskSpec("AutoModelForTextToSpectrogram", ("text-to-spectrogram", "text-to-speech"),
             "audio", ("text",), "audio", "AutoProcessor",
             "Writes a mel spectrogram for the text, frame by frame (SpeechT5, FastSpeech2); a "
             "vocoder turns it into sound.", options=(SEED, SPEAKER_ID, TGT_LANG)),
    TaskSpec("AutoModelForTextToWaveform", ("text-to-speech", "text-to-audio"), "audio",
             ("text",), "audio", "AutoProcessor",
             "Text in, waveform out: speech (VITS / MMS-TTS, Bark) or music (MusicGen).",
             options=(SEED, SPEAKER_ID, TGT_LANG)),
]
