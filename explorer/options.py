"""Task options, typed and declared once: name, type, default, choices or bounds, help, and
whether it applies at load or at run time.

A task lists the ``Option``s it reads in its catalog entry (``explorer/catalog/<family>.py``),
with ``.but(default=...)`` where its default differs. Everything else is derived from that
declaration: ``ctx.option(name)`` in the runners and ``spec.option(name)`` in the Code-tab
snippets read the default here, the dashboard builds its form from it
(``explorer/ui/options_panel.py``), the CLI coerces ``--option KEY=VALUE`` and writes its help
from it, and ``explorer.runner.split_options`` splits load from run options by ``stage``.

    from explorer.options import default
    default("top_k")                                    # 5
    default("top_k", "AutoModelForObjectDetection")     # 100
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from explorer.errors import BadOption


@dataclass(frozen=True, eq=False)
class Option:
    """One task option. An option equals its name (``"top_k" in spec.options``)."""

    name: str
    type: type | None
    """int, float, bool, str or list; None: passed on as given (a path, points, a box)."""
    default: Any
    """None: the model's own default, or one the runner works out from the input."""
    help: str
    choices: tuple[Any, ...] = ()
    min: float | None = None
    max: float | None = None
    stage: Literal["load", "run"] = "run"
    """``load``: set on the config when the model loads; ``run``: read by the runner."""
    label: str = ""
    """What the dashboard calls it (default: the name, spaced)."""

    def but(self, **changes: Any) -> Option:
        """This option with another default (or help) for one task."""
        return replace(self, **changes)

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ")

    def coerce(self, value: Any) -> Any:
        """``value`` (CLI and text boxes give text) as this option's type, inside its bounds;
        BadOption with what it expects otherwise."""
        if value is None or self.type is None:
            return value
        try:
            typed = coerce(value, self.type)
        except (TypeError, ValueError):
            words = _EXPECTED.get(self.type, f"a {self.type.__name__}")
            raise BadOption(self.name, value, words) from None
        if self.choices and typed not in self.choices:
            raise BadOption(self.name, value, self.expects())
        if isinstance(typed, (int, float)) and not isinstance(typed, bool) and (
                (self.min is not None and typed < self.min)
                or (self.max is not None and typed > self.max)):
            raise BadOption(self.name, value, self.expects())
        return typed

    def expects(self) -> str:
        """What a valid value looks like: ``a whole number ≥ 1``, ``one of mean, cls``."""
        if self.choices:
            return "one of " + ", ".join(map(str, self.choices))
        words = _EXPECTED.get(self.type, "text") if self.type is not None else "text"
        if self.min is not None and self.max is not None:
            return f"{words} from {self.min:g} to {self.max:g}"
        if self.min is not None:
            return f"{words} ≥ {self.min:g}"
        return words

    def describe(self) -> str:
        """One line for ``--help`` and tooltips."""
        shown = repr(self.default) if isinstance(self.default, str) else self.default
        default = "" if self.default is None else f", default {shown}"
        load = ", set at load" if self.stage == "load" else ""
        return f"{self.name} ({self.expects()}{default}{load}): {self.help}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return self.name == other
        if isinstance(other, Option):
            return (self.name, self.default, self.help) == (other.name, other.default, other.help)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.name)

    def __str__(self) -> str:
        return self.name


_EXPECTED = {int: "a whole number", float: "a number", bool: "true or false", str: "text",
             list: "a comma-separated list"}


def coerce(value: Any, kind: type) -> Any:
    """Text (from the CLI or a text box) as ``kind``: ``"3"`` → 3, ``"yes"`` → True,
    ``"1,2,3"`` → [1, 2, 3]; other values through ``kind`` itself."""
    if kind is bool and isinstance(value, str):
        if value.lower() in ("1", "true", "yes", "on"):
            return True
        if value.lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(value)
    if kind in (list, tuple) and isinstance(value, str):
        return [int(v) if v.strip().lstrip("-").isdigit() else v.strip() for v in value.split(",")]
    if kind is int and isinstance(value, float) and not value.is_integer():
        raise ValueError(value)
    return kind(value)


TOP_K = Option("top_k", int, 5, "how many of the best labels / boxes / points to keep", min=1,
               label="top-k")
THRESHOLD = Option("threshold", float, 0.5, "keep only what scores above this", min=0.0,
                   max=1.0)
MASK_THRESHOLD = Option("mask_threshold", float, None, "a pixel is in a mask above this "
                        "probability", min=0.0, max=1.0)
OVERLAP_THRESHOLD = Option("overlap_mask_area_threshold", float, None, "drop a mask that keeps "
                           "less than this share of its area after overlaps", min=0.0, max=1.0,
                           label="overlap threshold")
