"""Load a resolved checkpoint safely: model + preprocessor + a report of what happened.

Safe by default: safetensors only (pickle can run code on load), no remote code, and a memory
estimate checked against a budget *before* any weight is read. Loaded models are kept in a small
LRU cache so running the same checkpoint again does not reload it.
"""

from __future__ import annotations

import json
import os
import struct
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from explorer.catalog import TaskSpec, get_task
from explorer.errors import ExplorerError, NotRunnable, OverBudget, UnsafeCheckpoint
from explorer.quiet import quiet_transformers
from explorer.resolution import Resolution, resolve

DEFAULT_BUDGET_BYTES = int(float(os.environ.get("EXPLORER_MEMORY_BUDGET_GB", "8")) * 2**30)
DEFAULT_CACHE_BYTES = int(float(os.environ.get("EXPLORER_CACHE_GB", "4")) * 2**30)
DTYPES = ("auto", "float32", "float16", "bfloat16")
_DTYPE_BYTES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1,
                "U8": 1, "BOOL": 1, "F8_E4M3": 1, "F8_E5M2": 1}


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
    estimated_bytes: int
    warnings: tuple[str, ...] = ()

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

    @property
    def config(self) -> Any:
        return self.model.config

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


def _torch_dtype(dtype: str | None) -> Any:
    import torch

    name = (dtype or "auto").removeprefix("torch.")
    if name not in DTYPES:
        raise ExplorerError(f"unknown dtype {dtype!r}; use one of {', '.join(DTYPES)}")
    return "auto" if name == "auto" else getattr(torch, name)


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


def estimate_bytes(res: Resolution, spec: TaskSpec, dtype: Any) -> int:
    """Bytes the model will take, from safetensors headers when local, else from the config
    (the model is built on the meta device, which allocates nothing)."""
    import torch

    per_param = torch.empty((), dtype=dtype).element_size() if dtype != "auto" else None
    if res.source in ("local", "zoo"):
        files = sorted(Path(res.location).glob("*.safetensors"))
        if files:
            total = 0
            for path in files:
                with open(path, "rb") as fh:
                    (length,) = struct.unpack("<Q", fh.read(8))
                    header = json.loads(fh.read(length))
                for name, meta in header.items():
                    if name == "__metadata__":
                        continue
                    count = 1
                    for dim in meta["shape"]:
                        count *= dim
                    total += count * (per_param or _DTYPE_BYTES.get(meta["dtype"], 4))
            return total
    with torch.device("meta"):
        try:
            model = _from_config(spec, res.config)
        except Exception:  # some configs cannot be built bare; no estimate is better than a crash
            return 0
    return sum(p.numel() * (per_param or p.element_size()) for p in model.parameters())


def _from_config(spec: TaskSpec, config: Any) -> Any:
    if spec.auto_class == "AutoBackbone":
        return _backbone_class(config)._from_config(config)
    return spec.auto.from_config(config)


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
    *,
    dtype: str | None = "auto",
    device: str | None = None,
    revision: str | None = None,
    allow_pickle: bool = False,
    trust_remote_code: bool = False,
    memory_budget: int | None = None,
    use_cache: bool = True,
    **config_overrides: Any,
) -> Loaded:
    """Resolve and load ``checkpoint`` for ``task`` (default: the task its config names).

    ``config_overrides`` are set on the config at load (e.g. ``output_attentions=True``, which also
    switches attention to the eager implementation so attention weights really come back).
    """
    torch_dtype = _torch_dtype(dtype)
    device = pick_device(device)
    # The cache is keyed by what the caller asked for (plus the config's mtime for local folders),
    # so a warm run skips resolve() entirely: it is the hot path of every re-run.
    key = (str(checkpoint), _config_mtime(checkpoint), revision, task and get_task(task).auto_class,
           str(torch_dtype), device, trust_remote_code,
           tuple(sorted((k, tuple(v) if isinstance(v, list) else v)  # lists: backbone out_indices
                        for k, v in config_overrides.items())))
    if use_cache and (hit := _CACHE.get(key)) is not None:
        return hit
    res = resolve(checkpoint, task, revision=revision, trust_remote_code=trust_remote_code)
    if res.task is None:
        raise NotRunnable(f"{checkpoint} ({res.model_type}) fits no Auto model class this "
                          "transformers knows")
    spec = get_task(res.task)
    _check_weights_format(res, allow_pickle)
    estimated = estimate_bytes(res, spec, torch_dtype)
    budget = DEFAULT_BUDGET_BYTES if memory_budget is None else memory_budget
    if estimated > budget:
        raise OverBudget(f"{checkpoint} needs about {estimated / 2**30:.1f} GiB, over the "
                         f"{budget / 2**30:.1f} GiB budget; choose a smaller checkpoint, load it with "
                         "dtype=float16, or raise memory_budget (EXPLORER_MEMORY_BUDGET_GB)")
    loaded = _load_uncached(res, spec, torch_dtype, device, allow_pickle, trust_remote_code,
                            estimated, config_overrides)
    if use_cache:
        _CACHE.put(key, loaded, loaded.report.bytes)
    return loaded


