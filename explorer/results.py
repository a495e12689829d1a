"""Typed, frozen results: one dataclass per output shape.

Every result keeps what a renderer needs (raw logits, the input image / waveform, attentions) in
fields marked ``_array(...)``; ``to_dict()`` leaves those out (or summarises them as shapes) so the
dict stays small and JSON-safe. ``type`` names the shape and is the key renderers dispatch on.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

# Fields with this metadata are kept for rendering but not emitted by to_dict().
_KEEP_OUT = {"json": False}


def _array(default: Any = None) -> Any:
    return field(default=default, repr=False, compare=False, metadata=_KEEP_OUT)


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)
                if f.metadata.get("json", True)}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float):
        return value if np.isfinite(value) else None
    return value


# ---------------------------------------------------------------------------- small records


@dataclass(frozen=True)
class Label:
    label: str
    score: float


@dataclass(frozen=True)
class Entity:
    """A labelled span of the input text; ``start``/``end`` are character offsets."""

    text: str
    label: str
    score: float
    start: int
    end: int


@dataclass(frozen=True)
class Candidate:
    """One fill-mask candidate and the sentence it makes."""

    token: str
    score: float
    sequence: str


@dataclass(frozen=True)
class DetectedObject:
    """A box in pixels of the input image: ``[x0, y0, x1, y1]``."""

    label: str
    score: float
    box: tuple[float, float, float, float]


@dataclass(frozen=True)
class Segment:
    """One region of a segmentation map; ``id`` is its value in ``Segmentation.mask``."""

    id: int
    label: str
    area: int
    score: float | None = None


@dataclass(frozen=True)
class Keypoint:
    x: float
    y: float
    score: float
    label: str = ""


@dataclass(frozen=True)
class Chunk:
    """A piece of a transcript with its time span in seconds (when the model gives one)."""

    text: str
    start: float | None
    end: float | None


@dataclass(frozen=True)
class FrameSpan:
    """A run of consecutive audio frames that got the same label."""

    label: str
    start: float
    end: float
    score: float


# ---------------------------------------------------------------------------- results


@dataclass(frozen=True, kw_only=True)
class Result:
    """Fields every result has: what ran, on what, and what the user should know about it."""

    type: ClassVar[str] = "result"

    task: str
    """The Auto class that ran, e.g. ``AutoModelForObjectDetection``."""
    hub_task: str = ""
    """Its hub task tag, e.g. ``object-detection``: what views call the task, so they never look
    it up in the catalog."""
    checkpoint: str
    model_class: str
    """The concrete class the Auto class picked, e.g. ``DetrForObjectDetection``."""
    random_weights: bool = False
    """True for zoo checkpoints and freshly initialised heads: the output means nothing."""
    checkpoint_kind: str = "real"
    """``real``, ``toy`` (trained on a generated toy world, see ``toy_headline``) or ``random``."""
    toy_headline: str = ""
    """What a toy checkpoint is and how well it does, e.g. ``toy model, trained on the shapes
    world (box recall at IoU 0.5 on held-out scenes 0.91)``."""
    notes: tuple[str, ...] = ()
    """Things the user should know: truncation, resampling, newly initialised weights."""
    inputs: Any = _array()
    """The ``Inputs`` the run used (converted image, resampled audio), kept for rendering."""
    attentions: tuple[np.ndarray, ...] | None = _array()
    """Per layer ``(heads, q, k)`` attention weights of the first example, when requested."""
    hidden_states: tuple[np.ndarray, ...] | None = _array()
    tokens: tuple[str, ...] | None = _array()
    """Token strings of the first example, to label attention maps and logit curves."""
    placement: tuple[tuple[str, str, int], ...] | None = _array()
    """``(module, device, bytes)`` when loaded with a device map (the ``device_map`` view)."""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type}
        out.update(_jsonable(self))
        if self.attentions is not None:
            out["attention_shapes"] = [list(a.shape) for a in self.attentions]
        return out

    def render(self, **options: Any) -> Any:
        """The view of this result: a matplotlib Figure, or an HTML string for text views."""
        from explorer import render

        return render.render(self, **options)

    def _repr_html_(self) -> str | None:
        import html
        import json

        try:
            from explorer import render

            return render.to_html(self)
        except Exception as exc:  # a notebook cell shows one line and the data, not a traceback
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            data = json.dumps(self.to_dict(), indent=2, ensure_ascii=False)[:4000]
            return (f"<p><b>could not draw this {self.type} result</b>: {html.escape(first)}</p>"
                    f"<pre>{html.escape(data)}</pre>")


@dataclass(frozen=True, kw_only=True)
class Classification(Result):
    """Sequence / image / audio / zero-shot classification, NSP and multiple choice."""

    type: ClassVar[str] = "classification"
    labels: tuple[Label, ...]
    """Top labels, highest score first (softmax of ``logits``; sigmoid for multi-label)."""
    logits: np.ndarray = _array()
    """Raw logits over all labels, in ``id2label`` order."""
    label_names: tuple[str, ...] = _array(())
    """Name of every logit, same order as ``logits``."""


@dataclass(frozen=True, kw_only=True)
class TokenSpans(Result):
    type: ClassVar[str] = "tokens"
    text: str
    entities: tuple[Entity, ...]
    logits: np.ndarray = _array()
    """``(tokens, labels)`` raw logits."""
    label_names: tuple[str, ...] = _array(())


@dataclass(frozen=True, kw_only=True)
class Answer(Result):
    """Extractive, document, table or visual question answering."""

    type: ClassVar[str] = "answer"
    answer: str
    score: float
    question: str = ""
    context: str = ""
    start: int | None = None
    """Character offset of the answer in ``context`` (extractive QA)."""
    end: int | None = None
    start_logits: np.ndarray | None = _array()
    end_logits: np.ndarray | None = _array()
    alternatives: tuple[Label, ...] = ()
    """Other answers with their scores (VQA label sets, table aggregations)."""
    words: tuple[str, ...] = ()
    """Document QA: the words of the page the model read, in reading order."""
    word_boxes: tuple[tuple[int, int, int, int], ...] = ()
    """Document QA: each word's box ``(x0, y0, x1, y1)`` on the 0–1000 page grid, when OCR read
    the page image (empty when the words came from a context text, laid out without layout)."""
    answer_words: tuple[int, int] | None = None
    """Document QA: the first and last index (in ``words``) of the answer span."""


@dataclass(frozen=True, kw_only=True)
class FillMask(Result):
    type: ClassVar[str] = "fill_mask"
    text: str
    candidates: tuple[Candidate, ...]
    mask_token: str = ""
    logits: np.ndarray = _array()
    """Logits over the vocabulary at the (first) mask position."""


@dataclass(frozen=True, kw_only=True)
class Generation(Result):
    """Causal LM, seq2seq and image-text-to-text generation."""

    type: ClassVar[str] = "generation"
    text: str
    prompt: str = ""
    generated_tokens: tuple[str, ...] = ()
    token_scores: tuple[float, ...] = ()
    """Probability the model gave each generated token (same length as ``generated_tokens``)."""


@dataclass(frozen=True, kw_only=True)
class Embeddings(Result):
    """AutoModel / TextEncoding / AudioXVector / PreTraining: one pooled vector per input."""

    type: ClassVar[str] = "embedding"
    shape: tuple[int, ...]
    """Shape of the model's last hidden state (or of the x-vectors)."""
    pooling: str
    labels: tuple[str, ...]
    """One label per vector (the input texts, file names...)."""
    vectors: np.ndarray
    """``(n_inputs, dim)`` pooled vectors."""