MAX_NEW_TOKENS = Option("max_new_tokens", int, 20, "the most tokens to generate", min=1)
DO_SAMPLE = Option("do_sample", bool, False, "sample the next token instead of taking the most "
                   "likely one", label="sample")
ONLY_NEW = Option("only_new", bool, False, "show only the generated text, not the prompt before "
                  "it", label="only new text")
CHAT_TEMPLATE = Option("chat_template", bool, True, "wrap the prompt in the checkpoint's chat "
                       "template when it has one")
MAX_ANSWER_LENGTH = Option("max_answer_length", int, 30, "the longest answer span, in tokens",
                           min=1, label="max answer tokens")
POOLING = Option("pooling", str, "mean", "how token / patch vectors become one vector",
                 choices=("mean", "cls", "pooler"))
HYPOTHESIS_TEMPLATE = Option("hypothesis_template", str, "This is a photo of {}.",
                             "the sentence each label is put in ({} is the label)",
                             label="template")
RETURN_TIMESTAMPS = Option("return_timestamps", bool, False, "predict when each segment is said",
                           label="timestamps")
LANGUAGE = Option("language", str, "", "the spoken language (e.g. en); empty: the model detects "
                  "it")
SEED = Option("seed", int, 0, "random seed, so a sampled output can be repeated", min=0)
MASK_RATIO = Option("mask_ratio", float, 0.5, "share of patches hidden", min=0.0, max=1.0)
KIND = Option("kind", str, None, "which segmentation to post-process (default: the task's own)",
              choices=("semantic", "instance", "panoptic"), label="segmentation kind")
POINTS = Option("points", None, None, "point prompts 'x,y;x,y' in pixels (default: the image "
                "centre)")
BOX = Option("box", None, None, "the person box 'x0,y0,x1,y1' in pixels (default: the whole "
             "image)")
TRIMAP = Option("trimap", None, None, "a trimap image: black background, white foreground, "
                "grey unknown (default: all unknown)")
MULTI_LABEL = Option("multi_label", bool, None, "score labels independently (sigmoid); default: "
                     "what the config's problem_type says", label="multi-label")
SPEAKER_ID = Option("speaker_id", int, None, "which voice of a multi-speaker model", min=0)
TGT_LANG = Option("tgt_lang", str, None, "the language to speak (e.g. eng), for models that "
                  "speak several")
OUT_INDICES = Option("out_indices", list, None, "backbone stages to return, by index (e.g. "
                     "1,2,3)", stage="load")
OUT_FEATURES = Option("out_features", list, None, "backbone stages to return, by name (e.g. "
                      "stage1)", stage="load")
OUTPUT_ATTENTIONS = Option("output_attentions", bool, False, "keep the attention maps",
                           stage="load")
OUTPUT_HIDDEN_STATES = Option("output_hidden_states", bool, False, "keep every layer's hidden "
                              "states", stage="load")

OPTIONS: dict[str, Option] = {o.name: o for o in (
    TOP_K, THRESHOLD, MASK_THRESHOLD, OVERLAP_THRESHOLD, MAX_NEW_TOKENS, DO_SAMPLE, ONLY_NEW,
    CHAT_TEMPLATE, MAX_ANSWER_LENGTH, POOLING, HYPOTHESIS_TEMPLATE, RETURN_TIMESTAMPS, LANGUAGE,
    SEED, MASK_RATIO, KIND, POINTS, BOX, TRIMAP, MULTI_LABEL, SPEAKER_ID, TGT_LANG, OUT_INDICES,
    OUT_FEATURES, OUTPUT_ATTENTIONS, OUTPUT_HIDDEN_STATES)}
"""Every option any task reads, with its usual default."""

def declared(name: str, task: str | None = None) -> Option:
    """Option ``name`` as the Auto class ``task`` declares it (its own default), else as
    ``OPTIONS`` does; KeyError for a name no task reads."""
    if task:
        from explorer.catalog import get_task
        from explorer.errors import UnknownTask

        try:
            own = get_task(task).options
        except UnknownTask:
            own = ()
        for option in own:
            if option.name == name:
                return option
    if name not in OPTIONS:
        raise KeyError(f"no task reads an option {name!r}; known: {', '.join(OPTIONS)}")
    return OPTIONS[name]


def default(name: str, task: str | None = None) -> Any:
    """The default of option ``name`` (for the Auto class ``task`` when it has its own)."""
    return declared(name, task).default


def help_text(options: Sequence[Option] | None = None) -> str:
    """One line per option (all of them by default), for the CLI's help."""
    return "\n".join(o.describe() for o in (options if options is not None else OPTIONS.values()))


__all__ = ["OPTIONS", "Option", "coerce", "declared", "default", "help_text"]
