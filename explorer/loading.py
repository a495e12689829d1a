"""Load a resolved checkpoint safely: model + preprocessor + a report of what happened.

Safe by default: safetensors only (pickle can run code on load), no remote code, and a memory
estimate checked against a budget *before* any weight is read. Over the budget, a plain load is
refused with the options that load it anyway: accelerate's big-model inference (``device_map``,
``max_memory``, ``offload_folder``) places what does not fit on other devices or on disk.
Loaded models are kept in a small LRU cache so running the same checkpoint again does not reload
it.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from explorer.catalog import TaskSpec, get_task
from explorer.errors import ExplorerError, NotRunnable, OverBudget, UnsafeCheckpoint
from explorer.load_options import LoadOptions, default_budget
from explorer.quiet import quiet_transformers
from explorer.resolution import Resolution, resolve


@dataclass(frozen=True)
class LoadReport:
    """What ``from_pretrained`` did: weights that were missing, unused or newly initialised."""

    missing: tuple[str, ...]
    unexpected: tuple[str, ...]
    mismatched: tuple[str, ...]
    parameters: int
    bytes: int
    dtype: str
    device: str
    seconds: float
    estimated_bytes: int | None
    """None when no estimate could be made (a warning says why)."""
    warnings: tuple[str, ...] = ()
    preprocessing: str = ""
    """Which preprocessor class was loaded, with the image backend it runs on (torchvision / PIL)."""
    placement: tuple[tuple[str, str, int], ...] = ()
    """With a device map: ``(module, device, bytes)`` in model order; devices are ``cuda:0``,
    ``cpu``, ``disk``, ..."""

    @property
    def newly_initialized(self) -> tuple[str, ...]:
        """Weights the checkpoint did not provide: they are random, so the head is untrained."""
        return tuple(sorted(set(self.missing) | set(self.mismatched)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "missing": list(self.missing), "unexpected": list(self.unexpected),
            "mismatched": list(self.mismatched), "newly_initialized": list(self.newly_initialized),
            "parameters": self.parameters, "bytes": self.bytes, "dtype": self.dtype,
            "device": self.device, "seconds": round(self.seconds, 4),
            "estimated_bytes": self.estimated_bytes, "warnings": list(self.warnings),
            "preprocessing": self.preprocessing,
            "device_map": {module: device for module, device, _ in self.placement} or None,
        }


@dataclass
class Loaded:
    """A model ready to run, with its preprocessor and how it was resolved and loaded."""

    resolution: Resolution
    spec: TaskSpec
    model: Any
    preprocessor: Any
    report: LoadReport
    options: dict[str, Any] = field(default_factory=dict)
    """Config overrides set at load (``output_attentions``, backbone stages)."""
    load_options: LoadOptions = field(default_factory=LoadOptions)
    parts: dict[str, Any] = field(default_factory=dict, repr=False)
    """Preprocessor parts loaded on their own (checkpoints that save a tokenizer and a feature
    extractor without a processor class); filled by ``RunContext.part``."""

    @property
    def config(self) -> Any:
        return self.model.config

    @property
    def input_device(self) -> str:
        """Where inputs go: the model's device, or with a device map the first accelerator in it
        (accelerate's hooks move activations between devices from there)."""
        if not self.report.placement:
            return str(self.model.device)
        for _, device, _ in self.report.placement:
            if device not in ("cpu", "disk"):
                return device
        return "cpu"

    @property
    def random_weights(self) -> bool:
        return self.resolution.random_weights or bool(self.report.newly_initialized)

    @property
    def checkpoint_kind(self) -> str:
        """``random`` as soon as any weight is random (a newly initialised head), else the
        resolution's ``real`` or ``toy``."""
        return "random" if self.random_weights else self.resolution.checkpoint_kind


# ---------------------------------------------------------------------------- device and dtype


def pick_device(device: str | None = None) -> str:
    """``cuda`` when there is a GPU, else ``mps`` on Apple silicon, else ``cpu``."""
    import torch

    if device not in (None, "", "auto"):
        if device.startswith("cuda") and not torch.cuda.is_available():
            raise ExplorerError("device 'cuda' asked for but no CUDA GPU is visible; use cpu")
        if device == "mps" and not torch.backends.mps.is_available():
            raise ExplorerError("device 'mps' asked for but MPS is not available; use cpu")
        return device
    if torch.cuda.is_available():
        return "cuda"
    if torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def _torch_dtype(dtype: str) -> Any:
    """A checked ``LoadOptions.dtype`` as ``from_pretrained`` takes it."""
    import torch

    return "auto" if dtype == "auto" else getattr(torch, dtype)


def quantization_config(kind: str, dtype: str = "auto") -> Any:
    """bitsandbytes' 8-bit or 4-bit (nf4) config; one line when this machine cannot use it."""
    import importlib.util

    import torch

    if not torch.cuda.is_available():
        raise ExplorerError(f"{kind} loading (bitsandbytes) needs a CUDA GPU and none is visible; "
                            "load without quantization, or with dtype=float16 / bfloat16")
    if importlib.util.find_spec("bitsandbytes") is None:
        raise ExplorerError(f"{kind} loading needs the bitsandbytes package: pip install "
                            "bitsandbytes")
    from transformers import BitsAndBytesConfig

    if kind == "8bit":
        return BitsAndBytesConfig(load_in_8bit=True)
    compute = torch.bfloat16 if dtype == "bfloat16" else torch.float16
    return BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4",
                              bnb_4bit_compute_dtype=compute)


