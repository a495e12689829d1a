"""Views of results: pure functions ``Result → matplotlib Figure | HTML string``.

    from explorer import render
    render.render(result)                          # the default view of this result type
    render.render(result, view="attention", layer=1, head=0)
    render.views(result)                           # the view names that apply
    render.to_html(result)                         # self-contained HTML (figures as base64 PNG)
    render.save(result, "out.png")                 # or .html / .svg / .pdf

Which function draws which result type is data: ``REGISTRY`` maps ``Result.type`` to its named
views (the first is the default), the body ``to_html`` shows, and the view ``save(.png)`` uses.
A new result type registers its views with ``register(...)``. Figures are drawn on their own Agg
canvas (never through pyplot), so nothing needs closing and the notebook's backend is untouched.
HTML uses inline styles only: no scripts, no CDN, works offline, in nbconvert and in Voila.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from explorer.errors import BadInput
from explorer.render import attention, audio, charts, device_map, image, text
from explorer.render.common import (
    embedded,
    esc,
    figure_png,
    html_box,
    html_section,
    html_table,
    img_tag,
    style,
    title_lines,
)
from explorer.render.data import data_json
from explorer.results import (
    Answer,
    Classification,
    Detections,
    FillMask,
    Frames,
    Recognition,
    Result,
    Segmentation,
    Transcript,
)

ViewFn = Callable[..., Any]
"""``fn(result, **options) -> Figure | str``."""
BodyFn = Callable[[Any], str]


@dataclass(frozen=True)
class ResultViews:
    """How one result type is shown."""

    views: dict[str, ViewFn]
    """Named views; the first is what ``render(result)`` returns."""
    body: BodyFn
    """The HTML inside ``to_html``'s box (header, badge and notes are added around it)."""
    figure: str
    """The view ``save(result, "x.png")`` draws (a figure view)."""
    when: dict[str, Callable[[Any], bool]] = field(default_factory=dict)
    """Views that apply only to some results of the type (e.g. CTC frames), by predicate."""

    def applicable(self, result: Result) -> dict[str, ViewFn]:
        return {name: fn for name, fn in self.views.items()
                if name not in self.when or self.when[name](result)}


def boxed(body: BodyFn) -> ViewFn:
    """A text view: ``body`` inside the titled box (with the random-weights banner and notes)."""
    def view(result: Result) -> str:
        return html_box(result, body(result))
    view.__doc__ = body.__doc__
    view.__name__ = getattr(body, "__name__", "view")
    view.is_html = True  # type: ignore[attr-defined]
    return view


def figures(*views: ViewFn) -> BodyFn:
    """A body made of the given figure views, embedded as PNG."""
    def body(result: Result) -> str:
        return "".join(img_tag(v(result), getattr(v, "__name__", "view")) for v in views)
    return body


# ---------------------------------------------------------------------------- per-type bodies


def _classification_body(result: Classification) -> str:
    return img_tag(charts.classification_figure(result), "labels") + audio.input_player(result)


def _answer_figure(result: Answer) -> Figure:
    """Document QA: the page with the words read and the answer among them; else the chart
    that fits."""
    return image.document_figure(result) if result.word_boxes else charts.answer_figure(result)


def _answer_body(result: Answer) -> str:
    parts = [text.answer_body(result)]
    if result.word_boxes:
        parts.append(img_tag(image.document_figure(result), "page"))
    if result.start_logits is not None or result.end_logits is not None:
        parts.append(img_tag(charts.answer_logits_figure(result), "start/end logits"))
    if result.alternatives and result.inputs is not None and result.inputs.image is not None:
        parts.append(img_tag(charts.alternatives_figure(result), "alternatives"))
    return "".join(parts)


def _fill_mask_body(result: FillMask) -> str:
    return img_tag(charts.fill_mask_figure(result), "candidates") + text.fill_mask_body(result)


def _detection_body(result: Detections) -> str:
    rows = [(o.label, f"{o.score:.3f}", ", ".join(f"{v:.1f}" for v in o.box))
            for o in sorted(result.objects, key=lambda o: -o.score) if o.score >= result.threshold]
    table = html_section("objects", html_table(rows, ("label", "score", "box x0, y0, x1, y1")))
    return img_tag(image.detection_figure(result), "detections") + (table if rows else "")


def _segmentation_body(result: Segmentation) -> str:
    rows = [(s.id, s.label, s.area, "" if s.score is None else f"{s.score:.3f}")
            for s in result.segments]
    return (img_tag(image.segmentation_figure(result), "segments")
            + html_section("segments", html_table(rows, ("id", "label", "pixels", "score"))))


def _transcript_body(result: Transcript) -> str:
    return (text.transcript_body(result) + audio.input_player(result)
            + img_tag(audio.transcript_figure(result, frames=bool(result.frame_tokens)),
                      "waveform"))


