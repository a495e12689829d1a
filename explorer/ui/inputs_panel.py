"""Panel 4: the inputs the task reads (``spec.inputs``): text, pairs, question + context, image,
audio, candidate labels, table. Each kind is one small class in ``INPUT_CONTROLS``.

File inputs offer the bundled examples (explorer/examples) and an upload; uploads are saved to a
temporary folder so every input is a path, as ``explorer.make_inputs`` and the Code tab expect.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as w

from explorer.catalog import InputKind, TaskSpec
from explorer.errors import BadInput
from explorer.inputs import CLIP_SUFFIXES, read_clip
from explorer.ui.style import esc, heading
from explorer.zoo import EXAMPLES_DIR

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff")
AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".ogg")
TABLE_SUFFIXES = (".csv",)

# What a task gets when no zoo example names the input.
DEFAULTS: dict[str, Any] = {
    "text": "The students read a good book about language models in Paris.",
    "text_pair": "", "question": "Where did the students read?",
    "context": "The students read a good book about language models in Paris.",
    "labels": "cat, dog, car", "image": "photo.jpg", "audio": "speech.wav", "table": "table.csv",
}
_FULL = w.Layout(width="100%")
NONE = "— none —"
"""The file picker's entry for "no file" (optional inputs, other modalities)."""


def examples(suffixes: tuple[str, ...]) -> list[str]:
    """Bundled example files with these suffixes, by name."""
    if not EXAMPLES_DIR.is_dir():
        return []
    return sorted(p.name for p in EXAMPLES_DIR.iterdir() if p.suffix.lower() in suffixes)


def _label(text: str) -> w.HTML:
    return w.HTML(f'<div class="ae-field-label">{esc(text)}</div>')


def _save_upload(upload: w.FileUpload, folder: Path) -> Path | None:
    """The last uploaded file, written under ``folder`` with its own name."""
    if not upload.value:
        return None
    item = upload.value[-1]
    name = Path(item["name"]).name or "upload"
    path = folder / name
    path.write_bytes(bytes(item["content"]))
    return path


class InputControl:
    """One input kind: a widget, its run keyword value, and prefill from an example."""

    kind = ""

    def __init__(self, multi: bool = False, uploads: Path | None = None) -> None:
        self.multi = multi
        self.uploads = uploads or Path(tempfile.mkdtemp(prefix="explorer-uploads-"))
        self.widget: w.Widget = w.VBox()

    def value(self) -> Any:
        raise NotImplementedError

    def prefill(self, value: Any) -> None:
        raise NotImplementedError

    def editors(self) -> list[w.Widget]:
        """The widgets whose ``value`` is what the user edits."""
        return []


class TextControl(InputControl):
    kind = "text"
    title = "Text"
    rows = 3

    def __init__(self, multi: bool = False, uploads: Path | None = None) -> None:
        super().__init__(multi, uploads)
        title = self.title + (" — one per line" if multi else "")
        self.box = w.Textarea(rows=self.rows, layout=_FULL) if self.rows > 1 else \
            w.Text(layout=_FULL)
        self.widget = w.VBox([_label(title), self.box], layout=_FULL)

    def editors(self) -> list[w.Widget]:
        return [self.box]

    def value(self) -> Any:
        text = self.box.value
        if self.multi:
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            return lines or None
        return text if text.strip() else None

    def prefill(self, value: Any) -> None:
        self.box.value = "\n".join(value) if isinstance(value, (list, tuple)) else str(value or "")


class TextPairKind(TextControl):
    kind, title, rows = "text_pair", "Second text (the pair)", 1


class QuestionKind(TextControl):
    kind, title, rows = "question", "Question", 1


class ContextKind(TextControl):
    kind, title, rows = "context", "Context (the answer is a span of it)", 4


class LabelsKind(TextControl):
    kind, title, rows = "labels", "Candidate labels / choices — comma-separated", 1

    def value(self) -> Any:
        parts = [p.strip() for p in self.box.value.split(",") if p.strip()]
        return parts or None

    def prefill(self, value: Any) -> None:
        self.box.value = ", ".join(value) if isinstance(value, (list, tuple)) else str(value or "")


