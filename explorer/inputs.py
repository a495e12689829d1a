"""Raw user input → one ``Inputs`` record the task runners read.

Forgiving in the ways users expect: images in any PIL mode become RGB, audio files of any rate and
channel count become mono float32 (resampled later, to what the model's feature extractor wants),
CSV tables become ``{column: [cells]}``. Anything unusable raises ``BadInput`` with one line.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from explorer.errors import BadInput

ImageLike = Any  # a path, a PIL image, or an (h, w[, c]) array
AudioLike = Any  # a path, a 1-D/2-D array (give sampling_rate), or (array, sampling_rate)


@dataclass(frozen=True)
class Inputs:
    """Everything a run can read. Unused kinds stay empty."""

    text: tuple[str, ...] = ()
    text_pair: str | None = None
    question: str | None = None
    context: str | None = None
    labels: tuple[str, ...] = ()
    """Candidate labels (zero-shot) or answer choices (multiple choice)."""
    image: Any = field(default=None, repr=False)
    """An RGB ``PIL.Image.Image`` (a clip's first frame)."""
    frames: tuple[Any, ...] = field(default=(), repr=False)
    """A clip's frames (RGB PIL images, at most ``MAX_CLIP_FRAMES``, evenly spread over it) when
    the image input was an animated GIF / PNG / WebP, an MP4 / WebM / ... file or a list of
    frames; empty for a still image."""
    image_name: str | None = None
    audio: np.ndarray | None = field(default=None, repr=False)
    """Mono float32 waveform at ``sampling_rate``."""
    sampling_rate: int | None = None
    audio_name: str | None = None
    table: dict[str, list[str]] | None = None

    def kinds(self) -> set[str]:
        """Input kinds that were given."""
        given = {
            "text": bool(self.text), "text_pair": self.text_pair is not None,
            "question": self.question is not None, "context": self.context is not None,
            "labels": bool(self.labels), "image": self.image is not None,
            "audio": self.audio is not None, "table": self.table is not None,
        }
        return {k for k, v in given.items() if v}

    def summary(self) -> dict[str, Any]:
        """JSON-safe description of what was given (no pixels or samples)."""
        out: dict[str, Any] = {}
        for name in ("text", "text_pair", "question", "context", "labels"):
            value = getattr(self, name)
            if value:
                out[name] = list(value) if isinstance(value, tuple) else value
        if self.image is not None:
            out["image"] = {"name": self.image_name, "size": list(self.image.size)}
            if self.frames:
                out["image"]["frames"] = len(self.frames)
        if self.audio is not None:
            assert self.sampling_rate is not None  # make_inputs sets it with the audio
            out["audio"] = {"name": self.audio_name, "sampling_rate": self.sampling_rate,
                            "seconds": round(len(self.audio) / self.sampling_rate, 3)}
        if self.table is not None:
            out["table"] = {"columns": list(self.table)}
        return out


def make_inputs(
    text: str | Iterable[str] | None = None,
    *,
    text_pair: str | None = None,
    question: str | None = None,
    context: str | None = None,
    labels: str | Iterable[str] | None = None,
    image: ImageLike | None = None,
    audio: AudioLike | None = None,
    sampling_rate: int | None = None,
    table: Any = None,
) -> Inputs:
    """Convert whatever the user gave into an ``Inputs``."""
    texts = (text,) if isinstance(text, str) else tuple(text or ())
    if isinstance(labels, str):
        labels = [part for part in labels.split(",")]
    label_list = tuple(s.strip() for s in (labels or ()) if s and s.strip())
    frames = read_clip(image) if image is not None else ()
    pil = frames[0] if frames else (to_rgb(image) if image is not None else None)
    image_name = _name_of(image) if image is not None else None
    waveform, rate, audio_name = None, None, None
    if audio is not None:
        waveform, rate = load_audio(audio, sampling_rate)
        audio_name = _name_of(audio)
    return Inputs(
        text=texts, text_pair=text_pair, question=question, context=context, labels=label_list,
        image=pil, frames=frames, image_name=image_name, audio=waveform, sampling_rate=rate,
        audio_name=audio_name,
        table=load_table(table) if table is not None else None,
    )


def _name_of(source: Any) -> str | None:
    if isinstance(source, (tuple, list)) and source:
        source = source[0]
    if isinstance(source, (str, os.PathLike)):
        return Path(source).name
    return getattr(source, "filename", None) or None


# ---------------------------------------------------------------------------- images


def to_rgb(image: ImageLike) -> Any:
    """Open / convert an image to 8-bit RGB, whatever its mode (RGBA, LA, P, L, I;16, CMYK, F)."""
    from PIL import Image, UnidentifiedImageError

    if isinstance(image, (str, os.PathLike)):
        try:
            with Image.open(image) as opened:
                opened.load()
                image = opened.copy()
        except FileNotFoundError:
            raise BadInput(f"image file not found: {image}; give the path of a PNG or JPEG "
                           "file") from None
        except (UnidentifiedImageError, OSError) as exc:
            raise BadInput(f"cannot read {image} as an image ({exc}); use PNG, JPEG, BMP, GIF, TIFF "
                           "or WebP") from None
    elif isinstance(image, np.ndarray):
        image = _array_to_image(image)
    elif isinstance(image, bytes):
        return to_rgb(io.BytesIO(image))
    elif hasattr(image, "read"):
        try:
            image = Image.open(image)
            image.load()
        except (UnidentifiedImageError, OSError) as exc:
            raise BadInput(f"cannot read the upload as an image ({exc}); use PNG or JPEG") from None
    if not isinstance(image, Image.Image):
        raise BadInput(f"expected an image path, PIL image or array, got {type(image).__name__}")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        # Composite transparency over white, as a viewer would show it.
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        return _array_to_image(np.asarray(image, dtype=np.float64))
    return image.convert("RGB")


def _array_to_image(array: np.ndarray) -> Any:
    """Scale any numeric array (h, w) / (h, w, 1|3|4) to an 8-bit RGB image."""
    from PIL import Image

    a = np.asarray(array)
    if a.ndim == 3 and a.shape[0] in (1, 3, 4) and a.shape[-1] not in (1, 3, 4):
        a = np.moveaxis(a, 0, -1)  # channels-first → channels-last
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[-1] not in (3, 4)):
        raise BadInput(f"an image array must be (h, w) or (h, w, 3|4); got shape {a.shape}")
    if a.dtype != np.uint8:
        a = a.astype(np.float64)
        lo, hi = float(np.nanmin(a)), float(np.nanmax(a))
        if 0.0 <= lo and hi <= 1.0:
            a = a * 255.0
        elif hi > 255.0 or lo < 0.0:
            a = (a - lo) / ((hi - lo) or 1.0) * 255.0
        a = np.nan_to_num(a).clip(0, 255).astype(np.uint8)
    image = Image.fromarray(a)
    return to_rgb(image) if image.mode != "RGB" else image


