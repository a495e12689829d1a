"""Run a task: inputs → preprocess → forward (inference mode) → typed result.

Each task's runner (in ``explorer/heads/``) receives a ``RunContext``: the loaded model and
preprocessor, the converted inputs, the options, and small helpers that keep the hot path (moving
the batch to the model's device and dtype, calling the model under ``torch.inference_mode``) in one
place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from explorer.errors import BadInput, ExplorerError, NotRunnable
from explorer.inputs import Inputs, make_inputs, resample
from explorer.loading import Loaded, load
from explorer.results import Result

# Options that change how the model is loaded rather than how it is run.
LOAD_OPTIONS = ("output_attentions", "output_hidden_states")
# Backbone stage choices (lists): set on the config at load, because a backbone builds per-stage
# layers (e.g. output norms) only for the stages it outputs.
LOAD_LIST_OPTIONS = ("out_indices", "out_features")


def _coerce(value: Any, kind: type) -> Any:
    """CLI options arrive as strings; turn them into the type the runner asks for."""
    if kind is bool and isinstance(value, str):
        if value.lower() in ("1", "true", "yes", "on"):
            return True
        if value.lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(value)
    if kind in (list, tuple) and isinstance(value, str):
        return [int(v) if v.strip().lstrip("-").isdigit() else v.strip() for v in value.split(",")]
    return kind(value)


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

    @property
    def tokenizer(self) -> Any:
        """The tokenizer, whether the preprocessor is one or a processor holding one."""
        pre = self.loaded.preprocessor
        tokenizer = getattr(pre, "tokenizer", None) or pre
        if tokenizer is None or not hasattr(tokenizer, "convert_ids_to_tokens"):
            raise BadInput(f"{self.loaded.resolution.checkpoint} ships no tokenizer, so text cannot "
                           "be turned into token ids or back; save one beside the model "
                           "(tokenizer.save_pretrained(folder)) or use a checkpoint that has one")
        return tokenizer

    def option(self, name: str, default: Any) -> Any:
        """An option's value converted to the default's type (``top_k="3"`` → 3)."""
        if name not in self.options or self.options[name] is None:
            return default
        value = self.options[name]
        if default is None:
            return value
        try:
            return _coerce(value, type(default))
        except (TypeError, ValueError):
            raise BadInput(f"option {name}={value!r} should be a {type(default).__name__}") from None

    def optional(self, name: str, kind: type = float) -> Any:
        """An option converted to ``kind``, or None when not set (the model's own default)."""
        value = self.options.get(name)
        if value is None:
            return None
        try:
            return _coerce(value, kind)
        except (TypeError, ValueError):
            what = {int: "a whole number", float: "a number"}.get(kind, kind.__name__)
            raise BadInput(f"option {name}={value!r} should be {what}") from None

    def require(self, *kinds: str) -> None:
        """Fail with one line when an input the task needs was not given."""
        missing = [k for k in kinds if k not in self.inputs.kinds()]
        if missing:
            flags = ", ".join(f"--{k.replace('_', '-')}" for k in missing)
            raise BadInput(f"{self.loaded.spec.task} needs {', '.join(missing)} input "
                           f"(CLI: {flags})")

    def audio_at(self, rate: int) -> np.ndarray:
        """The input waveform resampled to ``rate`` (noted on the result when it changed)."""
        self.require("audio")
        source = self.inputs.sampling_rate
        if source != rate:
            self.notes.append(f"audio resampled from {source} Hz to {rate} Hz for the model")
        return resample(self.inputs.audio, source, rate)

    def to_model(self, batch: Mapping[str, Any]) -> dict[str, Any]:
        """Move tensors to the model's device; floating tensors to its dtype."""
        import torch

        device, dtype = self.model.device, self.model.dtype
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
            return self.model.generate(**self.to_model(batch), **kwargs)

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
            task=loaded.spec.auto_class, checkpoint=loaded.resolution.checkpoint,
            model_class=type(loaded.model).__name__, random_weights=loaded.random_weights,
            checkpoint_kind=loaded.checkpoint_kind,
            toy_headline=loaded.resolution.toy_headline if loaded.checkpoint_kind == "toy" else "",
            notes=tuple(dict.fromkeys(notes)), inputs=self.inputs,
        )
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
    dtype: str | None = "auto",
    device: str | None = None,
    revision: str | None = None,
    allow_pickle: bool = False,
    trust_remote_code: bool = False,
    memory_budget: int | None = None,
    options: Mapping[str, Any] | None = None,
    **more_options: Any,
) -> Result:
    """Load ``checkpoint`` for ``task`` (cached) and run it on the given inputs.

    Options such as ``top_k``, ``threshold``, ``max_new_tokens``, ``out_indices`` go in ``options``
    or as keywords; ``output_attentions=True`` keeps attention maps on the result.
    """
    load_overrides, opts = split_options({**(options or {}), **more_options})
    stage_options = set(load_overrides) & set(LOAD_LIST_OPTIONS)
    if stage_options:  # only backbones take these; say so before from_pretrained chokes on them
        from explorer.resolution import resolve

        spec = resolve(checkpoint, task, revision=revision).spec
        if spec is not None and not stage_options <= set(spec.options):
            raise BadInput(f"option(s) {', '.join(sorted(stage_options))} do not apply to "
                           f"{spec.task}; they choose the stages of a backbone (task backbone)")
    inputs = make_inputs(text, text_pair=text_pair, question=question, context=context,
                         labels=labels, image=image, audio=audio, sampling_rate=sampling_rate,
                         table=table)
    loaded = load(checkpoint, task, dtype=dtype, device=device, revision=revision,
                  allow_pickle=allow_pickle, trust_remote_code=trust_remote_code,
                  memory_budget=memory_budget, **load_overrides)
    return run_loaded(loaded, inputs, opts)


def split_options(options: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(load overrides, run options)``: attention / hidden-state switches and backbone stages are
    set on the config at load; everything else is read by the task's runner."""
    opts = dict(options)
    overrides: dict[str, Any] = {}
    for k in LOAD_OPTIONS:
        value = opts.pop(k, None)
        if value is not None and _coerce(value, bool):
            overrides[k] = True
    for k in LOAD_LIST_OPTIONS:
        value = opts.pop(k, None)
        if value not in (None, "", [], ()):
            overrides[k] = (_coerce(value, list) if isinstance(value, str)
                            else list(value) if isinstance(value, (list, tuple)) else [value])
    return overrides, opts


def run_loaded(loaded: Loaded, inputs: Inputs, options: Mapping[str, Any] | None = None) -> Result:
    """Run an already loaded model (the UI keeps ``Loaded`` objects and calls this)."""
    spec = loaded.spec
    if spec.runner is None:
        raise NotRunnable(f"{spec.auto_class} is in the catalog but the explorer cannot run it yet; "
                          "pick another task for this checkpoint")
    unknown = set(options or {}) - set(spec.options)
    if unknown:
        raise BadInput(f"option(s) {', '.join(sorted(unknown))} do not apply to {spec.task}; "
                       f"it takes: {', '.join(spec.options) or 'none'}")
    context = RunContext(loaded=loaded, inputs=inputs, options=dict(options or {}))
    try:
        return spec.runner(context)
    except ExplorerError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, RuntimeError) as exc:
        # Model and preprocessor errors on odd input: one line, not a traceback.
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BadInput(f"{spec.task} failed on this input ({type(exc).__name__}: {first[:300]}); "
                       "check the inputs match what the task needs") from exc
