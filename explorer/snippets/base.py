"""What every snippet body shares: the run it describes (``Spec``) and the common lines."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from explorer.catalog import TaskSpec
from explorer.options import OPTIONS, Option


@dataclass(frozen=True)
class Spec:
    """What a body generator knows about the run."""

    task_spec: TaskSpec
    resolution: Any
    inputs: dict[str, Any]
    options: dict[str, Any]
    pre: str
    """The preprocessor's variable name (``tokenizer``, ``image_processor``, ...)."""
    preprocessor: Any
    """The loaded preprocessor (its class decides which keywords its helpers take)."""
    model_class: Any
    """The concrete model class (not loaded: its signatures decide what ``forward`` takes)."""
    cast: bool
    """Whether inputs must be moved to the model's device / dtype."""

    def option(self, name: str, fallback: Any = None) -> Any:
        """The run's option as its declared type (CLI options arrive as text: "3" → 3), else the
        default the task declares, which the runner uses too (``explorer/options.py``)."""
        declared: Option | None
        try:
            declared = self.task_spec.option(name)
        except KeyError:
            declared = OPTIONS.get(name)
        value = self.options.get(name)
        if value is None:
            standard = declared.default if declared is not None else None
            return fallback if standard is None else standard
        return declared.coerce(value) if declared is not None else value

    @property
    def config(self) -> Any:
        return self.resolution.config

    @property
    def first_text(self) -> str:
        text = self.inputs.get("text")
        return text[0] if isinstance(text, (list, tuple)) else (text or "")

    @property
    def texts(self) -> list[str]:
        text = self.inputs.get("text")
        return list(text) if isinstance(text, (list, tuple)) else ([text] if text else [])

    def part(self, name: str) -> str:
        """The variable holding a processor part: ``processor.tokenizer``, or the preprocessor
        itself when it is that part."""
        return f"{self.pre}.{name}" if self.pre == "processor" else self.pre

    def takes(self, function: Callable[..., Any] | None, name: str) -> bool:
        try:
            return function is not None and name in inspect.signature(function).parameters
        except (TypeError, ValueError):
            return False


Body = Callable[[Spec], list[str]]


def to_device(spec: Spec, var: str = "inputs", floats: bool = False) -> list[str]:
    """Move a batch next to the model (only when the run asked for a device or dtype)."""
    if not spec.cast:
        return []
    dtype = ", model.dtype" if floats else ""
    return [f"{var} = {var}.to(model.device{dtype})"]


def forward(out: str = "outputs", batch: str = "inputs") -> list[str]:
    return ["with torch.inference_mode():", f"    {out} = model(**{batch})"]


def image_lines(spec: Spec) -> list[str]:
    return [f"image = Image.open({str(spec.inputs['image'])!r}).convert(\"RGB\")"]


def audio_lines(spec: Spec) -> list[str]:
    extractor = spec.part("feature_extractor")
    return ["# mono, resampled to the rate the model was trained on",
            f"waveform, rate = librosa.load({str(spec.inputs['audio'])!r}, "
            f"sr={extractor}.sampling_rate, mono=True)"]


def audio_batch(spec: Spec, extra: str = "") -> list[str]:
    extractor = spec.part("feature_extractor")
    return audio_lines(spec) + [
        f"inputs = {extractor}(waveform, sampling_rate=rate, return_tensors=\"pt\"{extra})",
        *to_device(spec, floats=True)]


def image_batch(spec: Spec, extra: str = "") -> list[str]:
    return image_lines(spec) + [
        f"inputs = {spec.part('image_processor')}(images=image, return_tensors=\"pt\"{extra})",
        *to_device(spec, floats=True)]


def only_accepted(spec: Spec, var: str = "inputs") -> list[str]:
    """Drop processor outputs the model's forward has no parameter for (sizes, masks)."""
    params = inspect.signature(spec.model_class.forward).parameters
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return []
    return [f"{var} = {{k: v for k, v in {var}.items() if k in {sorted(params)!r}}}"]


def top_scores(spec: Spec, names: str, logits: str = "logits", k: Any = None,
               multi: bool | None = None) -> list[str]:
    """``scores = {label: probability}`` for the k best, highest first."""
    if multi is None:
        multi = getattr(spec.config, "problem_type", None) == "multi_label_classification"
    how = "sigmoid()  # independent scores (multi-label)" if multi else "softmax(-1)"
    k = spec.option("top_k") if k is None else k
    return [f"probs = {logits}.float().{how}",
            f"top = probs.topk(min({k}, probs.numel()))",
            f"scores = {{{names}[i]: p",
            "          for p, i in zip(top.values.tolist(), top.indices.tolist())}",
            "print(scores)"]


def shapes_print() -> list[str]:
    """The ``raw`` answer: every output tensor by name and shape."""
    return ["print({name: list(value.shape) for name, value in outputs.items() "
            "if hasattr(value, \"shape\")})"]


def embeddings_print() -> list[str]:
    return ["print({\"shape\": list(embeddings.shape), "
            "\"first values\": embeddings[:, :4].tolist()})"]


SIZE = "[(image.height, image.width)]"


def post_kwargs(spec: Spec, method: str, **wanted: Any) -> str:
    """``, name=value`` for the keywords the processor's ``method`` takes, leaving out None (the
    same choice the runner makes with ``accepted_kwargs``)."""
    function = getattr(_image_processor(spec), method, None)
    params = inspect.signature(function).parameters if function is not None else {}
    return "".join(f", {k}={v}" for k, v in wanted.items() if v is not None and k in params)


def _image_processor(spec: Spec) -> Any:
    return getattr(spec.preprocessor, "image_processor", None) or spec.preprocessor


def seconds_per_frame_line() -> str:
    return ("seconds = model.config.inputs_to_logits_ratio / rate  "
            "# one output frame (the conv stack's stride)")


def drop_token_types(spec: Spec, var: str = "inputs") -> list[str]:
    """GIT / BLIP processors return ``token_type_ids`` their ``generate`` refuses."""
    if "token_type_ids" in inspect.signature(spec.model_class.forward).parameters:
        return []
    return [f"{var}.pop(\"token_type_ids\", None)  # the model takes none"]