class FileControl(InputControl):
    """A bundled example or an upload, with a preview."""

    title = "File"
    suffixes: tuple[str, ...] = ()
    accept = ""

    def __init__(self, multi: bool = False, uploads: Path | None = None) -> None:
        super().__init__(multi, uploads)
        self.paths: dict[str, Path | None] = {NONE: None}
        self.paths.update({name: EXAMPLES_DIR / name for name in examples(self.suffixes)})
        self.picker = w.Dropdown(options=list(self.paths), value=NONE, description="file",
                                 layout=w.Layout(width="320px"),
                                 style={"description_width": "64px"})
        self.upload = w.FileUpload(accept=self.accept, multiple=False, description="Upload",
                                   layout=w.Layout(width="120px"))
        self.preview = self.make_preview()
        self.widget = w.VBox([_label(self.title), w.HBox([self.picker, self.upload]),
                              self.preview], layout=_FULL)
        self.picker.observe(self._on_value_change, "value")
        self.upload.observe(self._on_upload_change, "value")
        self._show()

    def make_preview(self) -> w.Widget:
        return w.HTML()

    def editors(self) -> list[w.Widget]:
        return [self.picker]

    def show(self, path: Path) -> None:
        """Update the preview for ``path``."""

    def _show(self) -> None:
        path = self.paths.get(self.picker.value or "")
        if path is not None and path.is_file():
            self.show(path)
        else:
            self.clear()

    def clear(self) -> None:
        """Empty the preview (no file picked)."""
        self.preview.value = ""

    def _on_value_change(self, change: dict) -> None:
        self._show()

    def _on_upload_change(self, change: dict) -> None:
        saved = _save_upload(self.upload, self.uploads)
        if saved is None:
            return
        label = f"uploaded: {saved.name}"
        self.paths[label] = saved
        self.picker.options = list(self.paths)
        self.picker.value = label

    def value(self) -> Any:
        path = self.paths.get(self.picker.value or "")
        return str(path) if path is not None else None

    def prefill(self, value: Any) -> None:
        if not value:
            self.picker.value = NONE
            return
        path = Path(str(value))
        name = path.name
        if name not in self.paths and path.is_file():
            self.paths[name] = path
            self.picker.options = list(self.paths)
        if name in self.paths:
            self.picker.value = name


class ImageKind(FileControl):
    """An image, or a clip (animated GIF, MP4, WebM) for video models; image tasks read a clip's
    first frame."""

    kind, title = "image", "Image"
    suffixes, accept = IMAGE_SUFFIXES + CLIP_SUFFIXES, "image/*,video/*"

    def make_preview(self) -> w.Widget:
        # flex-start: a VBox stretches its children, which would distort the picture.
        return w.Image(layout=w.Layout(height="150px", width="auto", max_width="100%",
                                       align_self="flex-start", object_fit="contain",
                                       border="1px solid #e5e7eb", margin="6px 0 0"))

    def show(self, path: Path) -> None:
        if path.suffix.lower() in CLIP_SUFFIXES:  # an <img> cannot play it: show its first frame
            self.preview.format, self.preview.value = "png", _first_frame_png(path)
        else:
            self.preview.format = path.suffix.lower().lstrip(".").replace("jpg", "jpeg")
            self.preview.value = path.read_bytes()
        self.preview.layout.display = ""

    def clear(self) -> None:
        self.preview.value = b""
        self.preview.layout.display = "none"


def _first_frame_png(path: Path) -> bytes:
    try:
        frame = read_clip(path)[0]
    except BadInput:
        return b""
    buffer = io.BytesIO()
    frame.save(buffer, format="PNG")
    return buffer.getvalue()


class AudioKind(FileControl):
    kind, title, suffixes, accept = "audio", "Audio", AUDIO_SUFFIXES, "audio/*"

    def make_preview(self) -> w.Widget:
        return w.Audio(autoplay=False, loop=False, controls=True)

    def show(self, path: Path) -> None:
        self.preview.format = path.suffix.lower().lstrip(".")
        self.preview.value = path.read_bytes()
        self.preview.layout.display = ""

    def clear(self) -> None:
        self.preview.value = b""
        self.preview.layout.display = "none"


