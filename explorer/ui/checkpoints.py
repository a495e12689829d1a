"""Which checkpoints the picker offers for a task, and whether the hub can be reached.

Pure data, no widgets: the offline zoo, real local checkpoints, the local Hugging Face cache, a few
curated hub ids per task and (online only) a hub search. Every entry says whether it works offline.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlparse

from explorer.catalog import TaskSpec

# A few well-known hub checkpoints per task tag (online, or offline once they are in the cache).
CURATED: dict[str, tuple[str, ...]] = {
    "text-classification": ("distilbert/distilbert-base-uncased-finetuned-sst-2-english",
                            "cardiffnlp/twitter-roberta-base-sentiment-latest"),
    "token-classification": ("dslim/bert-base-NER",),
    "question-answering": ("distilbert/distilbert-base-cased-distilled-squad",
                           "deepset/roberta-base-squad2"),
    "fill-mask": ("google-bert/bert-base-uncased", "FacebookAI/roberta-base"),
    "text-generation": ("openai-community/gpt2", "HuggingFaceTB/SmolLM2-135M"),
    "text2text-generation": ("google-t5/t5-small", "google/flan-t5-small"),
    "next-sentence-prediction": ("google-bert/bert-base-uncased",),
    "multiple-choice": ("LIAMF-USP/roberta-large-finetuned-race",),
    "text-encoding": ("google-t5/t5-small",),
    "feature-extraction": ("sentence-transformers/all-MiniLM-L6-v2",
                           "google-bert/bert-base-uncased", "facebook/dinov2-small"),
    "pretraining": ("google-bert/bert-base-uncased",),
    "image-classification": ("google/vit-base-patch16-224", "microsoft/resnet-50"),
    "object-detection": ("facebook/detr-resnet-50", "hustvl/yolos-tiny"),
    "image-segmentation": ("facebook/detr-resnet-50-panoptic",),  # DETR is its only class
    "semantic-segmentation": ("nvidia/segformer-b0-finetuned-ade-512-512",),
    "instance-segmentation": ("facebook/mask2former-swin-tiny-coco-instance",),
    "universal-segmentation": ("facebook/mask2former-swin-tiny-coco-panoptic",),
    "depth-estimation": ("depth-anything/Depth-Anything-V2-Small-hf", "Intel/dpt-hybrid-midas"),
    "keypoint-detection": ("magic-leap-community/superpoint",),
    "mask-generation": ("facebook/sam-vit-base",),
    "image-to-image": ("caidas/swin2SR-classical-sr-x2-64",),
    "video-classification": ("MCG-NJU/videomae-base-finetuned-kinetics",),
    "zero-shot-image-classification": ("openai/clip-vit-base-patch32",),
    "zero-shot-object-detection": ("google/owlvit-base-patch32",
                                   "IDEA-Research/grounding-dino-tiny"),
    "automatic-speech-recognition": ("openai/whisper-tiny", "facebook/wav2vec2-base-960h"),
    "audio-classification": ("superb/wav2vec2-base-superb-ks",
                             "MIT/ast-finetuned-audioset-10-10-0.4593"),
    "audio-frame-classification": ("anton-l/wav2vec2-base-superb-sd",),
    "audio-xvector": ("anton-l/wav2vec2-base-superb-sv",),
    "text-to-speech": ("microsoft/speecht5_tts",),
    "text-to-audio": ("facebook/musicgen-small",),
    "image-text-to-text": ("HuggingFaceTB/SmolVLM-256M-Instruct",),
    "image-to-text": ("Salesforce/blip-image-captioning-base",),
    "visual-question-answering": ("dandelin/vilt-b32-finetuned-vqa",),
    "document-question-answering": ("impira/layoutlm-document-qa",),
    "table-question-answering": ("google/tapas-base-finetuned-wtq",),
    "backbone": ("microsoft/resnet-50",),
}


@dataclass(frozen=True)
class Choice:
    """One entry of the checkpoint picker."""

    checkpoint: str
    """What ``explorer.run`` is given (``zoo:<name>``, a hub id or a local path)."""
    source: str
    """``zoo``, ``local``, ``cache``, ``curated``, ``hub`` (search result) or ``typed``."""
    label: str
    """What the picker shows."""
    offline: bool
    """True when it runs without a network (zoo, local folder, local cache)."""
    random_weights: bool = False
    note: str = ""

    @property
    def hub_only(self) -> bool:
        return not self.offline


# ---------------------------------------------------------------------------- online or not

_PROBE: dict[str, tuple[float, bool]] = {}
_PROBE_SECONDS = 60.0


def offline_forced() -> bool:
    """True when the user switched the hub off (``HF_HUB_OFFLINE=1``)."""
    value = os.environ.get("HF_HUB_OFFLINE", "").strip().upper()
    if value in ("1", "ON", "YES", "TRUE"):
        return True
    try:
        from huggingface_hub import constants

        return bool(constants.HF_HUB_OFFLINE)
    except ImportError:
        return True


def hub_online(timeout: float = 1.5) -> bool:
    """Whether the hub can be reached: never when ``HF_HUB_OFFLINE=1``; else a TCP connection to
    the hub endpoint, bounded by ``timeout`` (DNS included) and remembered for a minute."""
    if offline_forced():
        return False
    from huggingface_hub import constants

    host = urlparse(constants.ENDPOINT).hostname or "huggingface.co"
    cached = _PROBE.get(host)
    if cached and time.monotonic() - cached[0] < _PROBE_SECONDS:
        return cached[1]
    answer: list[bool] = []

    def probe() -> None:
        try:
            socket.create_connection((host, 443), timeout=timeout).close()
            answer.append(True)
        except Exception:  # DNS failure, refused, firewalled, or a test's network guard
            answer.append(False)

    # getaddrinfo ignores socket timeouts; a daemon thread bounds the whole probe.
    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout + 0.5)
    online = bool(answer and answer[0])
    _PROBE[host] = (time.monotonic(), online)
    return online


def go_offline() -> None:
    """Switch huggingface_hub to cache-only for this process (the app does it when the hub cannot
    be reached, so that no later call waits on network timeouts)."""
    from huggingface_hub import constants

    constants.HF_HUB_OFFLINE = True


def forget_probe() -> None:
    """Probe the hub again on the next ``hub_online()`` call."""
    _PROBE.clear()


def cached_snapshot(repo_id: str) -> Path | None:
    """The local snapshot folder of a hub checkpoint whose config is in the HF cache."""
    try:
        from huggingface_hub import try_to_load_from_cache

        found = try_to_load_from_cache(repo_id, "config.json")
    except Exception:  # an id that is not a valid repo name
        return None
    return Path(found).parent if isinstance(found, str) else None


def in_cache(repo_id: str) -> bool:
    """Whether a hub checkpoint's config is in the local Hugging Face cache."""
    return cached_snapshot(repo_id) is not None


