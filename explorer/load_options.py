"""How to load a checkpoint, as one record shared by ``load``, ``run``, the dashboard, the Code
tab's snippet and the CLI.

    LoadOptions(dtype="float16", device_map="auto", max_memory={"cpu": "2GiB", 0: "20GiB"},
                offload_folder="offload")

Safe by default (safetensors only, no remote code). The memory budget is read when a load asks
for it, never at import: ``EXPLORER_MEMORY_BUDGET_GB`` when set, else half the memory this
process may use (the container's limit on Binder), at most 8 GiB.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any, ClassVar

from explorer.errors import BadInput

DTYPES = ("auto", "float32", "float16", "bfloat16")
DEVICE_MAPS = ("auto", "balanced", "balanced_low_0", "sequential")
QUANTIZATIONS = ("8bit", "4bit")
MAX_BUDGET_BYTES = 8 * 2**30

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)?\s*$", re.IGNORECASE)
_UNITS = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
          "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}


def parse_size(value: str | float) -> int:
    """Bytes of ``"2GiB"``, ``"500MB"``, ``"1.5GB"`` or a number of bytes."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    match = _SIZE.match(str(value))
    if not match:
        raise BadInput(f"cannot read {value!r} as a memory size; write e.g. 2GiB, 500MB or a "
                       "number of bytes")
    return int(float(match.group(1)) * _UNITS[(match.group(2) or "B").upper()])


