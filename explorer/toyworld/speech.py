"""The speech world: spoken digits and short commands, synthesised with eSpeak NG.

Every generator takes a ``random.Random`` (or a seed) and returns an ``Utterance``: 16 kHz mono
float32 samples with what was said and how (accent, voice variant, speed, pitch, word gap), so the
same seed gives the same recording and a held-out set is just another seed. eSpeak NG (the Debian
package ``espeak-ng``) is needed only to make recordings, i.e. to train and to test the speech
toys; the explorer never calls it at run time.
"""

from __future__ import annotations

import io
import random
import shutil
import subprocess
from dataclasses import dataclass

import numpy as np

from explorer.errors import ExplorerError

RATE = 16000
DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
COMMANDS = ("yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go")
"""The ten core words of the Speech Commands data set."""
ACCENTS = ("en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-gb-x-gbclan", "en-gb-x-gbcwmd",
           "en-029", "en-us-nyc")
VARIANTS = ("", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5")
"""eSpeak voice variants (``en-us+f3``): the default voice, seven male and five female."""
SPEEDS = (120, 200)
"""Words per minute, drawn uniformly."""
PITCHES = (25, 75)
"""eSpeak's pitch (0–99, default 50), drawn uniformly."""
GAPS = (0, 3)
"""Extra pause between words, in units of 10 ms."""


@dataclass(frozen=True)
class Voice:
    accent: str
    variant: str
    speed: int
    pitch: int
    gap: int

    @property
    def name(self) -> str:
        """eSpeak's ``-v`` argument: ``en-us`` or ``en-us+f3``."""
        return f"{self.accent}+{self.variant}" if self.variant else self.accent


@dataclass(frozen=True)
class Utterance:
    text: str
    voice: Voice
    waveform: np.ndarray
    """16 kHz mono float32 in [-1, 1]."""

    @property
    def seconds(self) -> float:
        return len(self.waveform) / RATE


def _rng(seed: random.Random | int) -> random.Random:
    return seed if isinstance(seed, random.Random) else random.Random(seed)


def voice(seed: random.Random | int) -> Voice:
    rng = _rng(seed)
    return Voice(rng.choice(ACCENTS), rng.choice(VARIANTS), rng.randint(*SPEEDS),
                 rng.randint(*PITCHES), rng.randint(*GAPS))


def speak(text: str, how: Voice) -> np.ndarray:
    """``text`` as eSpeak NG says it with voice ``how``: 16 kHz mono float32."""
    import soundfile

    from explorer.inputs import resample

    if shutil.which("espeak-ng") is None:
        raise ExplorerError("the speech world needs eSpeak NG to make recordings: "
                            "apt-get install espeak-ng")
    wav = subprocess.run(
        ["espeak-ng", "--stdout", "-v", how.name, "-s", str(how.speed), "-p", str(how.pitch),
         "-g", str(how.gap), text], check=True, capture_output=True).stdout
    samples, rate = soundfile.read(io.BytesIO(wav), dtype="float32")
    return resample(samples, rate, RATE)


def digits(seed: random.Random | int, count: tuple[int, int] = (2, 5)) -> Utterance:
    """A sequence of ``count`` (inclusive range) spoken digits: "three one four"."""
    rng = _rng(seed)
    text = " ".join(rng.choice(DIGITS) for _ in range(rng.randint(*count)))
    how = voice(rng)
    return Utterance(text, how, speak(text, how))


def command(seed: random.Random | int) -> Utterance:
    """One spoken command word: "left"."""
    rng = _rng(seed)
    text = rng.choice(COMMANDS)
    how = voice(rng)
    return Utterance(text, how, speak(text, how))