def _recognition_body(result: Recognition) -> str:
    score = "" if result.score is None else f" (confidence {result.score:.2f})"
    what = "table structure" if result.structure else "text read"
    return (html_section(what, f"<code>{esc(result.text) or '(nothing read)'}</code>{esc(score)}")
            + img_tag(image.recognition_figure(result), "image"))


def _frames_body(result: Frames) -> str:
    return audio.input_player(result) + img_tag(audio.frames_figure(result), "timeline")


REGISTRY: dict[str, ResultViews] = {
    "classification": ResultViews({"bars": charts.classification_figure}, _classification_body,
                                  "bars"),
    "tokens": ResultViews({"text": boxed(text.tokens_body), "figure": text.tokens_figure},
                          text.tokens_body, "figure"),
    "answer": ResultViews({"text": boxed(text.answer_body), "figure": _answer_figure,
                           "page": image.document_figure, "logits": charts.answer_logits_figure,
                           "alternatives": charts.alternatives_figure}, _answer_body, "figure",
                          when={"page": lambda r: bool(r.word_boxes),
                                "logits": lambda r: r.start_logits is not None,
                                "alternatives": lambda r: bool(r.alternatives)}),
    "fill_mask": ResultViews({"bars": charts.fill_mask_figure, "text": boxed(text.fill_mask_body)},
                             _fill_mask_body, "bars"),
    "generation": ResultViews({"text": boxed(text.generation_body),
                               "figure": text.generation_figure,
                               "probs": charts.generation_probs_figure},
                              text.generation_body, "figure",
                              when={"probs": lambda r: bool(r.token_scores)}),
    "embedding": ResultViews({"similarity": charts.embedding_figure},
                             figures(charts.embedding_figure), "similarity"),
    "detection": ResultViews({"boxes": image.detection_figure}, _detection_body, "boxes"),
    "segmentation": ResultViews({"overlay": image.segmentation_figure}, _segmentation_body,
                                "overlay"),
    "depth": ResultViews({"depth": image.depth_figure}, figures(image.depth_figure), "depth"),
    "keypoints": ResultViews({"keypoints": image.keypoints_figure},
                             figures(image.keypoints_figure), "keypoints"),
    "transcript": ResultViews({"audio": audio.transcript_figure,
                               "frames": audio.transcript_frames_figure,
                               "text": boxed(text.transcript_body)}, _transcript_body, "audio",
                              when={"frames": lambda r: bool(r.frame_tokens)}),
    "frames": ResultViews({"timeline": audio.frames_figure}, _frames_body, "timeline"),
    "feature_maps": ResultViews({"grid": image.feature_maps_figure},
                                figures(image.feature_maps_figure), "grid"),
    "image": ResultViews({"compare": image.image_output_figure},
                         figures(image.image_output_figure), "compare"),
    "audio": ResultViews({"spectrogram": audio.audio_output_figure}, audio.audio_output_body,
                         "spectrogram"),
    "recognition": ResultViews({"image": image.recognition_figure}, _recognition_body, "image"),
    "raw": ResultViews({"table": boxed(text.raw_body), "figure": text.raw_figure}, text.raw_body,
                       "figure"),
}

# Views every result gets when it carries attention weights.
ATTENTION_VIEWS: dict[str, ViewFn] = {
    "attention": attention.attention_figure,
    "attention_grid": attention.attention_grid_figure,
}
# Views every result gets when its model was loaded with a device map.
PLACEMENT_VIEWS: dict[str, ViewFn] = {"device_map": device_map.device_map_figure}


def register(result_type: str, views: dict[str, ViewFn], body: BodyFn | None = None,
             figure: str | None = None, when: dict[str, Callable[[Any], bool]] | None = None,
             exist_ok: bool = False) -> None:
    """Add the views of a new result type (refuses to replace one unless ``exist_ok``)."""
    if result_type in REGISTRY and not exist_ok:
        raise ValueError(f"result type {result_type!r} already has views; pass exist_ok=True")
    if not views:
        raise ValueError("give at least one view")
    first = next(iter(views))
    REGISTRY[result_type] = ResultViews(dict(views), body or figures(views[first]),
                                        figure or first, dict(when or {}))


# ---------------------------------------------------------------------------- dispatch


def _fallback(result: Result) -> ResultViews:
    """A result type nobody registered yet: its fields as a table."""
    def body(r: Result) -> str:
        rows = [(k, str(v)[:200]) for k, v in r.to_dict().items()
                if k not in ("task", "checkpoint", "model_class", "notes", "random_weights")]
        return html_table(rows, ("field", "value"))
    return ResultViews({"fields": boxed(body)}, body, "")


def _entry(result: Result) -> ResultViews:
    return REGISTRY.get(getattr(result, "type", ""), None) or _fallback(result)


def _all_views(result: Result) -> dict[str, ViewFn]:
    found = _entry(result).applicable(result)
    if getattr(result, "attentions", None):
        found.update(ATTENTION_VIEWS)
    if getattr(result, "placement", None):
        found.update(PLACEMENT_VIEWS)
    return found


