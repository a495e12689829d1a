"""Memory a checkpoint will take, before loading it: per dtype, its largest layer, and headroom.

Read from the safetensors headers (the first bytes of each weight file: names, dtypes, shapes) for
local and cached checkpoints, from the hub's safetensors metadata for hub ids when online, and
otherwise by building the model on the meta device from its config (``init_empty_weights``
allocates nothing). A failed estimate says why; it is never 0 bytes.

    estimate("zoo:text-classification").bytes_for("float16")
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from explorer.errors import ExplorerError
from explorer.resolution import Resolution, resolve

# Bytes per element of the safetensors dtypes (U3 and friends are rare; they count as one byte).
_STORED = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1,
           "U8": 1, "BOOL": 1, "F8_E4M3": 1, "F8_E5M2": 1}
_FLOAT = {"F64", "F32", "F16", "BF16", "F8_E4M3", "F8_E5M2"}
_TORCH_NAMES = {"F64": "float64", "F32": "float32", "F16": "float16", "BF16": "bfloat16",
                "I64": "int64", "I32": "int32", "I16": "int16", "I8": "int8", "U8": "uint8",
                "BOOL": "bool", "F8_E4M3": "float8_e4m3fn", "F8_E5M2": "float8_e5m2"}
# Bytes per floating-point weight when loaded at each dtype (integer tensors keep their size).
# int8 / int4 are bitsandbytes' sizes for the weights; it keeps a few small layers in 16 bits.
PER_WEIGHT = {"float32": 4.0, "float16": 2.0, "bfloat16": 2.0, "int8": 1.0, "int4": 0.5}
INFERENCE_OVERHEAD = 0.2
"""Activations and buffers at inference: about 20 % on top of the weights (accelerate's rule of
thumb in ``accelerate estimate-memory``); long generations need more for the KV cache."""


@dataclass(frozen=True)
class Tensor:
    name: str
    dtype: str
    """safetensors dtype code: F32, F16, BF16, I64, ..."""
    count: int


@dataclass(frozen=True)
class MemoryEstimate:
    """How big a checkpoint is in memory, before any weight is read."""

    checkpoint: str
    source: str
    """Where the numbers come from: safetensors headers, hub metadata or a meta-device build."""
    parameters: int
    stored_dtype: str
    """The dtype most weights are stored in (what ``dtype="auto"`` loads)."""
    stored_bytes: int
    per_dtype: dict[str, int]
    """Bytes of the weights loaded at float32 / float16 / bfloat16 / int8 / int4."""
    largest_layer: str
    largest_layer_bytes: int
    """At the stored dtype: the block accelerate cannot split (it must fit on one device)."""

    def bytes_for(self, dtype: str | None) -> int:
        """Bytes at ``dtype`` (``auto`` or None: as stored)."""
        if dtype in (None, "auto"):
            return self.stored_bytes
        return self.per_dtype[str(dtype).removeprefix("torch.")]

    def headroom(self, dtype: str | None = None) -> int:
        """Extra bytes to leave free for running the model (activations)."""
        return int(self.bytes_for(dtype) * INFERENCE_OVERHEAD)

    def to_dict(self) -> dict[str, Any]:
        return {"checkpoint": self.checkpoint, "source": self.source,
                "parameters": self.parameters, "stored_dtype": self.stored_dtype,
                "stored_bytes": self.stored_bytes, "bytes": dict(self.per_dtype),
                "largest_layer": self.largest_layer,
                "largest_layer_bytes": self.largest_layer_bytes,
                "inference_headroom_bytes": self.headroom(), "headroom_fraction": INFERENCE_OVERHEAD}


def from_tensors(checkpoint: str, source: str, tensors: Iterable[Tensor]) -> MemoryEstimate:
    """Sum the tensors at each dtype and find the largest layer."""
    tensors = list(tensors)
    if not tensors:
        raise ExplorerError(f"{checkpoint}: no weights found to estimate")
    floats = [t for t in tensors if t.dtype in _FLOAT]
    fixed = sum(t.count * _STORED.get(t.dtype, 1) for t in tensors if t.dtype not in _FLOAT)
    float_count = sum(t.count for t in floats)
    per_dtype = {name: fixed + int(float_count * size) for name, size in PER_WEIGHT.items()}
    by_dtype: dict[str, int] = {}
    for t in floats or tensors:
        by_dtype[t.dtype] = by_dtype.get(t.dtype, 0) + t.count
    stored = max(by_dtype, key=by_dtype.__getitem__)
    layers: dict[str, int] = {}
    for t in tensors:
        block = layer_of(t.name)
        layers[block] = layers.get(block, 0) + t.count * _STORED.get(t.dtype, 1)
    largest = max(layers, key=layers.__getitem__)
    return MemoryEstimate(
        checkpoint=checkpoint, source=source, parameters=float_count,
        stored_dtype=_TORCH_NAMES.get(stored, stored.lower()),
        stored_bytes=sum(t.count * _STORED.get(t.dtype, 1) for t in tensors),
        per_dtype=per_dtype, largest_layer=largest, largest_layer_bytes=layers[largest])


def layer_of(name: str) -> str:
    """The block a weight belongs to: up to its first numeric part (``encoder.layer.3``, one
    repeated layer), else its module (``embeddings.word_embeddings``)."""
    parts = name.split(".")
    for index, part in enumerate(parts):
        if part.isdigit():
            return ".".join(parts[:index + 1])
    return ".".join(parts[:-1]) or name


# ---------------------------------------------------------------------------- sources


def header_tensors(files: Iterable[Path]) -> list[Tensor]:
    """Tensors named in safetensors headers (reads only the header of each file)."""
    out = []
    for path in files:
        with open(path, "rb") as fh:
            (length,) = struct.unpack("<Q", fh.read(8))
            header = json.loads(fh.read(length))
        for name, meta in header.items():
            if name != "__metadata__":
                out.append(Tensor(name, meta["dtype"], _count(meta["shape"])))
    return out


def _count(shape: Iterable[int]) -> int:
    count = 1
    for dim in shape:
        count *= int(dim)
    return count


def _weight_folder(res: Resolution) -> Path | None:
    """The folder holding the checkpoint's files on this machine (local, zoo or HF cache)."""
    if res.source in ("local", "zoo"):
        return Path(res.location)
    if res.source == "cache" and Path(res.location).is_dir():
        return Path(res.location)  # offline, resolve() already points at the cached snapshot
    if res.source == "cache":
        from huggingface_hub import try_to_load_from_cache

        found = try_to_load_from_cache(res.location, "config.json", revision=res.revision)
        return Path(found).parent if isinstance(found, str) else None
    return None