# ---------------------------------------------------------------------------- clips

CLIP_SUFFIXES = (".mp4", ".webm", ".mkv", ".mov", ".avi", ".m4v")
"""Video containers, decoded with PyAV (animated GIF / PNG / WebP are read with PIL)."""
MAX_CLIP_FRAMES = 64
"""Frames kept of a longer clip (evenly spread): more than video models take (8 to 32)."""


def read_clip(source: ImageLike) -> tuple[Any, ...]:
    """A clip's frames as RGB PIL images, at most ``MAX_CLIP_FRAMES`` evenly spread over it; ``()``
    for a still image. ``source``: a path, bytes or file object (animated GIF / PNG / WebP, or a
    video file PyAV decodes: MP4, WebM, ...), an animated PIL image, a list of frames (images or
    arrays) or a (frames, h, w[, c]) array."""
    from PIL import Image, UnidentifiedImageError

    if isinstance(source, (list, tuple)):
        if not source:
            raise BadInput("the clip has no frames; give at least one image")
        return tuple(to_rgb(frame) for frame in _keep_evenly(source))
    if isinstance(source, np.ndarray) and source.ndim == 4:
        return tuple(to_rgb(frame) for frame in _keep_evenly(list(source)))
    if isinstance(source, (str, os.PathLike)) and Path(source).suffix.lower() in CLIP_SUFFIXES:
        return _decode_video(source)
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    if isinstance(source, Image.Image):
        return _animated_frames(source)
    if isinstance(source, (str, os.PathLike)) or hasattr(source, "read"):
        try:
            with Image.open(source) as opened:
                return _animated_frames(opened)
        except UnidentifiedImageError:
            if not hasattr(source, "read"):
                return ()  # a path: to_rgb says it is no image, in one line
            source.seek(0)
            return _decode_video(source)  # an MP4 / WebM upload without its name
        except OSError:
            return ()  # missing or broken: to_rgb says so in one line
    return ()


def _animated_frames(image: Any) -> tuple[Any, ...]:
    count = int(getattr(image, "n_frames", 1) or 1)
    if count < 2:
        return ()
    frames = []
    for index in _keep_evenly(range(count)):
        image.seek(index)
        frames.append(to_rgb(image.copy()))
    return tuple(frames)


