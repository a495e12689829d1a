"""Checkpoint (+ task) → which Auto classes apply, which concrete classes they pick, and why.

Reads only small JSON files (config, tokenizer / preprocessor / processor configs); never weights.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from explorer.catalog import TaskSpec, get_task, tasks
from explorer.errors import CheckpointNotFound, IncompatibleTask, UnsafeCheckpoint
from explorer.zoo.training import TOY_KEY

RANDOM_WEIGHTS_KEY = "explorer_random_weights"
"""Config attribute the zoo sets on checkpoints whose weights are random."""

PREPROCESSOR_AUTO_CLASSES = ("AutoTokenizer", "AutoImageProcessor", "AutoFeatureExtractor",
                             "AutoProcessor")
_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".ckpt", ".pkl")


@dataclass(frozen=True)
class Resolution:
    """What a checkpoint is and which classes the Auto classes pick for it."""

    checkpoint: str
    """As the user gave it."""
    location: str
    """Local directory or hub repo id that ``from_pretrained`` is given."""
    source: str
    """``local``, ``zoo``, ``cache`` (local HF cache) or ``hub``."""
    revision: str | None
    model_type: str
    config_class: str
    architectures: tuple[str, ...]
    auto_classes: tuple[str, ...]
    """Auto classes (catalog order) that have a class for this model_type."""
    auto_class: str | None
    """The Auto class picked (the task asked for, else what the config names)."""
    model_class: str | None
    preprocessor: dict[str, str]
    """``{Auto preprocessor class: concrete class}`` for each that applies."""
    preprocessor_auto_class: str | None
    """The one the chosen task uses."""
    trace: tuple[str, ...]
    random_weights: bool
    weight_files: tuple[str, ...]
    """Weight files seen in a local checkpoint (empty for hub checkpoints)."""
    config: Any = field(repr=False, compare=False)
    checkpoint_kind: str = "real"
    """``real``, ``toy`` (trained on a generated toy world) or ``random``."""
    toy_headline: str = ""
    """A toy's measured quality, e.g. ``toy model, trained on the shapes world (… 0.91)``."""

    @property
    def spec(self) -> TaskSpec | None:
        return get_task(self.auto_class) if self.auto_class else None

    @property
    def task(self) -> str | None:
        """Old name of ``auto_class``."""
        return self.auto_class

    @property
    def tasks(self) -> tuple[str, ...]:
        """Old name of ``auto_classes``."""
        return self.auto_classes

    def to_dict(self) -> dict[str, Any]:
        return {
            "checkpoint": self.checkpoint, "location": self.location, "source": self.source,
            "revision": self.revision, "model_type": self.model_type,
            "config_class": self.config_class, "architectures": list(self.architectures),
            "tasks": [get_task(t).task for t in self.auto_classes],
            "auto_classes": list(self.auto_classes), "task": self.auto_class, "model_class": self.model_class,
            "preprocessor": self.preprocessor_class,
            "preprocessor_auto_class": self.preprocessor_auto_class,
            "preprocessors": dict(self.preprocessor), "trace": list(self.trace),
            "random_weights": self.random_weights, "weight_files": list(self.weight_files),
            "checkpoint_kind": self.checkpoint_kind, "toy_headline": self.toy_headline,
        }

    @property
    def preprocessor_class(self) -> str | None:
        return self.preprocessor.get(self.preprocessor_auto_class or "")


# ---------------------------------------------------------------------------- locating


def zoo_dir() -> Path:
    """Where ``zoo:<name>`` checkpoints live: ``$EXPLORER_ZOO`` or ``~/.cache/autoclass-explorer/zoo``."""
    default = Path.home() / ".cache" / "autoclass-explorer" / "zoo"
    return Path(os.environ.get("EXPLORER_ZOO", default)).expanduser()


