"""Audio views: waveform, mel spectrogram, words and frame labels on the time axis, players."""

from __future__ import annotations

import base64
import io
import wave
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from explorer.render.common import (
    ACCENT,
    MIN_FONT,
    MUTED,
    decorate,
    esc,
    html_section,
    img_tag,
    input_audio,
    label_colors,
    new_figure,
    plural,
    shorten,
    tint,
)
from explorer.results import AudioOutput, Frames, Result, Transcript

MEL_BANDS = 64


def plot_waveform(ax: Any, waveform: np.ndarray, rate: int, title: str | None = None) -> None:
    """The waveform over seconds; long clips are drawn as a min/max envelope (fast, same look)."""
    y = np.asarray(waveform, dtype=np.float32).reshape(-1)
    seconds = len(y) / rate
    if len(y) > 4000:
        bins = 2000
        cut = len(y) // bins * bins
        chunks = y[:cut].reshape(bins, -1)
        t = np.linspace(0, cut / rate, bins)
        ax.fill_between(t, chunks.min(axis=1), chunks.max(axis=1), color=ACCENT, linewidth=0)
    else:
        ax.plot(np.arange(len(y)) / rate, y, color=ACCENT, linewidth=0.8)
    ax.set_xlim(0, seconds)
    peak = float(np.max(np.abs(y))) or 1.0
    ax.set_ylim(-peak * 1.05, peak * 1.05)
    ax.set_ylabel("amplitude")
    if title:
        ax.set_title(title, loc="left")


