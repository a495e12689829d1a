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
from dataclasses import dataclass, replace

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


# --- speakers: one fixed voice each, for speaker embeddings ------------------------------------

SPEAKERS = tuple(Voice(accent, variant, 150, 50, 0) for accent in ACCENTS for variant in VARIANTS)
"""The speaker world's 104 people: one per eSpeak accent and variant, at eSpeak's default pitch."""


def said_by(number: int, seed: random.Random | int) -> Utterance:
    """One to four digits or command words, said by ``SPEAKERS[number]`` at a speed and word gap
    of this utterance's own, as a person's vary."""
    rng = _rng(seed)
    how = replace(SPEAKERS[number], speed=rng.randint(*SPEEDS), gap=rng.randint(*GAPS))
    text = " ".join(rng.choice(DIGITS + COMMANDS) for _ in range(rng.randint(1, 4)))
    return Utterance(text, how, speak(text, how))


# --- soundscapes: silence, speech and music, labelled every 20 ms ------------------------------

FRAME_LABELS = ("silence", "speech", "music")
FRAME = 320
"""Samples per labelled frame: 20 ms at 16 kHz, one wav2vec2-style output frame."""


@dataclass(frozen=True)
class Soundscape:
    waveform: np.ndarray
    """16 kHz mono float32; half of them with a faint noise floor."""
    segments: tuple[tuple[str, float, float], ...]
    """``(label, start, end)`` in seconds, tiling the clip."""

    @property
    def frame_labels(self) -> tuple[str, ...]:
        """The label at the centre of each 20 ms frame."""
        found = []
        for centre in np.arange(FRAME // 2, len(self.waveform), FRAME) / RATE:
            found.append(next(label for label, start, end in self.segments if centre < end))
        return tuple(found)


def _trimmed(waveform: np.ndarray) -> np.ndarray:
    """eSpeak's recording without the silence it leaves before and after the words."""
    loud = np.flatnonzero(np.abs(waveform) > 0.02)
    return waveform[loud[0]:loud[-1] + 1] if len(loud) else waveform


def music(seed: random.Random | int, seconds: float) -> np.ndarray:
    """Synthetic music: a run of notes (A2–A5), each a few decaying harmonics, some doubled a
    third or fifth above."""
    rng = _rng(seed)
    out = np.zeros(int(seconds * RATE), np.float32)
    start = 0
    while start < len(out):
        length = min(int(rng.uniform(0.1, 0.35) * RATE), len(out) - start)
        t = np.arange(length) / RATE
        envelope = np.exp(-t * rng.uniform(2, 8)) * np.minimum(1.0, t / 0.01)
        note = np.zeros(length)
        for midi in {rng.randint(45, 81)} | ({rng.choice((4, 7)) + 60} if rng.random() < 0.3
                                               else set()):
            pitch = 440.0 * 2 ** ((midi - 69) / 12)
            note += sum(np.sin(2 * np.pi * pitch * h * t) / h ** rng.uniform(1, 2)
                        for h in range(1, rng.randint(2, 5)))
        out[start:start + length] = 0.3 * envelope * note / np.abs(note).max()
        start += length
    return out


def soundscape(seed: random.Random | int) -> Soundscape:
    """2–6 s: silence, spoken words (digits or a command) and music in a random order, each
    kind at least once."""
    rng = _rng(seed)
    kinds = ["speech", "music", *rng.sample(["speech", "music", "silence"], rng.randint(0, 2))]
    rng.shuffle(kinds)
    pieces: list[np.ndarray] = []
    segments: list[tuple[str, float, float]] = []

    def add(label: str, samples: np.ndarray) -> None:
        start = sum(len(p) for p in pieces) / RATE
        pieces.append(samples.astype(np.float32))
        segments.append((label, start, start + len(samples) / RATE))

    for kind in kinds:
        add("silence", np.zeros(int(rng.uniform(0.15, 0.6) * RATE)))
        if kind == "speech":
            said = digits(rng, (1, 2)) if rng.random() < 0.5 else command(rng)
            add("speech", _trimmed(said.waveform) * rng.uniform(0.4, 1.0))
        elif kind == "music":
            add("music", music(rng, rng.uniform(0.4, 1.2)))
    add("silence", np.zeros(int(rng.uniform(0.15, 0.6) * RATE)))
    waveform = np.concatenate(pieces)
    level = rng.choice((0.0, rng.uniform(0.001, 0.006)))
    noise = np.random.default_rng(rng.getrandbits(32)).normal(0.0, level, len(waveform))
    return Soundscape((waveform + noise).astype(np.float32), tuple(segments))