def locate(checkpoint: str, revision: str | None = None) -> tuple[str, str]:
    """``(location, source)`` for a checkpoint name: a local dir, a zoo entry or a hub id."""
    checkpoint = str(checkpoint).strip()
    if not checkpoint:
        raise CheckpointNotFound("no checkpoint given; pass a local directory, `zoo:<task>` or a "
                                 "hub id such as google-bert/bert-base-uncased")
    if checkpoint.startswith("zoo:"):
        path = zoo_dir() / checkpoint[4:]
        if not (path / "config.json").is_file():
            raise CheckpointNotFound(f"{checkpoint} is not in the demo zoo at {zoo_dir()}; build "
                                     "it with `explorer zoo` (or set EXPLORER_ZOO)")
        return str(path), "zoo"
    path = Path(checkpoint).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise CheckpointNotFound(f"{checkpoint} is a directory without config.json; point at "
                                     "a folder written by save_pretrained")
        return str(path.resolve()), "local"
    if path.exists() or checkpoint.startswith((".", "/", "~")) or checkpoint.count("/") > 1:
        raise CheckpointNotFound(f"{checkpoint} is not a checkpoint directory; give a folder with "
                                 "config.json or a hub id like org/name")
    from huggingface_hub import try_to_load_from_cache

    from explorer.hub import hub_online, offline_forced

    cached = try_to_load_from_cache(checkpoint, "config.json", revision=revision)
    online = hub_online()  # one bounded probe: no request below retries against a dead network
    if isinstance(cached, str):
        # Hub unreachable (and not switched off, which makes transformers cache-only itself):
        # read the cached snapshot folder, so that no request waits on retries.
        unreachable = not online and not offline_forced()
        return (str(Path(cached).parent) if unreachable else checkpoint), "cache"
    if not online:
        why = ("the hub is switched off (HF_HUB_OFFLINE=1)" if offline_forced()
               else "the hub cannot be reached to check")
        raise CheckpointNotFound(
            f"cannot find checkpoint {checkpoint!r}: not found locally (no such folder, not in the "
            f"HF cache) and {why}; give a local path, a `zoo:<task>` name (build with `explorer "
            "zoo`), or connect")
    return checkpoint, "hub"


def _read_json(location: str, source: str, filename: str, revision: str | None) -> dict | None:
    """A small JSON file of the checkpoint, or None when it has none (or it cannot be fetched)."""
    if source in ("local", "zoo") or Path(location).is_dir():
        path = Path(location) / filename
    else:
        from huggingface_hub import hf_hub_download

        from explorer.hub import mark_unreachable, network_failure, one_line_per_retry

        try:
            with one_line_per_retry():
                path = Path(hf_hub_download(location, filename, revision=revision))
        except Exception as exc:  # missing file, gated: this file simply does not inform us
            why = network_failure(exc)
            if why is None:
                return None
            mark_unreachable()  # the next step would wait through the same retries again
            raise CheckpointNotFound(
                f"cannot fetch {filename} of {location!r}: {why}; try again later, or give a "
                "local path or a `zoo:<task>` name") from None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _load_config(location: str, source: str, revision: str | None, trust_remote_code: bool) -> Any:
    from transformers import AutoConfig

    raw = _read_json(location, source, "config.json", revision)
    if raw is not None and raw.get("auto_map") and not trust_remote_code:
        from transformers.models.auto.configuration_auto import CONFIG_MAPPING_NAMES

        if raw.get("model_type") not in CONFIG_MAPPING_NAMES:
            raise UnsafeCheckpoint(
                f"{location} needs its own Python code (auto_map in config.json) to load; read "
                "that code, then pass trust_remote_code=True (CLI: --trust-remote-code) to run it")
    from explorer.quiet import quiet_transformers

    try:
        with quiet_transformers():
            return AutoConfig.from_pretrained(location, revision=revision,
                                              trust_remote_code=trust_remote_code)
    except ValueError as exc:
        if "trust_remote_code" in str(exc):
            raise UnsafeCheckpoint(f"{location} needs its own Python code to load; read it, then "
                                   "pass trust_remote_code=True") from None
        raise CheckpointNotFound(f"cannot read the config of {location}: {str(exc).splitlines()[0]}"
                                 ) from None
    except OSError as exc:
        offline = os.environ.get("HF_HUB_OFFLINE") == "1"
        why = "the hub is switched off (HF_HUB_OFFLINE=1)" if offline else str(exc).splitlines()[0]
        raise CheckpointNotFound(
            f"cannot find checkpoint {location!r}: not a local folder, not in the HF cache, and "
            f"{why}; give a local path, a `zoo:<task>` name (build with `explorer zoo`), or connect"
        ) from None
    except Exception as exc:  # the config's own validation (strict dataclasses) refused it
        raise CheckpointNotFound(f"cannot read the config of {location}: {type(exc).__name__}: "
                                 f"{(str(exc).strip().splitlines() or [''])[0]}") from None


