"""Panel 3: load options (dtype, device, revision, attentions, and for big models accelerate's
device map, memory caps, offload folder and quantization) and the run options of the task.

Which run options appear, and each one's control, label, choices and tooltip, are derived from
the ``Option``s the task declares (``spec.options``, ``explorer/options.py``). Untouched, an
option shows "default" and is not sent, so the task's own default applies.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from explorer.catalog import TaskSpec
from explorer.load_options import DEVICE_MAPS
from explorer.options import Option
from explorer.ui.style import heading, message

_STYLE = {"description_width": "130px"}
_WIDTH = w.Layout(width="310px")
DEFAULT = "default"
"""What an untouched option shows: the runner's own default applies (defaults differ per task,
e.g. top_k is 5 for labels and 100 for boxes), so nothing is sent."""


def control_for(option: Option) -> w.Widget:
    """The form control of one declared option: a yes / no list for a flag, a list of its choices,
    else a text box showing the task's default; the tooltip is the option's help."""
    tip = option.describe()
    if option.type is bool or option.choices:
        shown = ("yes", "no") if option.type is bool else tuple(map(str, option.choices))
        return w.Dropdown(options=[DEFAULT, *shown], value=DEFAULT, description=option.title,
                          tooltip=tip, style=_STYLE, layout=_WIDTH)
    if option.default is not None:
        hint = str(option.default)
    elif option.min is not None and option.max is not None:
        hint = f"{option.min:g}–{option.max:g}"
    else:
        hint = "the model's own"
    return w.Text(value="", description=option.title, placeholder=f"{DEFAULT} ({hint})",
                  tooltip=tip, style=_STYLE, layout=_WIDTH)


def parse_option(text: str) -> Any:
    """A text box's value as the runner wants it: JSON when it parses (``0.5``, ``[1, 2]``,
    ``true``), a list for comma-separated numbers (``1,2,3``), else the text itself."""
    import json

    text = text.strip()
    try:
        return json.loads(text)
    except ValueError:
        pass
    parts = [p.strip() for p in text.split(",")]
    if len(parts) > 1:
        try:
            return [json.loads(p) for p in parts]
        except ValueError:
            pass
    return text


def _read(control: w.Widget) -> Any:
    """The value to send, or None for an untouched control."""
    value = control.value
    if value == DEFAULT or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(control, w.Dropdown) and value in ("yes", "no"):
        return value == "yes"
    return parse_option(value) if isinstance(control, w.Text) else value


def _write(control: w.Widget, value: Any) -> None:
    if isinstance(control, w.Dropdown):
        shown = {True: "yes", False: "no"}.get(value, str(value)) if isinstance(value, bool) \
            else str(value)
        if shown in control.options:
            control.value = shown
        return
    control.value = ",".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)


DTYPE_CHOICES = ("auto", "float32", "float16", "bfloat16")
NONE = "none"


def _devices() -> list[str]:
    import torch

    found = ["auto", "cpu"]
    if torch.cuda.is_available():
        found.append("cuda")
    if torch.backends.mps.is_available():
        found.append("mps")
    return found


class OptionsPanel:
    """``set_task(spec)`` shows the options that apply; ``values()`` reads them."""

    def __init__(self) -> None:
        self.dtype = w.Dropdown(options=list(DTYPE_CHOICES), value="auto", description="dtype",
                                style=_STYLE, layout=_WIDTH)
        self.device = w.Dropdown(options=_devices(), value="auto", description="device",
                                 style=_STYLE, layout=_WIDTH)
        self.revision = w.Text(value="", placeholder="main", description="revision",
                               style=_STYLE, layout=w.Layout(width="300px", display="none"))
        self.output_attentions = w.Checkbox(
            value=False, description="keep attention maps", indent=False,
            tooltip="Return attention weights (eager attention) for the attention views",
            layout=w.Layout(width="310px"))
        # Big models: accelerate places modules on GPUs, CPU and disk; bitsandbytes quantizes.
        self.device_map = w.Dropdown(options=[NONE, *DEVICE_MAPS], value=NONE,
                                     description="device map", style=_STYLE, layout=_WIDTH,
                                     tooltip="Let accelerate place the layers on GPUs, CPU and "
                                             "disk (big-model inference)")
        self.max_memory = w.Text(value="", placeholder="e.g. cpu=2GiB,0=20GiB",
                                 description="max memory", style=_STYLE, layout=_WIDTH)
        self.offload_folder = w.Text(value="", placeholder="folder for weights on disk",
                                     description="offload folder", style=_STYLE, layout=_WIDTH)
        cuda = "cuda" in self.device.options
        self.quantization = w.Dropdown(options=[NONE, "8bit", "4bit"], value=NONE,
                                       description="quantization", style=_STYLE,
                                       layout=w.Layout(width="310px",
                                                       display="" if cuda else "none"))
        self.offer = w.HTML()
        """Filled when a run was over the memory budget: the offloading options were set."""
        self.run_controls: dict[str, w.Widget] = {}
        self.run_box = w.HBox(layout=w.Layout(flex_flow="row wrap", grid_gap="4px 16px"))
        self.load_box = w.HBox([self.dtype, self.device, self.revision, self.output_attentions,
                                self.device_map, self.max_memory, self.offload_folder,
                                self.quantization, self.offer],
                               layout=w.Layout(flex_flow="row wrap", grid_gap="4px 16px"))
        self.hint = w.HTML()

    def set_task(self, spec: TaskSpec | None) -> None:
        self.run_controls = {}
        for option in (spec.options if spec is not None else ()):
            self.run_controls[option.name] = control_for(option)
        self.run_box.children = list(self.run_controls.values())
        self.offer.value = ""
        self.hint.value = "" if self.run_controls else \
            '<div class="ae-small">This task has no run options.</div>'

    def show_revision(self, visible: bool) -> None:
        """Revisions exist for hub checkpoints only."""
        self.revision.layout.display = "" if visible else "none"
        if not visible:
            self.revision.value = ""

    def prefill(self, values: dict[str, Any]) -> None:
        """Set the run options an example names (e.g. a zoo entry's ``threshold``); the others go
        back to the task's default."""
        values = {**values, **(values.get("options") or {})}
        for name, control in self.run_controls.items():
            if name in values:
                _write(control, values[name])
            else:
                control.value = DEFAULT if isinstance(control, w.Dropdown) else ""

    def label(self, name: str) -> str:
        """What the control of run option ``name`` is called on screen."""
        control = self.run_controls.get(name)
        return getattr(control, "description", "") or name

    def values(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """``(load keywords, run options)``; untouched run options are left out."""
        load = {"dtype": self.dtype.value, "device": None if self.device.value == "auto"
                else self.device.value, "output_attentions": self.output_attentions.value}
        if self.revision.layout.display != "none" and self.revision.value.strip():
            load["revision"] = self.revision.value.strip()
        big = {"device_map": self.device_map.value, "max_memory": self.max_memory.value.strip(),
               "offload_folder": self.offload_folder.value.strip(),
               "quantization": self.quantization.value}
        load.update({k: v for k, v in big.items() if v not in ("", NONE)})
        run = {name: _read(control) for name, control in self.run_controls.items()}
        return load, {k: v for k, v in run.items() if v is not None}

    def offer_offload(self, offload: Any, reason: str) -> None:
        """Set the offloading options that load an over-budget checkpoint (``offload`` is the
        ``LoadOptions`` the refusal carried) and say so; the next Run uses them."""
        self.device_map.value = offload.device_map if offload.device_map in DEVICE_MAPS else "auto"
        self.max_memory.value = ",".join(f"{k}={v}" for k, v in (offload.max_memory or {}).items())
        self.offload_folder.value = offload.offload_folder or ""
        self.offer.value = message(
            f"{reason.split('. ')[0]}. The offloading options are set above: press Run to load "
            "it with what does not fit on disk (slower, but it runs).", "info")
        self.offer.layout.width = "100%"

    def heading(self) -> w.HTML:
        return w.HTML(heading(4, "Options"))
