"""The catalog: one ``TaskSpec`` per Auto model class that the installed transformers exports.

What each Auto class *is for* (category, hub tags, inputs, result shape, preprocessor, options)
is data, written down per family in ``explorer/catalog/<family>.py``; how to run it is behaviour,
registered against the Auto class in ``explorer/heads/<family>.py`` (``TASKS``) and imported
only when a task runs, like transformers' Auto mappings name classes that load on first use.
Listing the catalog imports no runner, loader or torch.

Which architectures a task supports is never written down: ``TaskSpec.model_types`` reads
transformers' own ``MODEL_FOR_*_MAPPING``. An Auto class that transformers adds in a later
release still appears here, described from its name, with no runner until someone writes one
(see ``explorer/heads/README.md``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal, get_args

from explorer.errors import UnknownTask
from explorer.options import Option

if TYPE_CHECKING:
    from explorer.results import Result
    from explorer.runner import RunContext

Category = Literal["nlp", "vision", "audio", "multimodal", "base"]
InputKind = Literal["text", "text_pair", "question", "context", "image", "audio", "labels", "table"]
"""What a runner reads from ``explorer.inputs.Inputs`` (a clip is an ``image`` with frames)."""
ResultKind = Literal["classification", "tokens", "answer", "fill_mask", "generation", "embedding",
                     "detection", "segmentation", "depth", "keypoints", "transcript", "frames",
                     "feature_maps", "image", "audio", "recognition", "raw"]
"""A result dataclass's ``type`` (``explorer.results.RESULT_TYPES``; a test keeps them equal)."""
INPUT_KINDS: tuple[InputKind, ...] = get_args(InputKind)
RESULT_KINDS: tuple[ResultKind, ...] = get_args(ResultKind)

CATEGORIES: dict[Category, str] = {
    "nlp": "NLP",
    "vision": "Vision",
    "audio": "Audio",
    "multimodal": "Multimodal",
    "base": "Base & backbones",
}

# The families of tasks: ``explorer/catalog/<family>.py`` exposes ``SPECS`` (tasks whose runner
# ``explorer/heads/<family>.py`` registers) and optionally ``DESCRIBED`` (no runner yet).
FAMILIES = ("nlp", "vision", "segmentation", "geometry", "recognition", "speech_recognition",
            "audio_classification", "speech_synthesis", "audio_codec", "zero_shot", "visual_qa",
            "document_qa", "table_qa", "multimodal_generation", "time_series", "base")


@dataclass(frozen=True)
class TaskSpec:
    """What one Auto class does, and how the explorer runs it."""

    auto_class: str
    """e.g. ``AutoModelForObjectDetection``."""
    tags: tuple[str, ...]
    """Hub task tags, most common first, e.g. ``("object-detection",)``."""
    category: Category
    """One of ``CATEGORIES``."""
    inputs: tuple[InputKind, ...]
    """Input kinds the runner reads: text, text_pair, question, context, image, audio, labels, table."""
    result: ResultKind
    """The ``Result.type`` the runner returns."""
    preprocessor: str | None
    """The Auto preprocessor class it uses: AutoTokenizer, AutoImageProcessor, AutoFeatureExtractor
    or AutoProcessor."""
    summary: str
    """One line: what the head on top of the base model does."""
    options: tuple[Option, ...] = ()
    """The options it reads (top_k, threshold, max_new_tokens, out_indices, ...), typed, with
    this task's defaults (``explorer/options.py``)."""
    runner: Callable[[RunContext], Result] | None = field(default=None, repr=False, compare=False)
    """How to run it: the runner ``explorer/heads/<family>.py`` registers (imported on the first
    call), or None while the explorer cannot run it."""
    described: bool = True
    """False for Auto classes this explorer version has no description for."""

    @property
    def task(self) -> str:
        """The name to show: the first hub tag, or the Auto class when there is none."""
        return self.tags[0] if self.tags else self.auto_class

    @property
    def option_names(self) -> tuple[str, ...]:
        return tuple(o.name for o in self.options)

    def option(self, name: str) -> Option:
        """The option ``name`` as this task declares it (KeyError when it reads no such option)."""
        for option in self.options:
            if option.name == name:
                return option
        raise KeyError(f"{self.task} reads no option {name!r}")

    @property
    def auto(self) -> Any:
        """The transformers Auto class itself."""
        import transformers

        return getattr(transformers, self.auto_class)

    @property
    def model_types(self) -> tuple[str, ...]:
        """Every ``model_type`` the Auto class maps, read from transformers (plus registered ones)."""
        return tuple(class_names(self.auto_class))

    def class_for(self, model_type: str, architectures: Sequence[str] = ()) -> str | None:
        """Name of the concrete class the Auto class picks for ``model_type`` (no import).

        A mapping can hold several classes for one model type (DeiT: with and without teacher;
        Funnel: full and base); like transformers, pick the one ``architectures`` names, else
        the first."""
        name = class_names(self.auto_class).get(model_type)
        if isinstance(name, (tuple, list)):
            return next((n for n in name if n in architectures), name[0] if name else None)
        return name

    def to_dict(self) -> dict[str, Any]:
        return {
            "auto_class": self.auto_class,
            "task": self.task,
            "tags": list(self.tags),
            "category": self.category,
            "inputs": list(self.inputs),
            "result": self.result,
            "preprocessor": self.preprocessor,
            "summary": self.summary,
            "options": [o.name for o in self.options],
            "runnable": self.runner is not None,
            "model_types": list(self.model_types),
        }


