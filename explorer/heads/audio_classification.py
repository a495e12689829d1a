"""Audio classification heads: a label per clip, a label per frame (diarization, voice activity)
and an x-vector per clip (speaker verification)."""

from __future__ import annotations

import numpy as np

from explorer.catalog import TaskSpec
from explorer.heads._audio import audio_batch, seconds_per_frame
from explorer.heads._common import classification, label_names, sigmoid, softmax, to_numpy
from explorer.results import Embeddings, Frames, FrameSpan, Result
from explorer.runner import RunContext


def classify_audio(ctx: RunContext) -> Result:
    batch, _, _ = audio_batch(ctx)
    outputs = ctx.forward(batch)
    return classification(ctx, outputs)


def _runs(active: np.ndarray) -> list[tuple[int, int]]:
    """``[(first, last + 1), ...]`` of the runs of True in a 1-D boolean array."""
    edges = np.diff(np.concatenate([[0], active.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist()))


def _spans(active: np.ndarray, probs: np.ndarray, names: tuple[str, ...],
           step: float) -> tuple[FrameSpan, ...]:
    """One span per run of frames where a label is on; score = its mean probability there."""
    spans = [FrameSpan(label=names[j], start=round(a * step, 3), end=round(b * step, 3),
                       score=float(probs[a:b, j].mean()))
             for j in range(active.shape[1]) for a, b in _runs(active[:, j])]
    return tuple(sorted(spans, key=lambda s: (s.start, s.label)))


def classify_frames(ctx: RunContext) -> Result:
    """A label for every frame (~20 ms): the best one (softmax), or with ``multi_label`` every
    label over ``threshold`` (sigmoid; speaker diarization heads, where speakers overlap)."""
    batch, rate, waveform = audio_batch(ctx)
    outputs = ctx.forward(batch)
    logits = to_numpy(outputs.logits)[0]  # (frames, labels)
    names = label_names(ctx.config, logits.shape[-1])
    multi = ctx.option("multi_label",
                       getattr(ctx.config, "problem_type", None) == "multi_label_classification")
    if multi:
        probs = sigmoid(logits)
        active = probs > ctx.option("threshold")
        frame_labels = tuple("+".join(n for n, on in zip(names, row) if on) or "none"
                             for row in active)
    else:
        probs = softmax(logits)
        best = probs.argmax(-1)
        active = best[:, None] == np.arange(len(names))[None, :]
        frame_labels = tuple(names[i] for i in best)
    step = seconds_per_frame(ctx, len(logits), len(waveform), rate)
    return Frames(frame_seconds=step, spans=_spans(active, probs, names, step),
                  frame_labels=frame_labels, logits=logits, **ctx.common(outputs))


def xvector(ctx: RunContext) -> Result:
    """A fixed-size speaker embedding for the whole clip (TDNN layers + statistics pooling);
    compare two clips' vectors with cosine similarity to verify a speaker."""
    batch, _, _ = audio_batch(ctx)
    outputs = ctx.forward(batch)
    embeddings = outputs.embeddings
    return Embeddings(shape=tuple(embeddings.shape), pooling="x-vector",
                      labels=(ctx.inputs.audio_name or "audio",), vectors=to_numpy(embeddings),
                      **ctx.common(outputs))



SPECS = [
    TaskSpec("AutoModelForAudioClassification", ("audio-classification",), "audio", ("audio",),
             "classification", "AutoFeatureExtractor",
             "Pools the whole clip into one vector, then scores each label (keywords, emotion, "
             "language, sound events).", options=("top_k",), runner=classify_audio),
    TaskSpec("AutoModelForAudioFrameClassification",
             ("audio-frame-classification", "speaker-diarization", "voice-activity-detection"),
             "audio", ("audio",), "frames", "AutoFeatureExtractor",
             "A label for every ~20 ms frame, merged into time spans (who speaks when, "
             "speech vs silence).", options=("multi_label", "threshold"),
             runner=classify_frames),
    TaskSpec("AutoModelForAudioXVector", ("audio-xvector", "speaker-verification"), "audio",
             ("audio",), "embedding", "AutoFeatureExtractor",
             "An x-vector: one speaker embedding per clip (TDNN + statistics pooling) for "
             "speaker verification.", runner=xvector),
]

__all__ = ["SPECS"]