@dataclass(frozen=True, kw_only=True)
class Detections(Result):
    type: ClassVar[str] = "detection"
    image_size: tuple[int, int]
    """``(width, height)`` of the input image in pixels."""
    objects: tuple[DetectedObject, ...]
    threshold: float = 0.0


@dataclass(frozen=True, kw_only=True)
class Segmentation(Result):
    type: ClassVar[str] = "segmentation"
    kind: str
    """``semantic``, ``instance``, ``panoptic`` or ``masks`` (mask generation)."""
    mask_shape: tuple[int, int]
    segments: tuple[Segment, ...]
    mask: np.ndarray = _array()
    """``(h, w)`` int array; each pixel holds a ``Segment.id`` (-1 where no segment)."""


@dataclass(frozen=True, kw_only=True)
class DepthMap(Result):
    type: ClassVar[str] = "depth"
    shape: tuple[int, int]
    min: float
    max: float
    depth: np.ndarray = _array()
    """``(h, w)`` predicted depth at the input image's size."""


@dataclass(frozen=True, kw_only=True)
class Keypoints(Result):
    type: ClassVar[str] = "keypoints"
    image_size: tuple[int, int]
    keypoints: tuple[Keypoint, ...]
    edges: tuple[tuple[int, int], ...] = ()
    """Skeleton edges as index pairs into ``keypoints`` (when the config defines them)."""


