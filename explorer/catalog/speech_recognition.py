"""What the speech recognition tasks are (pure data; their runners are registered in
``explorer/heads/speech_recognition.py``)."""

from __future__ import annotations

from explorer.catalog import TaskSpec
from explorer.options import LANGUAGE, MAX_NEW_TOKENS, RETURN_TIMESTAMPS

_ASR = "automatic-speech-recognition"
# A transducer sizes its output from the audio unless told.
_TRANSDUCER_LIMIT = MAX_NEW_TOKENS.but(default=None, help="the most tokens to emit (default: as "
                                      "many as the audio's frames allow)")

SPECS = [
    TaskSpec("AutoModelForCTC", ("ctc", _ASR), "audio", ("audio",), "transcript",
             "AutoProcessor",
             "A token (letter or word piece) for every ~20 ms frame; repeats and blanks collapse "
             "into the transcript (wav2vec2, HuBERT)."),
    TaskSpec("AutoModelForSpeechSeq2Seq", (_ASR, "speech-seq2seq"), "audio", ("audio",),
             "transcript", "AutoProcessor",
             "An encoder hears the audio and a decoder writes the text token by token (Whisper).",
             options=(MAX_NEW_TOKENS.but(default=64), RETURN_TIMESTAMPS, LANGUAGE)),
    TaskSpec("AutoModelForRNNT", ("rnnt", _ASR), "audio", ("audio",), "transcript",
             "AutoProcessor",
             "Transducer: a joint network over each audio frame and the text so far emits tokens "
             "until a blank moves it to the next frame (Parakeet RNN-T).",
             options=(_TRANSDUCER_LIMIT,)),
    TaskSpec("AutoModelForTDT", ("tdt", _ASR), "audio", ("audio",), "transcript",
             "AutoProcessor",
             "Token-and-duration transducer: like RNN-T, but also predicts how many frames each "
             "token lasts, so it skips ahead (Parakeet TDT).",
             options=(_TRANSDUCER_LIMIT,)),
]