def _load_uncached(res: Resolution, spec: TaskSpec, torch_dtype: Any, device: str,
                   allow_pickle: bool, trust_remote_code: bool, estimated: int,
                   overrides: dict[str, Any]) -> Loaded:
    quiet_transformers()
    kwargs: dict[str, Any] = dict(revision=res.revision, dtype=torch_dtype,
                                  trust_remote_code=trust_remote_code, output_loading_info=True)
    if not allow_pickle:
        kwargs["use_safetensors"] = True
    if overrides.get("output_attentions"):
        kwargs["attn_implementation"] = "eager"  # sdpa/flash kernels never return the weights
    kwargs.update(overrides)
    started = time.perf_counter()
    loader = _backbone_class(res.config) if spec.auto_class == "AutoBackbone" else spec.auto
    try:
        model, info = loader.from_pretrained(res.location, **kwargs)
    except OSError as exc:
        text = str(exc)
        if "safetensors" in text.lower() and not allow_pickle:
            raise UnsafeCheckpoint(
                f"{res.checkpoint} publishes no safetensors weights, only pickle files that can run "
                "code on load; pass allow_pickle=True (CLI: --allow-pickle) if you trust it") from None
        raise ExplorerError(f"cannot load {res.checkpoint}: {text.splitlines()[0]}") from None
    except (ValueError, TypeError, RuntimeError) as exc:
        raise ExplorerError(f"cannot load {res.checkpoint} as {spec.auto_class}: "
                            f"{str(exc).splitlines()[0]}") from None
    model.eval()
    model.to(device)
    preprocessor = _load_preprocessor(res, trust_remote_code)
    seconds = time.perf_counter() - started
    params = list(model.parameters())
    first = params[0] if params else None
    report = LoadReport(
        missing=tuple(sorted(info.get("missing_keys", ()))),
        unexpected=tuple(sorted(info.get("unexpected_keys", ()))),
        mismatched=tuple(sorted(str(k[0]) if isinstance(k, tuple) else str(k)
                                for k in info.get("mismatched_keys", ()))),
        parameters=sum(p.numel() for p in params),
        bytes=sum(p.numel() * p.element_size() for p in params)
        + sum(b.numel() * b.element_size() for b in model.buffers()),
        dtype=str(first.dtype).removeprefix("torch.") if first is not None else "none",
        device=str(first.device) if first is not None else device,
        seconds=seconds, estimated_bytes=estimated,
        warnings=_warnings(res, info, model),
    )
    return Loaded(resolution=res, spec=spec, model=model, preprocessor=preprocessor, report=report,
                  options=dict(overrides))


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


class _LRUCache:
    """Loaded models by (checkpoint, revision, task, dtype, device, overrides), bounded by bytes."""

    def __init__(self, max_bytes: int, max_items: int = 8) -> None:
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
        with self._lock:
            self._items[key] = (value, size)
            self._items.move_to_end(key)
            while len(self._items) > 1 and (len(self._items) > self.max_items or
                                            sum(s for _, s in self._items.values()) > self.max_bytes):
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


_CACHE = _LRUCache(DEFAULT_CACHE_BYTES)


def clear_cache() -> None:
    """Forget every loaded model (frees their memory once nothing else holds them)."""
    _CACHE.clear()