# ---------------------------------------------------------------------------- safety and size


def _check_weights_format(res: Resolution, allow_pickle: bool) -> None:
    if res.source not in ("local", "zoo") or allow_pickle:
        return  # hub checkpoints: from_pretrained(use_safetensors=True) enforces it below
    names = res.weight_files + tuple(p.name for p in Path(res.location).glob("*.index.json"))
    if not any(n.endswith(".safetensors") or n.endswith(".safetensors.index.json") for n in names):
        pickles = [n for n in names if not n.endswith(".json")]
        if pickles:
            raise UnsafeCheckpoint(
                f"{res.checkpoint} has only pickle weights ({', '.join(pickles)}); unpickling can run "
                "arbitrary code, so it is refused. If you trust its source, pass allow_pickle=True "
                "(CLI: --allow-pickle), or convert it to safetensors")
        raise ExplorerError(f"{res.checkpoint} has no weight files; nothing to load")


def estimate_bytes(res: Resolution, options: LoadOptions) -> tuple[int | None, str | None]:
    """``(bytes the weights will take as loaded, None)``, or ``(None, why)`` when no estimate can
    be made: the caller reports it rather than passing the budget check with 0 bytes."""
    from explorer.memory import estimate

    try:
        found = estimate(res)
    except ExplorerError as exc:
        return None, f"memory not estimated before loading ({exc}); the budget was not checked"
    at = {"8bit": "int8", "4bit": "int4"}.get(options.quantization or "", options.dtype)
    return found.bytes_for(at), None


def model_from_config(res: Resolution) -> Any:
    """The resolved model class built from the config alone (random weights)."""
    from explorer.catalog import get_task

    assert res.auto_class is not None  # callers raise on a checkpoint that fits no Auto class
    spec = get_task(res.auto_class)
    if spec.auto_class == "AutoBackbone":
        return _backbone_class(res.config)._from_config(res.config)
    return spec.auto.from_config(res.config)


def _backbone_class(config: Any) -> Any:
    # AutoBackbone.from_pretrained(local_dir) asks the hub whether the repo exists (transformers
    # 5.23); going through the mapping directly loads the same class without that call.
    from transformers.models.auto.modeling_auto import MODEL_FOR_BACKBONE_MAPPING

    return MODEL_FOR_BACKBONE_MAPPING[type(config)]


# ---------------------------------------------------------------------------- loading


def _config_mtime(checkpoint: str) -> float | None:
    """Modification time of a local checkpoint's config.json (None for hub ids / zoo names)."""
    try:
        return (Path(checkpoint).expanduser() / "config.json").stat().st_mtime
    except (OSError, ValueError):
        return None


