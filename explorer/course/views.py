"""Small views of what the engine decided (a trace, a load report, tokens, pixels, features).

Views return objects that display themselves in Jupyter (``HTML`` or a figure) and are plain
strings / figures otherwise, so they can be tested without a notebook.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from explorer.course.checkpoints import short
from explorer.render.common import esc, html_table, new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from explorer.loading import Loaded
    from explorer.resolution import Resolution


class HTML(str):
    """A string of HTML that Jupyter displays as HTML (and prints as itself elsewhere)."""

    def _repr_html_(self) -> str:
        return str(self)



_BOX = ("font-family:DejaVu Sans,Helvetica,Arial,sans-serif;font-size:13px;line-height:1.5;"
        "border:1px solid #ddd;border-radius:6px;padding:8px 12px;background:#fff;max-width:980px")


def _box(title: str, body: str) -> HTML:
    return HTML(f'<div style="{_BOX}"><div style="font-weight:600;margin-bottom:4px">'
                f"{esc(title)}</div>{body}</div>")


def table(rows: Iterable[Iterable[Any]], header: Iterable[str], title: str = "") -> HTML:
    """Rows as an HTML table (cells shown with ``str``)."""
    body = html_table([tuple(r) for r in rows], tuple(header))
    return _box(title, body) if title else HTML(body)


def auto_class_overview() -> HTML:
    """Every Auto model class this transformers exports, by category, from ``explorer.tasks()``:
    its task, how many model types its table maps, and whether the explorer runs it."""
    import explorer

    rows = [(spec.category, spec.auto_class, spec.task if spec.tags else "—",
             len(spec.model_types), "yes" if spec.runner is not None else "no")
            for spec in explorer.tasks()]
    return _box(f"{len(rows)} Auto model classes in this transformers",
                html_table(rows, ("category", "Auto class", "task", "model types", "runs here")))


def show_trace(resolution: Resolution) -> HTML:
    """The explorer's resolution: the facts it read and each step of *why*, numbered."""
    facts = [("model_type", resolution.model_type), ("config class", resolution.config_class),
             ("task (Auto class)", resolution.task or "none"),
             ("concrete model class", resolution.model_class or "none"),
             ("preprocessor",
              f"{resolution.preprocessor_auto_class} → {resolution.preprocessor_class}"),
             ("random weights", resolution.random_weights)]
    steps = "".join(f"<li>{esc(step)}</li>" for step in resolution.trace)
    body = (html_table(facts, ("fact", "value"))
            + f'<ol style="margin:6px 0 0 0;padding-left:22px;font-size:12px">{steps}</ol>')
    return _box(f"resolve({short(resolution.checkpoint)})", body)


def show_checkpoints(checkpoints: dict[str, str]) -> HTML:
    """The lesson's checkpoints and what their weights are: real, a trained toy (with what it
    learned and how well), or random (its outputs show the wiring, never an answer)."""
    from explorer.course.claims import kind_of

    meaning = {"real": "real weights", "random": "random weights: read the form, not the answer"}
    rows = []
    for name, checkpoint in checkpoints.items():
        _, kind, headline = kind_of(checkpoint)
        rows.append((name, short(checkpoint), kind, headline or meaning.get(kind, kind)))
    return _box(f"{len(rows)} checkpoints in this lesson",
                html_table(rows, ("name", "checkpoint", "weights", "what that means here")))


def _names(keys: Iterable[str], limit: int = 8) -> str:
    keys = list(keys)
    shown = ", ".join(keys[:limit])
    return shown + (f", … ({len(keys)} in all)" if len(keys) > limit else "") if keys else "none"


def show_report(loaded: Loaded) -> HTML:
    """A load report: parameters, dtype, device, and which weights were newly initialised."""
    report = loaded.report
    rows = [("model class", type(loaded.model).__name__),
            ("parameters", f"{report.parameters:,}"), ("bytes", f"{report.bytes:,}"),
            ("dtype", report.dtype), ("device", report.device),
            ("newly initialised", _names(report.newly_initialized)),
            ("unused from the checkpoint", _names(report.unexpected))]
    notes = "".join(f"<li>{esc(w)}</li>" for w in report.warnings)
    warn = (f'<ul style="color:#7a4b00;font-size:12px;margin:4px 0;padding-left:20px">{notes}</ul>'
            if notes else "")
    from explorer.render.device_map import placement_html

    return _box(f"load({short(loaded.resolution.checkpoint)}, task={loaded.spec.task!r})",
                html_table(rows, ("", "")) + warn + placement_html(report.placement))