def views(result: Result) -> list[str]:
    """Names of the views that apply to ``result``; the first is the default."""
    return list(_all_views(result))


def options(result: Result, view: str | None = None) -> dict[str, Any]:
    """The options a view takes, with their defaults (for UIs building controls)."""
    fn = _pick(result, view)
    params = list(inspect.signature(fn).parameters.values())[1:]
    return {p.name: p.default for p in params}


def _pick(result: Result, view: str | None) -> ViewFn:
    available = _all_views(result)
    name = view or next(iter(available))
    if name not in available:
        hint = (" (attention views need a run with output_attentions=True)"
                if name in ATTENTION_VIEWS else "")
        raise BadInput(f"no view {name!r} for a {result.type} result{hint}; "
                       f"views: {', '.join(available)}")
    return available[name]


def render(result: Result, view: str | None = None, **opts: Any) -> Figure | str:
    """The ``view`` of ``result`` (default: the first for its type): a Figure, or HTML for text
    views. Options depend on the view: ``top_k``/``full`` (classification), ``threshold``
    (detection, keypoints), ``frames`` (transcript), ``layer``/``head`` (attention), ..."""
    fn = _pick(result, view)
    accepted = options(result, view)
    unknown = sorted(set(opts) - set(accepted))
    if unknown:
        raise BadInput(f"option(s) {', '.join(unknown)} do not apply to the "
                       f"{view or views(result)[0]} view of a {result.type} result; it takes: "
                       f"{', '.join(accepted) or 'none'}")
    with style():
        return fn(result, **opts)


def _attention_body(result: Result) -> str:
    if not getattr(result, "attentions", None):
        return ""
    # One figure keeps to_html fast; the per-head grid is the "attention_grid" view.
    picked = attention.attention_figure(result, layer=-1, head="mean")
    return html_section("attention (last layer, mean of heads)", img_tag(picked, "attention"))


def _placement_body(result: Result) -> str:
    if not result.placement:
        return ""
    return html_section("device map (where the weights sit)",
                        device_map.placement_html(result.placement))


def to_html(result: Result) -> str:
    """A self-contained HTML view: title, random-weights banner, notes, then the views."""
    with style(), embedded():
        return html_box(result, _entry(result).body(result) + _attention_body(result)
                        + _placement_body(result))


def to_png(result: Result, view: str | None = None, **opts: Any) -> bytes:
    """The figure view (``view`` or the type's PNG view) as PNG bytes."""
    name = view or _entry(result).figure
    if not name:
        raise BadInput(f"a {result.type} result has no figure view; save it as .html")
    drawn = render(result, name, **opts)
    if not isinstance(drawn, Figure):
        raise BadInput(f"the {name} view is HTML; save it as .html or pick a figure view "
                       f"({', '.join(figure_views(result))})")
    return figure_png(drawn)


def figure_views(result: Result) -> list[str]:
    """Views of ``result`` that draw a figure (by name; text views are left out)."""
    return [n for n, fn in _all_views(result).items() if not getattr(fn, "is_html", False)]


def page(result: Result, body: str | None = None) -> str:
    """A complete HTML document around ``to_html`` (or ``body``)."""
    first, second = title_lines(result)
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
            f"<title>{esc(first)} — {esc(second)}</title></head>"
            "<body style=\"margin:16px;background:#f6f6f6\">"
            f"{body or to_html(result)}</body></html>\n")


FIGURE_FORMATS = (".png", ".svg", ".pdf")


def save(result: Result, path: str | Path, view: str | None = None, **opts: Any) -> Path:
    """Write the view to ``path``: ``.html`` (any view; default the full ``to_html``), or a figure
    as ``.png`` / ``.svg`` / ``.pdf``."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        if view is None and not opts:
            content = page(result)
        else:
            with embedded():  # the HTML box carries the title and badge
                drawn = render(result, view, **opts)
            content = page(result, drawn if isinstance(drawn, str)
                           else html_box(result, img_tag(drawn, view or "view")))
        path.write_text(content, encoding="utf-8")
        return path
    if suffix not in FIGURE_FORMATS:
        raise BadInput(f"cannot save a view as {suffix or 'a file without extension'}; use .png, "
                       ".svg, .pdf or .html")
    if suffix == ".png":
        path.write_bytes(to_png(result, view, **opts))
        return path
    drawn = render(result, view or _entry(result).figure, **opts)
    if not isinstance(drawn, Figure):
        raise BadInput(f"the {view} view is HTML; save it as .html")
    with style():
        drawn.savefig(path, format=suffix[1:], facecolor="white")
    return path


__all__ = ["REGISTRY", "ResultViews", "data_json", "figure_views", "options", "page", "register",
           "render", "save", "to_html", "to_png", "views"]