# ---------------------------------------------------------------------------- preprocessors


# Model types whose preprocessor settings live in config.json itself (timm's pretrained_cfg), so
# the checkpoint has it though it saves no preprocessor file.
_IN_CONFIG = {"timm_wrapper": "AutoImageProcessor"}


def _preprocessor_classes(location: str, source: str, model_type: str, revision: str | None,
                          trace: list[str]) -> dict[str, str]:
    """Which concrete class each Auto preprocessor class would pick, and why (into ``trace``)."""
    from transformers.models.auto.feature_extraction_auto import FEATURE_EXTRACTOR_MAPPING_NAMES
    from transformers.models.auto.image_processing_auto import IMAGE_PROCESSOR_MAPPING_NAMES
    from transformers.models.auto.processing_auto import PROCESSOR_MAPPING_NAMES
    from transformers.models.auto.tokenization_auto import TOKENIZER_MAPPING_NAMES

    tok_cfg = _read_json(location, source, "tokenizer_config.json", revision) or {}
    pre_cfg = _read_json(location, source, "preprocessor_config.json", revision) or {}
    proc_cfg = _read_json(location, source, "processor_config.json", revision) or {}
    has_tokenizer = bool(tok_cfg) or bool(_read_json(location, source, "tokenizer.json", revision))
    found: dict[str, str] = {}

    def pick(auto: str, from_file: str | None, file: str, table: dict, key: str) -> None:
        if from_file:
            name, line = from_file, f"{auto}: {file} names {key}={from_file!r}"
        elif model_type in table and table[model_type]:
            name, line = table[model_type], f"{auto}: model_type {model_type!r} →"
        else:
            return
        if auto == "AutoImageProcessor":
            name, why = image_processor_backend(name)
            line += f" → {name} ({why})" if from_file and name != from_file else \
                (f" {name} ({why})" if not from_file else f" ({why})")
        elif not from_file:
            line += f" {name}"
        found[auto] = name
        trace.append(line)

    if has_tokenizer:
        pick("AutoTokenizer", tok_cfg.get("tokenizer_class"), "tokenizer_config.json",
             TOKENIZER_MAPPING_NAMES, "tokenizer_class")
    # v5 processors save their image processor / feature extractor inside processor_config.json.
    for auto, key, nested, table in (
            ("AutoImageProcessor", "image_processor_type", "image_processor",
             IMAGE_PROCESSOR_MAPPING_NAMES),
            ("AutoFeatureExtractor", "feature_extractor_type", "feature_extractor",
             FEATURE_EXTRACTOR_MAPPING_NAMES)):
        if key in pre_cfg:
            pick(auto, pre_cfg[key], "preprocessor_config.json", table, key)
        elif isinstance(proc_cfg.get(nested), dict):
            pick(auto, proc_cfg[nested].get(key), f"processor_config.json ({nested})", table, key)
        elif (pre_cfg or _IN_CONFIG.get(model_type) == auto) and model_type in table:
            pick(auto, None, "preprocessor_config.json", table, key)
    processor_named = proc_cfg.get("processor_class") or tok_cfg.get("processor_class") or \
        pre_cfg.get("processor_class")
    if processor_named or (len(found) > 1 and model_type in PROCESSOR_MAPPING_NAMES):
        pick("AutoProcessor", processor_named, "the processor config", PROCESSOR_MAPPING_NAMES,
             "processor_class")
    elif found:
        # AutoProcessor falls back to whichever single preprocessor the checkpoint has.
        first_auto, first = next(iter(found.items()))
        found["AutoProcessor"] = first
        trace.append(f"AutoProcessor: no processor class, falls back to the {first_auto} → {first}")
    return found


