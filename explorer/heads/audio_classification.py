"""Audio classification heads: a label per clip, a label per frame (diarization, voice activity)
and an x-vector per clip (speaker verification)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from explorer.heads._audio import audio_batch, seconds_per_frame
from explorer.heads._common import classification, label_names, sigmoid, softmax, to_numpy
from explorer.heads._registry import Task
from explorer.results import Embeddings, Frames, FrameSpan, Result
from explorer.runner import RunContext
from explorer.snippets.base import Spec, forward, seconds_per_frame_line, top_scores
from explorer.snippets.base import audio_batch as audio_batch_lines
from explorer.toyworld.speech import COMMANDS
from explorer.zoo import Recipe
from explorer.zoo.audio import SPEECH, wav2vec2_config, wav2vec2_features
from explorer.zoo.common import label_maps, save_random


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


def classify_audio_snippet(spec: Spec) -> list[str]:
    return audio_batch_lines(spec) + forward() + ["logits = outputs.logits[0]",
                                            *top_scores(spec, "model.config.id2label")]


def classify_frames_snippet(spec: Spec) -> list[str]:
    return audio_batch_lines(spec) + forward() + [
        "probs = outputs.logits[0].float().softmax(-1)  # (frames, labels)",
        "best = probs.argmax(-1).tolist()",
        seconds_per_frame_line(),
        "spans, first = [], 0  # runs of frames with the same best label",
        "for i in range(1, len(best) + 1):",
        "    if i == len(best) or best[i] != best[first]:",
        "        label = best[first]",
        "        spans.append((model.config.id2label[label], round(first * seconds, 3),",
        "                      round(i * seconds, 3), float(probs[first:i, label].mean())))",
        "        first = i",
        "print(spans)  # (label, start s, end s, mean probability)",
    ]


def xvector_snippet(spec: Spec) -> list[str]:
    return audio_batch_lines(spec) + forward() + [
        "embeddings = outputs.embeddings  # one speaker vector per clip",
        "print({\"shape\": list(embeddings.shape), "
        "\"first values\": embeddings[:, :4].tolist()})"]


FRAME_LABELS = ("silence", "speech", "music")


def _wav2vec2_head(auto_class: str, **config_kwargs: Any):
    def build(directory: Path) -> None:
        save_random(directory, auto_class, wav2vec2_config(**config_kwargs), wav2vec2_features())
    return build


TASKS = [
    Task("AutoModelForAudioClassification", run=classify_audio, snippet=classify_audio_snippet, recipes=[
        Recipe("audio-classification", "AutoModelForAudioClassification",
               _wav2vec2_head("AutoModelForAudioClassification", **label_maps(COMMANDS)),
               "tiny wav2vec2 with a speech-commands head (yes/no/up/down/left/right/on/off/stop/go)",
               {"audio": SPEECH}),
    ]),
    Task("AutoModelForAudioFrameClassification", run=classify_frames,
         snippet=classify_frames_snippet, recipes=[
        Recipe("audio-frame-classification", "AutoModelForAudioFrameClassification",
               _wav2vec2_head("AutoModelForAudioFrameClassification", **label_maps(FRAME_LABELS)),
               "tiny wav2vec2 labelling every 20 ms frame (silence/speech/music)", {"audio": SPEECH}),
    ]),
    Task("AutoModelForAudioXVector", run=xvector, snippet=xvector_snippet, recipes=[
        Recipe("audio-xvector", "AutoModelForAudioXVector",
               _wav2vec2_head("AutoModelForAudioXVector", tdnn_dim=(32, 32, 32, 32, 64),
                              xvector_output_dim=16),
               "tiny wav2vec2 with an x-vector (TDNN) speaker-embedding head", {"audio": SPEECH}),
    ]),
]

__all__ = ["TASKS"]