class TableKind(FileControl):
    """A CSV: pick or upload one, then edit it in the box (the box's text is what runs)."""

    kind, title, suffixes, accept = "table", "Table (CSV with a header row)", TABLE_SUFFIXES, ".csv"

    def make_preview(self) -> w.Widget:
        return w.Textarea(rows=6, layout=_FULL)

    def show(self, path: Path) -> None:
        self.preview.value = path.read_text(encoding="utf-8-sig")

    def editors(self) -> list[w.Widget]:
        return [self.picker, self.preview]

    def value(self) -> Any:
        text = self.preview.value
        return text if text.strip() else None


INPUT_CONTROLS: dict[str, type[InputControl]] = {
    cls.kind: cls for cls in (TextControl, TextPairKind, QuestionKind, ContextKind, LabelsKind,
                              ImageKind, AudioKind, TableKind)
}
_MODALITIES = {"text": "AutoTokenizer", "image": "AutoImageProcessor",
               "audio": "AutoFeatureExtractor"}


def kinds_for(spec: TaskSpec, resolution: Any = None) -> list[InputKind]:
    """The input kinds to show. Tasks that list several modalities (base models, any-to-any) show,
    once the checkpoint is resolved, only those its preprocessors take (a BERT text, a ViT an
    image)."""
    kinds = [k for k in spec.inputs if k in INPUT_CONTROLS]
    modal = [k for k in kinds if k in _MODALITIES]
    if len(modal) > 1 and resolution is not None:
        has = set(resolution.preprocessor)
        keep = [k for k in modal if _MODALITIES[k] in has]
        if keep:
            kinds = [k for k in kinds if k not in _MODALITIES or k in keep]
    return kinds


class InputsPanel:
    """``set_task(spec, resolution)`` builds the controls; ``values()`` gives run keywords."""

    def __init__(self) -> None:
        self.uploads = Path(tempfile.mkdtemp(prefix="explorer-uploads-"))
        self.controls: dict[str, InputControl] = {}
        self.box = w.VBox(layout=_FULL)
        self.unsupported = w.HTML()
        self.spec: TaskSpec | None = None
        self._listeners: list[Callable[[], None]] = []

    def on_change(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` whenever an input's value changes."""
        self._listeners.append(callback)

    def _changed(self, _change: dict) -> None:
        for callback in self._listeners:
            callback()

    def set_task(self, spec: TaskSpec | None, resolution: Any = None) -> None:
        """Show the controls for ``spec``; keeps what was typed when the kinds do not change."""
        self.spec = spec
        kinds = kinds_for(spec, resolution) if spec is not None else []
        multi = spec is not None and spec.result == "embedding"
        old = self.controls
        self.controls = {}
        for kind in kinds:
            keep = old.get(kind)
            if keep is None or keep.multi != multi:
                keep = INPUT_CONTROLS[kind](multi=multi, uploads=self.uploads)
                for editor in keep.editors():
                    editor.observe(self._changed, "value")
            self.controls[kind] = keep
        self.box.children = [c.widget for c in self.controls.values()]
        missing = [k for k in (spec.inputs if spec else ()) if k not in INPUT_CONTROLS]
        self.unsupported.value = "" if not missing else (
            f'<div class="ae-muted">This task also reads {esc(", ".join(missing))}, which the '
            "dashboard cannot take yet.</div>")

    def prefill(self, example: dict[str, Any]) -> None:
        """Fill the controls from an example (a zoo entry's: the kinds it does not name stay empty,
        so a base model gets only the modality it takes) or, with no example, the defaults."""
        for kind, control in self.controls.items():
            fallback = "" if example else DEFAULTS.get(kind, "")
            control.prefill(example.get(kind, fallback))

    def prefill_empty(self) -> None:
        """Give controls that are still empty the default input (a hub checkpoint has no
        example); what the user typed stays."""
        for kind, control in self.controls.items():
            if control.value() is None:
                control.prefill(DEFAULTS.get(kind, ""))

    def values(self) -> dict[str, Any]:
        """``explorer.make_inputs`` keywords for the controls that are filled in."""
        out = {}
        for kind, control in self.controls.items():
            value = control.value()
            if value is not None:
                out[kind] = value
        return out

    def heading(self) -> w.HTML:
        return w.HTML(heading(3, "Input"))