def _timm_lines(config: Any) -> list[str]:
    """Why the timm library is needed: a timm model wrapped whole, or a timm backbone inside."""
    if config.model_type == "timm_wrapper":
        return [f"timm_wrapper: the network is timm's {config.architecture!r}, built by the timm "
                "library and wrapped as a transformers model; its weights are in this checkpoint"]
    backbone = getattr(config, "backbone_config", None)
    if getattr(backbone, "model_type", None) != "timm_backbone":
        return []
    where = ("downloaded from the hub by timm (use_pretrained_backbone=True)"
             if getattr(backbone, "use_pretrained_backbone", False) else "in this checkpoint")
    assert backbone is not None  # its model_type was timm_backbone
    return [f"backbone: timm's {backbone.backbone!r} (TimmBackbone, from the timm library; "
            f"use_timm_backbone=True), its weights {where}"]


def image_processor_backend(named: str | dict[str, str | None]) -> tuple[str, str]:
    """The image processor class AutoImageProcessor really loads, and why that backend.

    v5 picks the backend at load time, whatever class name the checkpoint saved: the
    torchvision-backed class when torchvision is installed, the ``...Pil`` one otherwise (and for
    Lanczos processors on torchvision < 0.27). ``named`` is a saved class name or a mapping
    entry ``{"pil": ..., "torchvision": ...}``."""
    from transformers.models.auto import image_processing_auto as auto
    from transformers.utils import is_torchvision_available

    base = named.removesuffix("Fast") if isinstance(named, str) else None
    try:  # private helpers of transformers: the same lookup from_pretrained does
        mapping = named if isinstance(named, dict) else \
            auto._find_mapping_for_image_processor(named.removesuffix("Fast"))
        backend = auto._resolve_backend(None, None, base or (mapping or {}).get("torchvision"))
    except AttributeError:
        mapping, backend = None, "torchvision" if is_torchvision_available() else "pil"
    if not mapping:
        return str(named), "its own class: no backend choice"
    name = mapping.get(backend) or next(v for v in mapping.values() if v)
    backends = [b for b, v in mapping.items() if v]
    if len(backends) == 1:
        return str(name), f"{backends[0]} backend: its only image processor"
    if backend == "torchvision":
        why = "torchvision backend, transformers' default when torchvision is installed"
    elif not is_torchvision_available():
        why = "PIL backend: torchvision is not installed"
    else:
        why = "PIL backend: its Lanczos resampling needs torchvision ≥ 0.27"
    return str(name), why


# ---------------------------------------------------------------------------- resolve


def _default_task(config: Any, compatible: list[TaskSpec],
                  preprocessors: dict[str, str]) -> TaskSpec | None:
    """The compatible task whose class the config's ``architectures`` names.

    One class can serve several Auto classes (LayoutLMv3ForQuestionAnswering is both text and
    document QA): prefer the task whose input kinds match the preprocessors the checkpoint ships.
    """
    names = set(getattr(config, "architectures", None) or ())
    named = [s for s in compatible if s.class_for(config.model_type, tuple(names)) in names]
    ships = {"image": "AutoImageProcessor" in preprocessors,
             "audio": "AutoFeatureExtractor" in preprocessors}

    encoder_decoder = bool(getattr(config, "is_encoder_decoder", False))

    def fit(spec: TaskSpec) -> int:
        # An encoder-decoder (BartForConditionalGeneration also fills masks) is for generating.
        generates = encoder_decoder and spec.result in ("generation", "transcript")
        # Taking what the checkpoint ships counts double: a speech LLM (GLM-ASR) ships an audio
        # processor, so its multimodal task beats text-only generation with the same class.
        takes = sum(2 for kind, has in ships.items() if has and kind in spec.inputs)
        return takes + sum(not has and kind not in spec.inputs for kind, has in ships.items()) \
            + generates

    bare = [s for s in named if s.auto_class == "AutoModel"]
    # A bare model (BertModel) is AutoModel's, even when an encoder class shares it; but a class
    # whose head makes something else (VitsModel: audio, DacModel: codes) belongs to that head.
    if bare and all(s.result == bare[0].result for s in named):
        return bare[0]
    named = [s for s in named if s not in bare] or named
    return max(named, key=fit) if named else None  # max() keeps catalog order on ties


