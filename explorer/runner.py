"""Run a task: inputs → preprocess → forward (inference mode) → typed result.

Each task's runner (in ``explorer/heads/``) receives a ``RunContext``: the loaded model and
preprocessor, the converted inputs, the options, and small helpers that keep the hot path (moving
the batch to the model's device and dtype, calling the model under ``torch.inference_mode``) in one
place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from explorer.errors import (
    BadInput,
    ExplorerError,
    MissingInput,
    NotRunnable,
    internal_error,
    missing_library,
)
from explorer.inputs import Inputs, make_inputs, resample
from explorer.load_options import LoadOptions
from explorer.loading import Loaded, load
from explorer.options import OPTIONS, Option, coerce
from explorer.results import Result

if TYPE_CHECKING:
    from explorer.catalog import TaskSpec

# Options set on the config at load (``stage="load"`` in explorer/options.py): attention /
# hidden-state switches, and backbone stage choices (lists), because a backbone builds per-stage
# layers (e.g. output norms) only for the stages it outputs.
LOAD_OPTIONS = tuple(n for n, o in OPTIONS.items() if o.stage == "load" and o.type is bool)
LOAD_LIST_OPTIONS = tuple(n for n, o in OPTIONS.items() if o.stage == "load" and o.type is list)


def _declared(spec: TaskSpec, name: str) -> Option | None:
    """Option ``name`` as the task declares it, else as explorer/options.py does."""
    try:
        return spec.option(name)
    except KeyError:
        return OPTIONS.get(name)


_PART_AUTO = {"tokenizer": "AutoTokenizer", "image_processor": "AutoImageProcessor",
              "feature_extractor": "AutoFeatureExtractor"}


def _is_part(pre: Any, attribute: str) -> bool:
    """Whether the preprocessor object itself is a ``tokenizer`` / ``image_processor`` /
    ``feature_extractor`` (rather than a processor holding parts)."""
    name = type(pre).__name__
    if attribute == "tokenizer":
        return hasattr(pre, "convert_ids_to_tokens")
    if attribute == "image_processor":
        return hasattr(pre, "crop_size") or name.endswith(("ImageProcessor", "ImageProcessorPil"))
    return name.endswith("FeatureExtractor")


def accepted(model: Any, batch: Mapping[str, Any]) -> dict[str, Any]:
    """The preprocessor outputs minus ``token_type_ids`` when the model's forward has no such
    parameter (GIT's processor returns them and its ``generate`` refuses them)."""
    import inspect

    params = inspect.signature(model.forward).parameters
    return {k: v for k, v in batch.items() if k != "token_type_ids" or k in params}


_DECLARED: Any = object()  # ``option(name)`` without a default: the task's declared one


@dataclass
class RunContext:
    """What a task runner gets."""

    loaded: Loaded
    inputs: Inputs
    options: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def model(self) -> Any:
        return self.loaded.model

    @property
    def config(self) -> Any:
        return self.loaded.model.config

    @property
    def preprocessor(self) -> Any:
        return self.loaded.preprocessor

    def part(self, attribute: str) -> Any:
        """A preprocessor part (``tokenizer``, ``image_processor``, ``feature_extractor``): the
        processor's own, the preprocessor itself when it is that part, or, for checkpoints that
        save parts without a processor class, that part loaded on its own. None when absent."""
        pre = self.loaded.preprocessor
        found = getattr(pre, attribute, None)
        if found is not None:
            return found
        if pre is not None and _is_part(pre, attribute):
            return pre
        auto = _PART_AUTO[attribute]
        res = self.loaded.resolution
        if auto not in res.preprocessor:
            return None
        if attribute not in self.loaded.parts:
            import transformers

            self.loaded.parts[attribute] = getattr(transformers, auto).from_pretrained(
                res.location, revision=res.revision)
        return self.loaded.parts[attribute]

    @property
    def tokenizer(self) -> Any:
        """The tokenizer, whether the preprocessor is one or a processor holding one."""
        tokenizer = self.part("tokenizer")
        if tokenizer is None:
            raise BadInput(f"{self.loaded.resolution.checkpoint} ships no tokenizer, so text cannot "
                           "be turned into token ids or back; save one beside the model "
                           "(tokenizer.save_pretrained(folder)) or use a checkpoint that has one")
        return tokenizer

    def option(self, name: str, default: Any = _DECLARED) -> Any:
        """An option's value as its declared type, inside its bounds (``top_k="3"`` → 3); the
        default is the one the task declares (explorer/options.py) unless given."""
        declared = _declared(self.loaded.spec, name)
        if default is _DECLARED:
            if declared is None:
                raise KeyError(f"option {name!r} is declared nowhere (explorer/options.py)")
            default = declared.default
        value = self.options.get(name)
        if value is None:
            return default
        if declared is not None and declared.type is not None:
            return declared.coerce(value)
        return value if default is None else self._as(name, value, type(default))

    def optional(self, name: str, kind: type = float) -> Any:
        """An option converted to its declared type (else ``kind``), or None when not set (the
        model's own default)."""
        value = self.options.get(name)
        if value is None:
            return None
        declared = _declared(self.loaded.spec, name)
        if declared is not None and declared.type is not None:
            return declared.coerce(value)
        return self._as(name, value, kind)

    @staticmethod
    def _as(name: str, value: Any, kind: type) -> Any:
        return Option(name, kind, None, "").coerce(value)

    def require(self, *kinds: str) -> None:
        """Fail with one line when an input the task needs was not given."""
        missing = [k for k in kinds if k not in self.inputs.kinds()]
        if missing:
            flags = ", ".join(f"--{k.replace('_', '-')}" for k in missing)
            task = self.loaded.spec.task
            raise MissingInput(f"{task} needs {', '.join(missing)} input (CLI: {flags})", task,
                               tuple(missing))

    def audio_at(self, rate: int) -> np.ndarray:
        """The input waveform resampled to ``rate`` (noted on the result when it changed)."""
        self.require("audio")
        source = self.inputs.sampling_rate
        assert self.inputs.audio is not None and source is not None  # required just above
        if source != rate:
            self.notes.append(f"audio resampled from {source} Hz to {rate} Hz for the model")
        return resample(self.inputs.audio, source, rate)

    def to_model(self, batch: Mapping[str, Any]) -> dict[str, Any]:
        """Move tensors to the model's device; floating tensors to its dtype."""
        import torch

        device, dtype = self.loaded.input_device, self.model.dtype
        out = {}
        for key, value in batch.items():
            if isinstance(value, torch.Tensor):
                value = value.to(device, dtype=dtype if value.is_floating_point() else None)
            out[key] = value
        return out

    def forward(self, batch: Mapping[str, Any], **kwargs: Any) -> Any:
        """Call the model under ``torch.inference_mode`` with attentions / hidden states as asked."""
        import torch

        for name in LOAD_OPTIONS:
            if self.loaded.options.get(name):
                kwargs.setdefault(name, True)
        with torch.inference_mode():
            return self.model(**self.to_model(batch), **kwargs)

    def generate(self, batch: Mapping[str, Any], **kwargs: Any) -> Any:
        import torch

        with torch.inference_mode():
            return self.model.generate(**self.to_model(accepted(self.model, batch)), **kwargs)

    def truncation_note(self, encoded: Any, texts: list[str] | tuple[str, ...],
                        pair: bool = False) -> None:
        """Note on the result when the tokenizer cut the text to the model's limit.

        ``texts`` is a batch of single texts, or with ``pair=True`` one (text, text_pair)."""
        limit = getattr(self.tokenizer, "model_max_length", None)
        ids = encoded.get("input_ids") if hasattr(encoded, "get") else None
        if not limit or ids is None or ids.shape[-1] < limit:
            return  # shorter than the limit: nothing was cut (no second tokenisation needed)
        batch = [list(texts)] if pair else [[t] for t in texts]
        full = max(len(self.tokenizer(*b)["input_ids"]) for b in batch)
        if full > limit:
            self.notes.append(f"text truncated to the model's limit of {limit} tokens "
                              f"(it had {full})")

    def common(self, outputs: Any = None, input_ids: Any = None) -> dict[str, Any]:
        """Fields every result shares; pass the model outputs to keep attentions for rendering."""
        loaded = self.loaded
        notes = list(loaded.report.warnings) + self.notes
        fields: dict[str, Any] = dict(
            task=loaded.spec.auto_class, hub_task=loaded.spec.task,
            checkpoint=loaded.resolution.checkpoint,
            model_class=type(loaded.model).__name__, random_weights=loaded.random_weights,
            checkpoint_kind=loaded.checkpoint_kind,
            toy_headline=loaded.resolution.toy_headline if loaded.checkpoint_kind == "toy" else "",
            notes=tuple(dict.fromkeys(notes)), inputs=self.inputs,
        )
        if loaded.report.placement:
            fields["placement"] = loaded.report.placement
        attentions = getattr(outputs, "attentions", None) if outputs is not None else None
        if attentions:
            fields["attentions"] = tuple(a[0].float().cpu().numpy() for a in attentions
                                         if a is not None)
        hidden = getattr(outputs, "hidden_states", None) if outputs is not None else None
        if hidden:
            fields["hidden_states"] = tuple(h[0].float().cpu().numpy() for h in hidden)
        if input_ids is not None:
            ids = input_ids[0].tolist() if hasattr(input_ids, "tolist") else list(input_ids)
            fields["tokens"] = tuple(self.tokenizer.convert_ids_to_tokens(ids))
        return fields


def run(
    checkpoint: str,
    task: str | None = None,
    *,
    text: str | list[str] | None = None,
    text_pair: str | None = None,
    question: str | None = None,
    context: str | None = None,
    labels: str | list[str] | None = None,
    image: Any = None,
    audio: Any = None,
    sampling_rate: int | None = None,
    table: Any = None,
    load_options: LoadOptions | None = None,
    options: Mapping[str, Any] | None = None,
    **more_options: Any,
) -> Result:
    """Load ``checkpoint`` for ``task`` (cached) and run it on the given inputs.

    How to load is ``load_options`` or its fields as keywords: ``dtype``, ``device``,
    ``revision``, ``allow_pickle``, ``trust_remote_code``, ``memory_budget``, and for big models
    ``device_map``, ``max_memory``, ``offload_folder``, ``quantization`` (see ``LoadOptions``).
    Options such as ``top_k``, ``threshold``, ``max_new_tokens``, ``out_indices`` go in ``options``
    or as keywords; ``output_attentions=True`` keeps attention maps on the result.
    """
    how, more_options = LoadOptions.split(load_options, **more_options)
    revision = how.revision
    load_overrides, opts = split_options({**(options or {}), **more_options})
    stage_options = set(load_overrides) & set(LOAD_LIST_OPTIONS)
    if stage_options:  # only backbones take these; say so before from_pretrained chokes on them
        from explorer.resolution import resolve

        spec = resolve(checkpoint, task, revision=revision).spec
        if spec is not None and not stage_options <= set(spec.option_names):
            raise BadInput(f"option(s) {', '.join(sorted(stage_options))} do not apply to "
                           f"{spec.task}; they choose the stages of a backbone (task backbone)")
    inputs = make_inputs(text, text_pair=text_pair, question=question, context=context,
                         labels=labels, image=image, audio=audio, sampling_rate=sampling_rate,
                         table=table)
    try:
        loaded = load(checkpoint, task, how, **load_overrides)
    except ExplorerError:
        raise
    except Exception as exc:
        raise internal_error(f"load {checkpoint} for {task or 'its default task'}", exc) from exc
    return run_loaded(loaded, inputs, opts)


def split_options(options: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(load overrides, run options)``: attention / hidden-state switches and backbone stages are
    set on the config at load; everything else is read by the task's runner."""
    opts = dict(options)
    overrides: dict[str, Any] = {}
    for k in LOAD_OPTIONS:
        value = opts.pop(k, None)
        if value is not None and coerce(value, bool):
            overrides[k] = True
    for k in LOAD_LIST_OPTIONS:
        value = opts.pop(k, None)
        if value not in (None, "", [], ()):
            overrides[k] = (coerce(value, list) if isinstance(value, str)
                            else list(value) if isinstance(value, (list, tuple)) else [value])
    return overrides, opts


def run_loaded(loaded: Loaded, inputs: Inputs, options: Mapping[str, Any] | None = None) -> Result:
    """Run an already loaded model (the UI keeps ``Loaded`` objects and calls this)."""
    spec = loaded.spec
    if spec.runner is None:
        raise NotRunnable(f"{spec.auto_class} is in the catalog but the explorer cannot run it yet; "
                          "pick another task for this checkpoint")
    unknown = set(options or {}) - set(spec.option_names)
    if unknown:
        raise BadInput(f"option(s) {', '.join(sorted(unknown))} do not apply to {spec.task}; "
                       f"it takes: {', '.join(spec.option_names) or 'none'}")
    context = RunContext(loaded=loaded, inputs=inputs, options=dict(options or {}))
    try:
        return spec.runner(context)
    except ExplorerError:
        raise  # BadInput and friends: the runner already said which input and what to do
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if "meta" in first and any(d == "disk" for _, d, _ in loaded.report.placement):
            raise ExplorerError(
                f"{loaded.resolution.model_class} reads some weights outside their own layer, and "
                "accelerate cannot bring those in from disk; give max_memory more room so less "
                f"goes to disk, or load without a device map ({type(exc).__name__}: "
                f"{first[:120]})") from exc
        missing = missing_library(exc, f"{type(loaded.model).__name__} ({spec.task})")
        if missing is not None:
            raise missing from exc
        # Inputs reach the model already checked, so anything else is the explorer's fault: say
        # so in one line and keep the traceback in the log.
        raise internal_error(f"run {type(loaded.model).__name__} ({spec.task}) on "
                             f"{loaded.resolution.checkpoint}", exc) from exc