def check_serves(checkpoint: str, task: str, online: bool) -> None:
    """Raise the explorer's one-line error (``IncompatibleTask`` says which tasks it can serve)
    when ``checkpoint`` cannot serve ``task``. Offline, a cached hub id is checked through its
    snapshot folder so nothing waits on the network."""
    from explorer.errors import ExplorerError
    from explorer.resolution import resolve

    snapshot = None if online or checkpoint.startswith("zoo:") else cached_snapshot(checkpoint)
    if snapshot is None or Path(checkpoint).expanduser().is_dir():
        resolve(checkpoint, task)
        return
    try:
        resolve(str(snapshot), task)
    except ExplorerError as exc:
        raise type(exc)(str(exc).replace(str(snapshot), checkpoint)) from None


# ---------------------------------------------------------------------------- sources


def _manifest() -> dict[str, dict[str, Any]]:
    from explorer.resolution import zoo_dir
    from explorer.zoo import MANIFEST

    path = zoo_dir() / MANIFEST
    try:
        return json.loads(path.read_text())["entries"]
    except (OSError, ValueError, KeyError):
        return {}


def zoo_entry(checkpoint: str) -> dict[str, Any] | None:
    """The manifest entry of a ``zoo:<name>`` checkpoint (None for anything else)."""
    if not checkpoint.startswith("zoo:"):
        return None
    return _manifest().get(checkpoint[4:])


@lru_cache(maxsize=256)
def _served_tasks(checkpoint: str, mtime: float | None) -> tuple[str, ...]:
    """Auto classes a local checkpoint can serve (``explorer.resolve(...).tasks``), or ()."""
    from explorer.errors import ExplorerError
    from explorer.resolution import resolve

    try:
        return resolve(checkpoint).tasks
    except ExplorerError:
        return ()


def served_tasks(checkpoint: str, folder: Path) -> tuple[str, ...]:
    try:
        mtime = (folder / "config.json").stat().st_mtime
    except OSError:
        return ()
    return _served_tasks(checkpoint, mtime)