def _load_preprocessor(res: Resolution, trust_remote_code: bool) -> Any:
    import transformers

    order = [res.preprocessor_auto_class] if res.preprocessor_auto_class else []
    order += [a for a in ("AutoProcessor", "AutoTokenizer", "AutoImageProcessor",
                          "AutoFeatureExtractor") if a in res.preprocessor and a not in order]
    errors = []
    for auto in order:
        try:
            return getattr(transformers, auto).from_pretrained(
                res.location, revision=res.revision, trust_remote_code=trust_remote_code)
        except Exception as exc:  # try the next kind; report all if none works
            errors.append(f"{auto}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")
    if errors:
        raise ExplorerError(f"cannot load a preprocessor for {res.checkpoint} ({'; '.join(errors)})")
    return None


def load(
    checkpoint: str,
    task: str | None = None,
    load_options: LoadOptions | None = None,
    *,
    use_cache: bool = True,
    **keywords: Any,
) -> Loaded:
    """Resolve and load ``checkpoint`` for ``task`` (default: the task its config names).

    How to load is a ``LoadOptions``, or its fields as keywords (``dtype="float16"``,
    ``device_map="auto"``, ``max_memory={"cpu": "2GiB"}``, ``offload_folder=...``, ...; keywords
    replace ``load_options``' fields). Other keywords are set on the config at load (e.g.
    ``output_attentions=True``, which also switches attention to the eager implementation so
    attention weights really come back).
    """
    options, config_overrides = LoadOptions.split(load_options, **keywords)
    device = "" if options.big_model else pick_device(options.device)
    # The cache is keyed by what the caller asked for (plus the config's mtime for local folders),
    # so a warm run skips resolve() entirely: it is the hot path of every re-run.
    key = (str(checkpoint), _config_mtime(checkpoint), task and get_task(task).auto_class, device,
           options.key(),
           tuple(sorted((k, tuple(v) if isinstance(v, list) else v)  # lists: backbone out_indices
                        for k, v in config_overrides.items())))
    if use_cache and (hit := _CACHE.get(key)) is not None:
        return hit
    res = resolve(checkpoint, task, revision=options.revision,
                  trust_remote_code=options.trust_remote_code)
    if res.auto_class is None:
        raise NotRunnable(f"{checkpoint} ({res.model_type}) fits no Auto model class this "
                          "transformers knows")
    spec = get_task(res.auto_class)
    _check_weights_format(res, options.allow_pickle)
    quantization = quantization_config(options.quantization, options.dtype) \
        if options.quantization else None
    estimated, unestimated = estimate_bytes(res, options)
    budget = options.budget()
    if estimated is not None and estimated > budget and not options.big_model:
        raise _over_budget(str(checkpoint), estimated, budget, options)
    loaded = _load_uncached(res, spec, options, device, quantization, estimated, config_overrides,
                            (unestimated,) if unestimated else ())
    if use_cache:
        _CACHE.put(key, loaded, loaded.report.bytes)
    return loaded


OFFLOAD_FOLDER = Path(tempfile.gettempdir()) / "explorer-offload"
"""Where the suggested offloading writes weights it cannot read in place from safetensors."""


def _over_budget(checkpoint: str, estimated: int, budget: int, options: LoadOptions) -> OverBudget:
    """The refusal, carrying the options that load the checkpoint anyway by offloading."""
    from explorer.memory import human

    offload = options.offloading(budget, str(OFFLOAD_FOLDER))
    memory = ", ".join(f"{k!r}: {v!r}" for k, v in (offload.max_memory or {}).items())
    return OverBudget(
        f"{checkpoint} needs about {human(estimated)} at dtype={options.dtype}, over the "
        f"{human(budget)} memory budget. Load it with offloading: device_map='auto', "
        f"max_memory={{{memory}}}, offload_folder={str(OFFLOAD_FOLDER)!r} (CLI: "
        f"{offload.cli_flags()}); or pick a smaller dtype or checkpoint, or raise memory_budget "
        "(EXPLORER_MEMORY_BUDGET_GB)", offload=offload)