def mel_db(waveform: np.ndarray, rate: int) -> np.ndarray:
    """``(bands, frames)`` log-mel power in dB (librosa; its first call compiles with numba)."""
    import librosa

    y = np.asarray(waveform, dtype=np.float32)
    n_fft = min(1024, max(64, 1 << int(np.floor(np.log2(max(len(y), 64))))))
    mel = librosa.feature.melspectrogram(y=y, sr=rate, n_fft=n_fft, hop_length=max(16, n_fft // 4),
                                         n_mels=MEL_BANDS)
    return librosa.power_to_db(mel, ref=np.max)


def plot_mel(fig: Figure, ax: Any, waveform: np.ndarray, rate: int) -> None:
    """The mel spectrogram on ``ax`` in dB, with a colour bar (constrained layout keeps the rows
    above aligned in time)."""
    db = mel_db(waveform, rate)
    seconds = len(waveform) / rate
    im = ax.imshow(db, origin="lower", aspect="auto", cmap="magma",
                   extent=(0, seconds, 0, db.shape[0]), interpolation="nearest")
    ax.set_ylabel("mel band")
    ax.set_xlabel("seconds")
    fig.colorbar(im, ax=ax, label="dB", pad=0.01, fraction=0.04)


def _audio_name(result: Result) -> str:
    inputs = result.inputs
    name = getattr(inputs, "audio_name", None) or "audio"
    audio = input_audio(result)
    return f"{name} · {len(audio[0]) / audio[1]:.2f} s at {audio[1]} Hz" if audio else name


# ---------------------------------------------------------------------------- transcript


_CHAR_PX = 7.5  # about one character of 11 pt (MIN_FONT) DejaVu Sans at the figures' resolution


def _word_row(ax: Any, chunks: list[Any], seconds: float) -> int:
    """Chunks as labelled spans on one row under the waveform; returns how many were drawn.
    Each label starts at its chunk and may run on, through silence, up to the next chunk."""
    drawn = 0
    px_per_second = ax.get_window_extent().width / max(seconds, 1e-6)
    for i, chunk in enumerate(chunks):
        start = min(chunk.start, seconds)
        end = min(chunk.end if chunk.end is not None else start + 0.3, seconds)
        ax.axvspan(start, end, ymin=0.1, ymax=0.9, color=tint(ACCENT, 0.35 if i % 2 else 0.55),
                   gid="chunk")
        room = (min(chunks[i + 1].start, seconds) if i + 1 < len(chunks) else seconds) - start
        chars = max(3, int(room * px_per_second / _CHAR_PX) - 1)
        ax.text(start, 0.5, " " + shorten(chunk.text.strip(), chars), ha="left", va="center",
                fontsize=MIN_FONT, clip_on=True)
        drawn += 1
    ax.set_yticks([])
    ax.set_xlim(0, seconds)
    return drawn


def _frame_row(ax: Any, frame_tokens: tuple[str, ...], seconds: float) -> None:
    """Per-frame argmax tokens (CTC, before collapsing): blanks grey, tokens labelled."""
    n = len(frame_tokens)
    step = seconds / max(n, 1)
    blanks = {"<pad>", "<blank>", "<s>", "</s>", "[PAD]", "", "<unk>"}
    # Seconds per point of text at MIN_FONT, for an axis about 80% of the figure wide: a label
    # is left off where it would touch the one before (they cannot be read stacked).
    per_point = seconds / (0.8 * ax.figure.get_figwidth() * 72)
    free_from = -1.0
    for i, token in enumerate(frame_tokens):
        blank = token in blanks
        ax.axvspan(i * step, (i + 1) * step, facecolor="#dddddd" if blank else tint(ACCENT, 0.5),
                   edgecolor="white", linewidth=0.4 if n < 400 else 0, gid="frame")
        label = token.replace("|", "␣")
        half = (0.32 * MIN_FONT * len(label) + 2) * per_point
        centre = (i + 0.5) * step
        if not blank and (i == 0 or frame_tokens[i - 1] != token) and centre - half > free_from:
            ax.text(centre, 0.5, label, ha="center", va="center", fontsize=MIN_FONT, clip_on=True)
            free_from = centre + half
    ax.set_yticks([])
    ax.set_xlim(0, seconds)
    ax.set_ylabel(f"frame\ntokens\n({n})", rotation=0, ha="right", va="center")


def transcript_figure(result: Transcript, frames: bool = False, spectrogram: bool = True) -> Figure:
    """Waveform, the words (when the model gave timestamps), optionally CTC frame tokens
    (``frames=True``), and the mel spectrogram."""
    audio = input_audio(result)
    timed = [c for c in result.chunks if c.start is not None]
    rows = ["wave"] + (["words"] if timed else []) + (["frames"] if frames else []) + \
        (["mel"] if spectrogram and audio is not None else [])
    heights = {"wave": 1.4, "words": 0.5, "frames": 0.6, "mel": 1.8}
    fig = new_figure(10, 1.6 + sum(heights[r] for r in rows))
    axes = fig.subplots(len(rows), 1, sharex=True, height_ratios=[heights[r] for r in rows],
                        squeeze=False)[:, 0]
    if audio is None:
        waveform, rate = np.zeros(1600, np.float32), result.sampling_rate
    else:
        waveform, rate = audio
    seconds = len(waveform) / rate
    for row, ax in zip(rows, axes):
        if row == "wave":
            plot_waveform(ax, waveform, rate, f"“{shorten(result.text, 90)}”")
        elif row == "words":
            _word_row(ax, timed, seconds)
            several = any(len(c.text.split()) > 1 for c in timed)  # Whisper's are segments
            ax.set_ylabel("segments" if several else "words", rotation=0, ha="right",
                          va="center")
        elif row == "frames":
            if result.frame_tokens:
                _frame_row(ax, result.frame_tokens, seconds)
            else:
                ax.text(0.5, 0.5, "no per-frame tokens (not a CTC model)", ha="center",
                        va="center", transform=ax.transAxes, color=MUTED)
                ax.set_yticks([])
        else:
            plot_mel(fig, ax, waveform, rate)
    return decorate(fig, result, _audio_name(result))


def transcript_frames_figure(result: Transcript, spectrogram: bool = True) -> Figure:
    """The transcript view with the CTC per-frame argmax tokens under the waveform."""
    return transcript_figure(result, frames=True, spectrogram=spectrogram)


# ---------------------------------------------------------------------------- frame labels


def frames_figure(result: Frames) -> Figure:
    """Waveform over a label timeline: one row per label, a bar per span."""
    audio = input_audio(result)
    labels = list(dict.fromkeys(s.label for s in result.spans))
    colors = label_colors(labels)
    fig = new_figure(10, 2.6 + 0.28 * max(len(labels), 1))
    wave_ax, line_ax = fig.subplots(2, 1, sharex=True,
                                    height_ratios=[1.4, 0.35 + 0.28 * max(len(labels), 1)])
    seconds = max([s.end for s in result.spans] + [len(result.frame_labels) *
                                                    result.frame_seconds])
    if audio is not None:
        plot_waveform(wave_ax, *audio)
        seconds = len(audio[0]) / audio[1]
    else:
        wave_ax.text(0.5, 0.5, "(input audio not kept)", ha="center", transform=wave_ax.transAxes)
    for span in result.spans:
        row = labels.index(span.label)
        line_ax.broken_barh([(span.start, max(span.end - span.start, 1e-3))], (row - 0.4, 0.8),
                            facecolors=colors[span.label], gid="span")
    line_ax.set_yticks(range(len(labels)), [shorten(name, 20) for name in labels])
    line_ax.set_ylim(len(labels) - 0.5, -0.5)
    line_ax.set_xlim(0, seconds)
    line_ax.set_xlabel("seconds")
    if labels:
        handles = [Patch(color=colors[name], label=shorten(name, 24)) for name in labels]
        line_ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0),
                       frameon=False)
    frame_ms = result.frame_seconds * 1000
    return decorate(fig, result, f"{plural(len(result.spans), 'span')} · {frame_ms:.0f} ms frames")