def _decode_video(source: Any) -> tuple[Any, ...]:
    name = Path(source).name if isinstance(source, (str, os.PathLike)) else "the upload"
    try:
        import av
    except ImportError:
        raise BadInput(f"reading {name} needs PyAV (`pip install av`); or give the clip as an "
                       "animated GIF") from None
    try:
        with av.open(source if hasattr(source, "read") else str(source)) as container:
            kept = _keep_evenly(container.decode(video=0))
            frames = tuple(to_rgb(frame.to_image()) for frame in kept)
    except FileNotFoundError:
        raise BadInput(f"clip file not found: {source}") from None
    except IndexError:  # container.decode(video=0) of a file with no video stream
        raise BadInput(f"{name} has no video stream; give an animated GIF, MP4 or WebM clip"
                       ) from None
    except (av.FFmpegError, ValueError) as exc:
        raise BadInput(f"cannot read {name} as an image or a video clip ({exc}); use PNG, JPEG, "
                       "an animated GIF, MP4 or WebM") from None
    if not frames:
        raise BadInput(f"{name} has no video frames; give an animated GIF, MP4 or WebM clip")
    return frames


def _keep_evenly(items: Iterable[Any]) -> list[Any]:
    """At most ``MAX_CLIP_FRAMES`` of ``items``, evenly spread, without holding them all at once
    (a video's length is not always known before it is decoded)."""
    kept: list[Any] = []
    stride = 1
    for index, item in enumerate(items):
        if index % stride == 0:
            kept.append(item)
            if len(kept) == 2 * MAX_CLIP_FRAMES:
                kept, stride = kept[::2], stride * 2
    if len(kept) > MAX_CLIP_FRAMES:
        picks = np.linspace(0, len(kept) - 1, MAX_CLIP_FRAMES).round().astype(int)
        kept = [kept[i] for i in picks]
    return kept


# ---------------------------------------------------------------------------- audio


def load_audio(source: AudioLike, sampling_rate: int | None = None) -> tuple[np.ndarray, int]:
    """Return ``(mono float32 waveform, sampling_rate)`` at the source's own rate."""
    if isinstance(source, tuple) and len(source) == 2 and not isinstance(source[0], (int, float)):
        source, sampling_rate = source
    if isinstance(source, (str, os.PathLike)):
        if not Path(source).is_file():
            raise BadInput(f"audio file not found: {source}; give the path of a WAV, FLAC, OGG or "
                           "MP3 file")
        import warnings

        import librosa

        try:
            with warnings.catch_warnings():  # librosa warns before falling back to audioread
                warnings.simplefilter("ignore")
                waveform, rate = librosa.load(str(source), sr=None, mono=True)
        except Exception as exc:  # librosa/soundfile raise many types for unreadable files
            raise BadInput(f"cannot read {source} as audio ({type(exc).__name__}); use WAV, FLAC, "
                           "OGG or MP3") from None
        return _check_waveform(waveform), int(rate)
    array = np.asarray(source, dtype=np.float32)
    if sampling_rate is None:
        raise BadInput("an audio array needs its sampling rate: pass sampling_rate=...")
    if array.ndim == 2:
        # (channels, samples) or (samples, channels): average the short axis.
        array = array.mean(axis=0 if array.shape[0] < array.shape[1] else 1)
    if array.ndim != 1:
        raise BadInput(f"audio must be 1-D (mono) or 2-D (channels); got shape {array.shape}")
    return _check_waveform(array), int(sampling_rate)


def _check_waveform(waveform: np.ndarray) -> np.ndarray:
    waveform = np.asarray(waveform, dtype=np.float32)
    if waveform.size == 0:
        raise BadInput("the audio is empty; give a clip of at least a fraction of a second")
    if not np.all(np.isfinite(waveform)):
        raise BadInput("the audio contains NaN or infinite samples")
    return waveform


def resample(waveform: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """Resample with librosa (soxr), as the feature extractor expects."""
    if from_rate == to_rate:
        return waveform
    import librosa

    return librosa.resample(waveform, orig_sr=from_rate, target_sr=to_rate).astype(np.float32)


# ---------------------------------------------------------------------------- tables


def load_table(source: Any) -> dict[str, list[str]]:
    """A CSV path, CSV text, pandas DataFrame or ``{column: values}`` → ``{column: [str]}``."""
    if hasattr(source, "to_dict") and hasattr(source, "columns"):  # pandas DataFrame
        return {str(c): [str(v) for v in source[c].tolist()] for c in source.columns}
    if isinstance(source, dict):
        return {str(k): [str(v) for v in vals] for k, vals in source.items()}
    if isinstance(source, (str, os.PathLike)) and Path(source).is_file():
        text = Path(source).read_text(encoding="utf-8-sig")
    elif isinstance(source, str) and "," in source:
        text = source
    else:
        raise BadInput(f"table file not found: {source}; give a CSV file with a header row")
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) < 2 or not rows[0]:
        raise BadInput("the table needs a header row and at least one data row")
    header = [h.strip() for h in rows[0]]
    body = [r for r in rows[1:] if any(cell.strip() for cell in r)]
    if any(len(r) != len(header) for r in body):
        raise BadInput(f"every table row needs {len(header)} cells, like the header")
    return {h: [r[i].strip() for r in body] for i, h in enumerate(header)}