def _load_uncached(res: Resolution, spec: TaskSpec, options: LoadOptions, device: str,
                   quantization: Any, estimated: int | None, overrides: dict[str, Any],
                   warnings: tuple[str, ...]) -> Loaded:
    kwargs: dict[str, Any] = dict(revision=res.revision, dtype=_torch_dtype(options.dtype),
                                  trust_remote_code=options.trust_remote_code,
                                  output_loading_info=True)
    if options.big_model:
        kwargs["device_map"] = options.device_map or "auto"
        if options.max_memory:
            kwargs["max_memory"] = options.max_memory
        if options.offload_folder:
            kwargs["offload_folder"] = options.offload_folder
        if quantization is not None:
            kwargs["quantization_config"] = quantization
    allow_pickle = options.allow_pickle
    if not allow_pickle:
        kwargs["use_safetensors"] = True
    if overrides.get("output_attentions"):
        kwargs["attn_implementation"] = "eager"  # sdpa/flash kernels never return the weights
    kwargs.update(overrides)
    started = time.perf_counter()
    loader = _backbone_class(res.config) if spec.auto_class == "AutoBackbone" else spec.auto
    try:
        with quiet_transformers():
            model, info = loader.from_pretrained(res.location, **kwargs)
    except OSError as exc:
        text = str(exc)
        if "safetensors" in text.lower() and not allow_pickle:
            raise UnsafeCheckpoint(
                f"{res.checkpoint} publishes no safetensors weights, only pickle files that can run "
                "code on load; pass allow_pickle=True (CLI: --allow-pickle) if you trust it") from None
        raise ExplorerError(f"cannot load {res.checkpoint}: {text.splitlines()[0]}") from None
    except (ValueError, TypeError, RuntimeError, KeyError, IndexError) as exc:
        # accelerate's placement fails on some models and caps (tied weights, e.g.)
        hint = (f" (placing it with device_map={options.device_map!r} failed: try other "
                "max_memory caps or another device_map)") if options.big_model else ""
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ExplorerError(f"cannot load {res.checkpoint} as {spec.auto_class}{hint}: "
                            f"{type(exc).__name__}: {first}") from None
    model.eval()
    if not options.big_model:
        model.to(device)
    with quiet_transformers():
        preprocessor = _load_preprocessor(res, options.trust_remote_code)
    seconds = time.perf_counter() - started
    params = list(model.parameters())
    first_param = params[0] if params else None
    placement = placement_of(model) if options.big_model else ()
    report = LoadReport(
        missing=tuple(sorted(info.get("missing_keys", ()))),
        unexpected=tuple(sorted(info.get("unexpected_keys", ()))),
        mismatched=tuple(sorted(str(k[0]) if isinstance(k, tuple) else str(k)
                                for k in info.get("mismatched_keys", ()))),
        parameters=sum(p.numel() for p in params),
        bytes=sum(p.numel() * p.element_size() for p in params)
        + sum(b.numel() * b.element_size() for b in model.buffers()),
        dtype=str(first_param.dtype).removeprefix("torch.") if first_param is not None else "none",
        device=_device_summary(placement) if placement else
        str(first_param.device) if first_param is not None else device,
        seconds=seconds, estimated_bytes=estimated,
        warnings=warnings + _warnings(res, info, model) + _placement_warnings(placement),
        placement=placement, preprocessing=describe_preprocessor(preprocessor),
    )
    return Loaded(resolution=res, spec=spec, model=model, preprocessor=preprocessor, report=report,
                  options=dict(overrides), load_options=options)


def placement_of(model: Any) -> tuple[tuple[str, str, int], ...]:
    """``(module, device, bytes)`` for each entry of ``model.hf_device_map``, in model order."""
    device_map = getattr(model, "hf_device_map", None) or {}
    if not device_map:
        return ()
    order = {name: index for index, (name, _) in enumerate(model.named_modules())}
    sizes: dict[str, int] = dict.fromkeys(device_map, 0)
    for name, tensor in [*model.named_parameters(), *model.named_buffers()]:
        owner = max((m for m in device_map if m == "" or name == m or name.startswith(m + ".")),
                    key=len, default=None)
        if owner is not None:
            sizes[owner] += tensor.numel() * tensor.element_size()
    return tuple((module, _device_name(device_map[module]), sizes[module])
                 for module in sorted(device_map, key=lambda m: order.get(m, len(order))))


def _device_name(device: Any) -> str:
    """accelerate writes GPUs as indices: 0 → ``cuda:0``."""
    return f"cuda:{device}" if isinstance(device, int) else str(device)