# ---------------------------------------------------------------------------- audio output


def wav_bytes(waveform: np.ndarray, rate: int) -> bytes:
    """16-bit PCM mono WAV (stdlib ``wave``; peak-normalised when it would clip)."""
    y = np.asarray(waveform, dtype=np.float64).reshape(-1)
    peak = float(np.max(np.abs(y))) if y.size else 0.0
    if peak > 1.0:
        y = y / peak
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(int(rate))
        out.writeframes((np.nan_to_num(y) * 32767).astype("<i2").tobytes())
    return buffer.getvalue()


def audio_player(waveform: np.ndarray, rate: int) -> str:
    """An ``<audio>`` element playing an embedded base64 WAV (no external file, no script)."""
    data = base64.b64encode(wav_bytes(waveform, rate)).decode("ascii")
    return (f'<audio class="explorer-audio" controls preload="auto" '
            f'src="data:audio/wav;base64,{data}"></audio>')


def audio_output_figure(result: AudioOutput) -> Figure:
    """A spectrogram output as an image; a waveform with its mel spectrogram."""
    array = np.asarray(result.array, dtype=np.float32)
    if result.kind == "spectrogram":
        spec = array.reshape(-1, array.shape[-1]) if array.ndim != 2 else array
        fig = new_figure(10, 4)
        ax = fig.subplots()
        im = ax.imshow(spec.T, origin="lower", aspect="auto", cmap="magma",
                       interpolation="nearest")
        ax.set_xlabel("frame")
        ax.set_ylabel("bin")
        fig.colorbar(im, ax=ax, pad=0.01, fraction=0.04)
        return decorate(fig, result, f"spectrogram {' × '.join(map(str, array.shape))}")
    y = array.reshape(-1)
    fig = new_figure(10, 4.8)
    wave_ax, mel_ax = fig.subplots(2, 1, sharex=True, height_ratios=[1, 1.3])
    plot_waveform(wave_ax, y, result.sampling_rate)
    if y.size >= 64:
        plot_mel(fig, mel_ax, y, result.sampling_rate)
    return decorate(fig, result, f"waveform {len(y) / result.sampling_rate:.2f} s at "
                                 f"{result.sampling_rate} Hz")


def audio_output_body(result: AudioOutput) -> str:
    """The figure, and for waveforms a player."""
    body = img_tag(audio_output_figure(result), "audio output")
    if result.kind == "waveform":
        body = html_section("listen", audio_player(result.array, result.sampling_rate)) + body
    return body


def input_player(result: Result) -> str:
    """A player for the input audio (shown in to_html of audio results)."""
    audio = input_audio(result)
    if audio is None:
        return ""
    return html_section(f"input: {esc(_audio_name(result))}", audio_player(*audio))