@dataclass(frozen=True, kw_only=True)
class Transcript(Result):
    """CTC and speech seq2seq."""

    type: ClassVar[str] = "transcript"
    text: str
    chunks: tuple[Chunk, ...] = ()
    sampling_rate: int = 16000
    frame_tokens: tuple[str, ...] = _array(())
    """CTC only: the argmax token of every frame, before collapsing repeats and blanks."""
    logits: np.ndarray | None = _array()


@dataclass(frozen=True, kw_only=True)
class Frames(Result):
    """Audio frame classification: a label for every frame, merged into spans."""

    type: ClassVar[str] = "frames"
    frame_seconds: float
    spans: tuple[FrameSpan, ...]
    frame_labels: tuple[str, ...]
    logits: np.ndarray = _array()


@dataclass(frozen=True, kw_only=True)
class FeatureMaps(Result):
    type: ClassVar[str] = "feature_maps"
    stages: tuple[str, ...]
    shapes: dict[str, tuple[int, ...]]
    maps: tuple[np.ndarray, ...] = _array(())
    """One ``(channels, h, w)`` array per stage, same order as ``stages``."""


@dataclass(frozen=True, kw_only=True)
class ImageOutput(Result):
    """Image-to-image and masked image modeling: a picture comes out."""

    type: ClassVar[str] = "image"
    shape: tuple[int, ...]
    image: np.ndarray = _array()
    """``(h, w, 3)`` uint8."""


@dataclass(frozen=True, kw_only=True)
class AudioOutput(Result):
    """Text-to-spectrogram, text-to-waveform, and audio codecs (the decoded reconstruction)."""

    type: ClassVar[str] = "audio"
    shape: tuple[int, ...]
    sampling_rate: int
    kind: str
    """``waveform`` or ``spectrogram``."""
    array: np.ndarray = _array()
    codes: np.ndarray | None = _array()
    """Audio codecs only: the discrete ``(codebooks, frames)`` codes the waveform was decoded from
    (a continuous codec's ``(frames, dims)`` float latents)."""


@dataclass(frozen=True, kw_only=True)
class Recognition(Result):
    """Text read from a line image (OCR), or a table's predicted HTML structure."""

    type: ClassVar[str] = "recognition"
    text: str
    score: float | None
    """Mean confidence of the kept tokens (None when nothing was read)."""
    structure: tuple[str, ...] = ()
    """Table recognition only: the HTML structure tokens, in order."""


@dataclass(frozen=True, kw_only=True)
class RawOutput(Result):
    """Fallback for heads without a dedicated view: the names and shapes of what came out."""

    type: ClassVar[str] = "raw"
    outputs: dict[str, tuple[int, ...]]


RESULT_TYPES: dict[str, type[Result]] = {
    cls.type: cls
    for cls in (Classification, TokenSpans, Answer, FillMask, Generation, Embeddings, Detections,
                Segmentation, DepthMap, Keypoints, Transcript, Frames, FeatureMaps, ImageOutput,
                AudioOutput, Recognition, RawOutput)
}