def _placement_warnings(placement: tuple[tuple[str, str, int], ...]) -> tuple[str, ...]:
    on_disk = [module for module, device, size in placement if device == "disk" and size]
    if not on_disk:
        return ()
    return (f"{len(on_disk)} module(s) offloaded to disk ({', '.join(on_disk[:3])}"
            f"{', …' if len(on_disk) > 3 else ''}): each run reads them back, so it is slower; a "
            "few architectures read weights outside their own layer and then fail or differ "
            "offloaded, so compare with a plain load on a small input when in doubt",)


def _device_summary(placement: tuple[tuple[str, str, int], ...]) -> str:
    return " + ".join(dict.fromkeys(device for _, device, _ in placement))


def describe_preprocessor(preprocessor: Any) -> str:
    """``DetrImageProcessor (torchvision backend)``: the class and, for images, its backend."""
    if preprocessor is None:
        return "none"
    from transformers.image_processing_backends import PilBackend, TorchvisionBackend

    parts = [type(preprocessor).__name__]
    images = getattr(preprocessor, "image_processor", None) or preprocessor
    if images is not preprocessor:
        parts.append(f"with {type(images).__name__}")
    if isinstance(images, TorchvisionBackend):
        parts.append("(torchvision backend)")
    elif isinstance(images, PilBackend):
        parts.append("(PIL backend)")
    return " ".join(parts)


def _warnings(res: Resolution, info: dict[str, Any], model: Any) -> tuple[str, ...]:
    out = []
    if res.random_weights:
        out.append("random weights: this is a demo checkpoint built offline; its output is "
                   "meaningless and only shows the shapes and the flow")
    new = set(info.get("missing_keys", ())) | {k[0] if isinstance(k, tuple) else k
                                                for k in info.get("mismatched_keys", ())}
    if new:
        heads = sorted({k.split(".")[0] for k in new})
        out.append(f"{len(new)} weights were newly initialised ({', '.join(heads)}): this head was "
                   "not trained with the checkpoint, so its predictions mean nothing until fine-tuned")
        import torch

        params = dict(model.named_parameters())
        broken = sorted(n for n in new if n in params and not torch.isfinite(params[n]).all())
        if broken:  # seen with some heads whose init leaves memory uninitialised
            out.append(f"newly initialised weights contain NaN/inf ({', '.join(broken[:3])}); "
                       "outputs may be NaN: load a checkpoint that includes this head")
    if info.get("unexpected_keys"):
        out.append(f"{len(info['unexpected_keys'])} weights in the checkpoint were not used by "
                   f"{res.model_class} (e.g. a pre-training head)")
    return tuple(out)


# ---------------------------------------------------------------------------- cache


def default_cache_bytes() -> int:
    """``EXPLORER_CACHE_GB`` (read now), else the default memory budget: cached models are the
    memory the explorer holds between runs."""
    configured = os.environ.get("EXPLORER_CACHE_GB", "").strip()
    try:
        return int(float(configured) * 2**30) if configured else default_budget()
    except ValueError:
        raise ExplorerError(f"EXPLORER_CACHE_GB={configured!r} is not a number of GiB") from None


class _LRUCache:
    """Loaded models by (checkpoint, task, device, load options, overrides), bounded by bytes
    (``max_bytes``, or ``default_cache_bytes()`` read at each insertion when None)."""

    def __init__(self, max_bytes: int | None = None, max_items: int = 8) -> None:
        self.max_bytes, self.max_items = max_bytes, max_items
        self._items: OrderedDict[tuple, tuple[Loaded, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Loaded | None:
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key][0]

    def put(self, key: tuple, value: Loaded, size: int) -> None:
        limit = default_cache_bytes() if self.max_bytes is None else self.max_bytes
        with self._lock:
            self._items[key] = (value, size)
            self._items.move_to_end(key)
            while len(self._items) > 1 and (len(self._items) > self.max_items or
                                            sum(s for _, s in self._items.values()) > limit):
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


_CACHE = _LRUCache()


def clear_cache() -> None:
    """Forget every loaded model (frees their memory once nothing else holds them)."""
    _CACHE.clear()