def parse_max_memory(value: str | Mapping[Any, Any] | None) -> dict[str | int, str | int] | None:
    """``"cpu=2GiB,0=20GiB"`` (the CLI's form) or a mapping → ``{"cpu": "2GiB", 0: "20GiB"}``.

    Keys are ``cpu``, ``disk``, ``mps`` or a GPU index; values are sizes (checked here so a typo is
    one line, not a traceback from accelerate)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        pairs = []
        for part in value.split(","):
            key, sep, size = part.partition("=")
            if not sep:
                raise BadInput(f"max_memory needs DEVICE=SIZE pairs such as cpu=2GiB,0=20GiB; got "
                               f"{part.strip()!r}")
            pairs.append((key.strip(), size.strip()))
    else:
        pairs = list(value.items())
    out: dict[str | int, str | int] = {}
    for key, size in pairs:
        name = str(key).strip().lower()
        device: str | int = int(name) if name.isdigit() else name.removeprefix("cuda:")
        if isinstance(device, str) and device.isdigit():
            device = int(device)
        if not isinstance(device, int) and device not in ("cpu", "disk", "mps"):
            raise BadInput(f"max_memory device {key!r} is not cpu, disk, mps or a GPU index")
        parse_size(size)
        out[device] = size.strip() if isinstance(size, str) else int(size)
    return out


def memory_limit() -> int:
    """The memory this process may use: the smallest of the container's cgroup limit, Binder's
    ``MEM_LIMIT`` and the machine's RAM."""
    limits = []
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(path).read_text().strip()
        except OSError:
            continue
        if text.isdigit():
            limits.append(int(text))
    if os.environ.get("MEM_LIMIT", "").isdigit():
        limits.append(int(os.environ["MEM_LIMIT"]))
    try:
        limits.append(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        pass
    return min(limits) if limits else MAX_BUDGET_BYTES * 2


def default_budget() -> int:
    """``EXPLORER_MEMORY_BUDGET_GB`` (read now), else half of ``memory_limit()``, at most 8 GiB."""
    configured = os.environ.get("EXPLORER_MEMORY_BUDGET_GB", "").strip()
    if configured:
        try:
            return int(float(configured) * 2**30)
        except ValueError:
            raise BadInput(f"EXPLORER_MEMORY_BUDGET_GB={configured!r} is not a number of GiB")\
                from None
    return min(MAX_BUDGET_BYTES, memory_limit() // 2)


@dataclass(frozen=True)
class LoadOptions:
    """Everything that decides how a checkpoint is loaded (and so which cached model is reused)."""

    dtype: str = "auto"
    """``auto`` (the checkpoint's own), ``float32``, ``float16`` or ``bfloat16``."""
    device: str | None = None
    """``cpu``, ``cuda``, ``mps``; None picks the best present. Ignored with ``device_map``."""
    revision: str | None = None
    """Hub branch, tag or commit."""
    allow_pickle: bool = False
    """Allow pickle weights (they can run code on load): only for sources you trust."""
    trust_remote_code: bool = False
    """Run the checkpoint's own Python code (``auto_map``)."""
    memory_budget: int | None = None
    """Bytes a plain load may take; None: ``default_budget()`` at load time. Over it, a plain load
    is refused with the offloading options that would load it."""
    device_map: str | dict[str, Any] | None = None
    """accelerate's big-model placement: ``auto``, ``balanced``, ``sequential`` or an explicit
    ``{module: device}`` map (devices: GPU index, ``cpu``, ``disk``)."""
    max_memory: dict[str | int, str | int] | None = None
    """Caps per device for ``device_map``, e.g. ``{"cpu": "2GiB", 0: "20GiB"}``."""
    offload_folder: str | None = None
    """Where weights placed on ``disk`` are written when they cannot be read in place."""
    quantization: str | None = None
    """``8bit`` or ``4bit`` (nf4) with bitsandbytes; CUDA only."""

    FIELDS: ClassVar[tuple[str, ...]] = ()

    def __post_init__(self) -> None:
        dtype = (self.dtype or "auto").removeprefix("torch.")
        if dtype not in DTYPES:
            raise BadInput(f"unknown dtype {self.dtype!r}; use one of {', '.join(DTYPES)}")
        object.__setattr__(self, "dtype", dtype)
        if self.device in ("", "auto"):
            object.__setattr__(self, "device", None)
        device_map = self.device_map or None
        if isinstance(device_map, str) and device_map not in DEVICE_MAPS:
            raise BadInput(f"unknown device_map {device_map!r}; use one of "
                           f"{', '.join(DEVICE_MAPS)} or a {{module: device}} mapping")
        object.__setattr__(self, "device_map", dict(device_map) if isinstance(device_map, Mapping)
                           else device_map)
        object.__setattr__(self, "max_memory", parse_max_memory(self.max_memory))
        object.__setattr__(self, "offload_folder", str(self.offload_folder).strip() or None
                           if self.offload_folder else None)
        if self.quantization in ("", "none"):
            object.__setattr__(self, "quantization", None)
        if self.quantization is not None and self.quantization not in QUANTIZATIONS:
            raise BadInput(f"unknown quantization {self.quantization!r}; use 8bit or 4bit")
        if self.memory_budget is not None:
            object.__setattr__(self, "memory_budget", parse_size(self.memory_budget))
        if self.max_memory and not self.device_map:
            object.__setattr__(self, "device_map", "auto")  # max_memory only means something there

    @classmethod
    def split(cls, base: LoadOptions | None = None,
              **keywords: Any) -> tuple[LoadOptions, dict[str, Any]]:
        """``(options, the other keywords)``: keywords named like a field replace ``base``'s."""
        mine = {k: keywords.pop(k) for k in list(keywords) if k in cls.FIELDS}
        return replace(base or cls(), **mine), keywords

    @property
    def big_model(self) -> bool:
        """Loaded through accelerate's dispatch (placement by device map, or quantized)."""
        return bool(self.device_map or self.quantization)

    def budget(self) -> int:
        return default_budget() if self.memory_budget is None else self.memory_budget

    def key(self) -> tuple:
        """What the model cache tells loads apart by (the budget does not change the model)."""
        def frozen(value: Any) -> Any:
            return tuple(sorted((str(k), str(v)) for k, v in value.items())) \
                if isinstance(value, dict) else value
        return tuple(frozen(getattr(self, f)) for f in self.FIELDS if f != "memory_budget")

    def changed(self) -> dict[str, Any]:
        """The fields that differ from the defaults (what a snippet or a report needs to say)."""
        default = LoadOptions()
        return {k: v for k, v in asdict(self).items() if getattr(default, k) != v}

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if self.max_memory:
            data["max_memory"] = {str(k): v for k, v in self.max_memory.items()}
        return data

    def offloading(self, budget: int, folder: str) -> LoadOptions:
        """These options, changed to load what does not fit in ``budget`` bytes of CPU memory onto
        disk (and GPUs, where present, first)."""
        return replace(self, device_map="auto", max_memory={"cpu": _gib(budget)},
                       offload_folder=folder, memory_budget=None)

    def cli_flags(self) -> str:
        """The ``explorer run`` flags that ask for these options (the non-default ones)."""
        flags = []
        for name, value in self.changed().items():
            flag = "--" + name.replace("_", "-")
            if isinstance(value, bool):
                flags.append(flag)
            elif name == "max_memory":
                flags.append(f"{flag} " + ",".join(f"{k}={v}" for k, v in value.items()))
            elif name == "memory_budget":
                flags.append(f"{flag} {_gib(value)}")
            elif not isinstance(value, dict):
                flags.append(f"{flag} {value}")
        return " ".join(flags)


def _gib(count: int) -> str:
    """A size as accelerate reads it: ``2GiB``, ``1.5GiB``, ``300MiB``."""
    if count < 2**20:
        return f"{max(count // 2**10, 1)}KiB"
    if count < 2**30:
        return f"{count // 2**20}MiB"
    return f"{count / 2**30:.2f}".rstrip("0").rstrip(".") + "GiB"


LoadOptions.FIELDS = tuple(f.name for f in fields(LoadOptions))

__all__ = [
    "DEVICE_MAPS",
    "DTYPES",
    "QUANTIZATIONS",
    "LoadOptions",
    "default_budget",
    "memory_limit",
    "parse_max_memory",
    "parse_size",
]