def zoo_choices(spec: TaskSpec) -> list[Choice]:
    """The zoo checkpoint built for this task, then real zoo checkpoints that can serve it."""
    from explorer.resolution import zoo_dir
    from explorer.zoo import zoo_kind

    own, real = [], []
    for name, entry in sorted(_manifest().items()):
        summary = entry.get("summary", "")
        if entry.get("auto_class") == spec.auto_class and entry.get("kind") != "real":
            random = entry.get("random_weights", True)
            label = f"zoo · {name} — {summary} · {zoo_kind(entry)}"
            own.append(Choice(f"zoo:{name}", "zoo", label, offline=True, random_weights=random,
                              note=summary))
        elif not entry.get("random_weights", True):
            if spec.auto_class in served_tasks(f"zoo:{name}", zoo_dir() / name):
                real.append(Choice(f"zoo:{name}", "local", f"local · {name} — real weights",
                                   offline=True, note=summary))
    return own + real


def _cached_model_type(repo: Any) -> str | None:
    for revision in repo.revisions:
        for file in revision.files:
            if file.file_name == "config.json":
                try:
                    return json.loads(Path(file.file_path).read_text()).get("model_type")
                except (OSError, ValueError):
                    return None
    return None


def cache_choices(spec: TaskSpec, cache_dir: str | Path | None = None) -> list[Choice]:
    """Models in the local Hugging Face cache (default: ``HF_HUB_CACHE``) whose config this task
    has a class for, with their size on disk."""
    try:
        from huggingface_hub import scan_cache_dir

        info = scan_cache_dir(cache_dir)
    except Exception:  # no cache folder yet (CacheNotFound), or an unreadable one
        return []
    found = []
    for repo in sorted(info.repos, key=lambda r: r.repo_id.lower()):
        if repo.repo_type != "model":
            continue
        model_type = _cached_model_type(repo)
        if model_type and spec.class_for(model_type):
            found.append(Choice(repo.repo_id, "cache",
                                f"cache · {repo.repo_id} · {repo.size_on_disk_str} on disk",
                                offline=True))
    return found


def curated_choices(spec: TaskSpec) -> list[Choice]:
    """Well-known hub checkpoints for the task (offline when already cached)."""
    ids: list[str] = []
    for key in (*spec.tags, spec.auto_class):
        ids += [i for i in CURATED.get(key, ()) if i not in ids]
    out = []
    for repo_id in ids:
        cached = in_cache(repo_id)
        where = "in the local cache" if cached else "online only"
        out.append(Choice(repo_id, "curated", f"hub · {repo_id} · {where}", offline=cached))
    return out


def hub_search(spec: TaskSpec, limit: int = 15) -> list[Choice]:
    """Most downloaded hub models tagged with the task (call only when ``hub_online()``)."""
    from huggingface_hub import HfApi

    models = HfApi().list_models(pipeline_tag=spec.task, sort="downloads", limit=limit)
    out = []
    for model in models:
        downloads = getattr(model, "downloads", None)
        count = f" · {downloads:,} downloads" if downloads else ""
        out.append(Choice(model.id, "hub", f"hub search · {model.id}{count} · online only",
                          offline=in_cache(model.id)))
    return out


def choices_for(spec: TaskSpec) -> list[Choice]:
    """Every offline-or-curated choice for ``spec``, zoo first, one entry per checkpoint."""
    return dedupe([*zoo_choices(spec), *cache_choices(spec), *curated_choices(spec)])


def dedupe(choices: Iterable[Choice]) -> list[Choice]:
    seen: set[str] = set()
    out = []
    for choice in choices:
        if choice.checkpoint not in seen:
            seen.add(choice.checkpoint)
            out.append(choice)
    return out


def typed_choice(text: str) -> Choice:
    """A checkpoint the user typed: a local folder, ``zoo:<name>`` or a hub id."""
    text = text.strip()
    if text.startswith("zoo:"):
        entry = zoo_entry(text) or {}
        return Choice(text, "zoo", f"typed · {text}", offline=True,
                      random_weights=bool(entry.get("random_weights", True)))
    if Path(text).expanduser().is_dir() or text.startswith((".", "/", "~")):
        return Choice(text, "local", f"typed · {text}", offline=True)
    cached = in_cache(text)
    where = "in the local cache" if cached else "online only"
    return Choice(text, "typed", f"typed · {text} · {where}", offline=cached)


def offline_message(choice: Choice) -> str:
    """The one line shown when an online-only checkpoint is picked without a network."""
    why = "the hub is switched off (HF_HUB_OFFLINE=1)" if offline_forced() else \
        "the hub cannot be reached"
    return (f"{choice.checkpoint} is on the hub only and {why}; pick an offline entry (zoo, local "
            "or cache) or connect to the internet")