def resolve(checkpoint: str, task: str | None = None, *, revision: str | None = None,
            trust_remote_code: bool = False) -> Resolution:
    """Find what ``checkpoint`` is, which tasks it can serve and which classes would be loaded.

    Without ``task``, picks the task whose class the config's ``architectures`` names (or the
    first compatible one). No weights are read.
    """
    location, source = locate(checkpoint, revision)
    config = _load_config(location, source, revision, trust_remote_code)
    model_type = config.model_type
    trace = [f"config.json: model_type={model_type!r} → {type(config).__name__} (CONFIG_MAPPING)"]
    architectures = tuple(getattr(config, "architectures", None) or ())
    if architectures:
        trace.append(f"config.json: architectures={list(architectures)} (the class it was saved from)")
    compatible = [s for s in tasks() if s.class_for(model_type)]
    preprocessor_trace: list[str] = []
    preprocessors = _preprocessor_classes(location, source, model_type, revision,
                                          preprocessor_trace)

    spec: TaskSpec | None
    if task is not None:
        spec = get_task(task)
        # A tag shared by several Auto classes means the one this checkpoint fits.
        wanted = task.strip().lower().replace("_", "-")
        spec = spec if spec in compatible else next(
            (s for s in compatible if wanted in s.tags), spec)
        if spec not in compatible:
            serve = ", ".join(s.task for s in compatible) or "none"
            raise IncompatibleTask(f"{checkpoint} ({model_type}) cannot serve {spec.task}: "
                                   f"{spec.auto_class} has no class for {type(config).__name__}; "
                                   f"it can serve: {serve}")
        trace.append(f"task {task!r} → {spec.auto_class}")
    else:
        spec = _default_task(config, compatible, preprocessors)
        if spec is not None:
            why = "its class is named in architectures"
        elif architectures and any(s.auto_class == "AutoModel" for s in compatible):
            # A class no Auto class maps: the bare model still loads its weights, where a head
            # would be newly initialised and answer at random.
            spec = get_task("AutoModel")
            why = f"no Auto class maps {architectures[0]}; the bare model loads without new weights"
        elif compatible:
            spec = compatible[0]
            why = "first compatible task (architectures names none)"
        if spec is not None:
            trace.append(f"no task given → {spec.auto_class} ({why})")

    model_class = spec.class_for(model_type, architectures) if spec else None
    if spec is not None:
        static = model_type in spec.auto._model_mapping._model_mapping
        origin = (f"MODEL_FOR_*_MAPPING_NAMES[{model_type!r}]" if static
                  else f"registered with {spec.auto_class}.register")
        trace.append(f"{spec.auto_class}: {type(config).__name__} → {model_class} ({origin})")
        if architectures and model_class not in architectures:
            trace.append(f"note: the checkpoint was saved as {architectures[0]}; weights "
                         f"{model_class} needs but the checkpoint lacks will be newly initialised")
    trace += _timm_lines(config)
    trace += preprocessor_trace
    pre_auto = _preprocessor_for(spec, preprocessors)
    weights = tuple(sorted(p.name for p in Path(location).iterdir() if p.suffix in
                           _WEIGHT_SUFFIXES)) if Path(location).is_dir() else ()
    random_weights = bool(getattr(config, RANDOM_WEIGHTS_KEY, False))
    toy = getattr(config, TOY_KEY, None)
    toy = toy if isinstance(toy, dict) and not random_weights else None
    return Resolution(
        checkpoint=str(checkpoint), location=location, source=source, revision=revision,
        model_type=model_type, config_class=type(config).__name__, architectures=architectures,
        auto_classes=tuple(s.auto_class for s in compatible),
        auto_class=spec.auto_class if spec else None,
        model_class=model_class, preprocessor=preprocessors, preprocessor_auto_class=pre_auto,
        trace=tuple(trace), random_weights=random_weights, weight_files=weights,
        checkpoint_kind="random" if random_weights else "toy" if toy else "real",
        toy_headline=str(toy.get("headline", "")) if toy else "", config=config,
    )


def _preprocessor_for(spec: TaskSpec | None, found: dict[str, str]) -> str | None:
    """The task's own preprocessor when the checkpoint has it, else the closest that it has."""
    if spec is None or not found:
        return None
    if spec.preprocessor in found:
        return spec.preprocessor
    for auto in ("AutoProcessor",) + PREPROCESSOR_AUTO_CLASSES:
        if auto in found:
            return auto
    return None