def heads_table(checkpoint: str, tasks: Iterable[str]) -> HTML:
    """One base checkpoint loaded under several heads: the class each picks and what is new."""
    import explorer

    rows = []
    for task in tasks:
        loaded = explorer.load(checkpoint, task)
        new = loaded.report.newly_initialized
        rows.append((loaded.spec.task, type(loaded.model).__name__, len(new), _names(new, 4)))
    return _box(f"one checkpoint, several heads: {short(checkpoint)}",
                html_table(rows, ("task", "class", "# new weights", "newly initialised")))


def show_tokens(tokenizer: Any, text: str, text_pair: str | None = None) -> HTML:
    """Each token as a chip: its string, its id, and (when the tokenizer makes them) its segment;
    special tokens in orange."""
    encoded = tokenizer(text, text_pair) if text_pair is not None else tokenizer(text)
    ids = encoded["input_ids"]
    segments = encoded.get("token_type_ids") or [0] * len(ids)
    special = set(tokenizer.all_special_ids)
    chips = []
    for token, tid, seg in zip(tokenizer.convert_ids_to_tokens(ids), ids, segments):
        color = "#E69F00" if tid in special else ("#56B4E9" if seg == 0 else "#009E73")
        chips.append(
            f'<span style="display:inline-block;margin:2px;padding:2px 6px;border-radius:4px;'
            f'background:{color}33;border:1px solid {color};font-family:monospace">'
            f'{esc(token)}<sub style="color:#555;margin-left:3px">{tid}</sub></span>')
    legend = ('<div style="font-size:11px;color:#555">orange: special tokens · blue: first text'
              + (" · green: second text (token_type_ids = 1)" if text_pair is not None else "")
              + " · small numbers: input_ids</div>")
    return _box(f"{type(tokenizer).__name__}: {len(ids)} tokens", "".join(chips) + legend)


# ---------------------------------------------------------------------------- pictures of inputs


def _as_numpy(value: Any) -> np.ndarray:
    if hasattr(value, "detach"):
        value = value.detach().float().cpu().numpy()
    return np.asarray(value)


def show_pixels(image: Any, pixel_values: Any, processor: Any) -> Figure:
    """The image as given next to what the model receives (``pixel_values`` with the
    normalisation undone so it can be looked at), with both shapes in the titles."""
    pixels = _as_numpy(pixel_values)
    first = pixels[0] if pixels.ndim == 4 else pixels
    picture = np.moveaxis(first[:3], 0, -1).astype(np.float64)
    mean = np.asarray(getattr(processor, "image_mean", None) or [0.0] * 3, dtype=np.float64)
    std = np.asarray(getattr(processor, "image_std", None) or [1.0] * 3, dtype=np.float64)
    if getattr(processor, "do_normalize", True):
        picture = picture * std + mean
    fig = new_figure(7.5, 3.2)
    left, right = fig.subplots(1, 2)
    left.imshow(np.asarray(image))
    left.set_title(f"given: {image.size[0]}×{image.size[1]} px (width × height)")
    right.imshow(picture.clip(0, 1))
    right.set_title(f"pixel_values {tuple(pixels.shape)}\n(normalisation undone for display)")
    for ax in (left, right):
        ax.set_xticks([])
        ax.set_yticks([])
    return fig


def show_audio_features(waveform: np.ndarray, sampling_rate: int, name: str,
                        features: Any) -> Figure:
    """The waveform next to what the feature extractor made of it: a normalised waveform
    (``input_values``) drawn as a line, a spectrogram-like ``(features, frames)`` array as an
    image."""
    values = _as_numpy(features)[0]
    fig = new_figure(8.5, 2.8)
    left, right = fig.subplots(1, 2)
    seconds = np.arange(len(waveform)) / sampling_rate
    left.plot(seconds, waveform, linewidth=0.5)
    left.set_title(f"waveform: {len(waveform)} samples at {sampling_rate} Hz")
    left.set_xlabel("seconds")
    if values.ndim == 1:
        right.plot(values, linewidth=0.5, color="#D55E00")
        right.set_xlabel("sample")
    else:
        right.imshow(values, aspect="auto", origin="lower", cmap="magma")
        right.set_xlabel("frame")
        right.set_ylabel("feature")
    right.set_title(f"{name} {tuple(_as_numpy(features).shape)}")
    return fig