def _hub_tensors(res: Resolution) -> list[Tensor]:
    from huggingface_hub import HfApi

    meta = HfApi().get_safetensors_metadata(res.location, revision=res.revision)
    return [Tensor(name, info.dtype, _count(info.shape))
            for file in meta.files_metadata.values() for name, info in file.tensors.items()]


def meta_tensors(res: Resolution) -> list[Tensor]:
    """The model built from its config on the meta device (no memory allocated)."""
    from accelerate import init_empty_weights

    from explorer.loading import model_from_config

    codes = {v: k for k, v in _TORCH_NAMES.items()}
    with init_empty_weights(include_buffers=True):
        model = model_from_config(res)
    seen: set[int] = set()
    out = []
    for name, tensor in [*model.named_parameters(), *model.named_buffers()]:
        if id(tensor) in seen:
            continue  # tied weights are stored once
        seen.add(id(tensor))
        code = codes.get(str(tensor.dtype).removeprefix("torch."), "F32")
        out.append(Tensor(name, code, tensor.numel()))
    return out


def estimate(checkpoint: str | Resolution, task: str | None = None, *,
             revision: str | None = None, online: bool | None = None) -> MemoryEstimate:
    """Memory ``checkpoint`` needs, before loading. Raises ExplorerError (one line) when no source
    can tell; callers that must go on turn that into a warning, never into 0 bytes."""
    res = checkpoint if isinstance(checkpoint, Resolution) else \
        resolve(checkpoint, task, revision=revision)
    folder = _weight_folder(res)
    files = sorted(folder.glob("*.safetensors")) if folder is not None else []
    if files:
        return from_tensors(res.checkpoint, "safetensors headers", header_tensors(files))
    why = []
    if res.source in ("hub", "cache") and (online if online is not None else _online()):
        try:
            return from_tensors(res.checkpoint, "hub safetensors metadata", _hub_tensors(res))
        except Exception as exc:  # noqa: BLE001 - no safetensors on the hub, gated, offline
            why.append(f"hub metadata: {type(exc).__name__}")
    if res.auto_class is None:
        raise ExplorerError(f"cannot estimate {res.checkpoint}: it fits no Auto model class")
    try:
        return from_tensors(res.checkpoint, "meta-device build from the config", meta_tensors(res))
    except ExplorerError:
        raise
    except Exception as exc:  # noqa: BLE001 - some configs cannot be built bare
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        why.append(f"meta build: {first}")
    raise ExplorerError(f"cannot estimate the memory of {res.checkpoint} ({'; '.join(why)})")


def _online() -> bool:
    from huggingface_hub import constants

    return not constants.HF_HUB_OFFLINE


def human(count: float) -> str:
    """``1.5 GiB``, ``340.2 MiB``, ``12.0 KiB``."""
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if count >= size:
            return f"{count / size:.1f} {unit}"
    return f"{int(count)} B"


__all__ = [
    "INFERENCE_OVERHEAD",
    "PER_WEIGHT",
    "MemoryEstimate",
    "estimate",
    "from_tensors",
    "header_tensors",
    "human",
    "layer_of",
]