@dataclass(frozen=True)
class Registered:
    """The runner ``explorer/heads/<family>.py`` registers for an Auto class, imported on the first
    call (so listing the catalog imports no runner)."""

    family: str
    auto_class: str

    def resolve(self) -> Callable[[RunContext], Result]:
        from explorer.heads._registry import family_tasks

        for task in family_tasks(self.family):
            if task.auto_class == self.auto_class:
                return task.run
        raise LookupError(f"explorer/heads/{self.family}.py registers no runner for "
                          f"{self.auto_class}; add a Task for it to TASKS")

    def __call__(self, ctx: RunContext) -> Result:
        return self.resolve()(ctx)

    def __repr__(self) -> str:
        return f"explorer.heads.{self.family}.TASKS[{self.auto_class!r}].run"


def class_names(auto_class: str) -> dict[str, str]:
    """``{model_type: class name}`` for an Auto class, straight from transformers' mapping."""
    import transformers

    mapping = getattr(transformers, auto_class)._model_mapping
    names = dict(mapping._model_mapping)
    # Classes added with AutoModel.register(...) live beside the static names.
    for config_class, model_class in mapping._extra_content.items():
        names[config_class.model_type] = model_class.__name__
    return names


def exported_auto_classes() -> list[str]:
    """Every ``AutoModel*`` class (and AutoBackbone) the installed transformers exports."""
    import transformers

    names = [n for n in dir(transformers) if n.startswith("AutoModel") or n == "AutoBackbone"]
    # transformers' lazy module says where each name lives: reading that imports no torch.
    where = getattr(transformers, "_class_to_module", None)
    if isinstance(where, dict):
        return [n for n in names if where.get(n) == "models.auto.modeling_auto"]
    return [n for n in names if hasattr(getattr(transformers, n), "_model_mapping")]


def _describe_unknown(auto_class: str) -> TaskSpec:
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", auto_class.removeprefix("AutoModelFor")).lower()
    return TaskSpec(
        auto_class=auto_class, tags=(), category="base", inputs=(), result="raw",
        preprocessor="AutoProcessor", summary=f"Loads a model for {words}.", described=False,
    )


@lru_cache(maxsize=1)
def _catalog() -> tuple[TaskSpec, ...]:
    import importlib

    described: dict[str, TaskSpec] = {}
    for family in FAMILIES:
        module = importlib.import_module(f"explorer.catalog.{family}")
        for spec in module.SPECS:
            described[spec.auto_class] = replace(spec, runner=Registered(family, spec.auto_class))
        for spec in getattr(module, "DESCRIBED", ()):
            described[spec.auto_class] = spec
    exported = exported_auto_classes()
    specs = [described.get(n) or _describe_unknown(n) for n in exported]
    order = list(CATEGORIES)
    # Specific heads first, base models last: resolve() picks the first spec that fits.
    specs.sort(key=lambda s: (order.index(s.category), s.auto_class in ("AutoModelForPreTraining",
                                                                          "AutoModel")))
    return tuple(specs)


def tasks(category: str | None = None) -> list[TaskSpec]:
    """The catalog, optionally for one category (``nlp``, ``vision``, ``audio``, ``multimodal``,
    ``base``)."""
    if category is not None and category not in CATEGORIES:
        raise UnknownTask(f"unknown category {category!r}; known: {', '.join(CATEGORIES)}")
    return [s for s in _catalog() if category is None or s.category == category]


def _norm(name: str) -> str:
    return name.strip().lower().replace("_", "-")


def get_task(name: str) -> TaskSpec:
    """Look a task up by Auto class (``AutoModelForObjectDetection``) or hub tag
    (``object-detection``), case-insensitively."""
    wanted = _norm(name)
    # A hub tag can name several Auto classes (automatic-speech-recognition: CTC, seq2seq and
    # transducers); the spec whose own task name it is wins (sorted() is stable).
    for spec in sorted(_catalog(), key=lambda s: wanted != _norm(s.task)):
        if wanted == _norm(spec.auto_class) or wanted in (_norm(t) for t in spec.tags):
            return spec
    known = sorted({s.task for s in _catalog()})
    raise UnknownTask(f"unknown task {name!r}; known: {', '.join(known)} "
                      "(or any Auto class name; see `explorer tasks`)")
