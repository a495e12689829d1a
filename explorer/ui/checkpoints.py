"""Which checkpoints the picker offers for a task, and whether the hub can be reached.

Pure data, no widgets: the offline zoo, real local checkpoints, the local Hugging Face cache, a few
curated hub ids per task and (online only) a hub search. Every entry says whether it works offline.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from explorer.catalog import TaskSpec
from explorer.hub import forget_probe, hub_online, offline_forced  # noqa: F401  (panels use ck.*)

# A few well-known hub checkpoints per task tag (online, or offline once they are in the cache),
# each with its config's model_type: a task offers an id only when its Auto class maps that type
# (a shared tag such as automatic-speech-recognition names CTC, seq2seq and transducer classes).
CURATED: dict[str, tuple[tuple[str, str], ...]] = {
    "text-classification": (("distilbert/distilbert-base-uncased-finetuned-sst-2-english",
                             "distilbert"),
                            ("cardiffnlp/twitter-roberta-base-sentiment-latest", "roberta")),
    "token-classification": (("dslim/bert-base-NER", "bert"),),
    "question-answering": (("distilbert/distilbert-base-cased-distilled-squad", "distilbert"),
                           ("deepset/roberta-base-squad2", "roberta")),
    "fill-mask": (("google-bert/bert-base-uncased", "bert"), ("FacebookAI/roberta-base", "roberta")),
    "text-generation": (("openai-community/gpt2", "gpt2"), ("HuggingFaceTB/SmolLM2-135M", "llama")),
    "text2text-generation": (("google-t5/t5-small", "t5"), ("google/flan-t5-small", "t5")),
    "next-sentence-prediction": (("google-bert/bert-base-uncased", "bert"),),
    "multiple-choice": (("LIAMF-USP/roberta-large-finetuned-race", "roberta"),),
    "text-encoding": (("google-t5/t5-small", "t5"),),
    "feature-extraction": (("sentence-transformers/all-MiniLM-L6-v2", "bert"),
                           ("google-bert/bert-base-uncased", "bert"),
                           ("facebook/dinov2-small", "dinov2")),
    "pretraining": (("google-bert/bert-base-uncased", "bert"),),
    "image-classification": (("google/vit-base-patch16-224", "vit"),
                             ("microsoft/resnet-50", "resnet")),
    "object-detection": (("facebook/detr-resnet-50", "detr"), ("hustvl/yolos-tiny", "yolos")),
    "image-segmentation": (("facebook/detr-resnet-50-panoptic", "detr"),),  # DETR: its only class
    "semantic-segmentation": (("nvidia/segformer-b0-finetuned-ade-512-512", "segformer"),),
    "instance-segmentation": (("facebook/maskformer-swin-tiny-coco", "maskformer"),),
    "universal-segmentation": (("facebook/mask2former-swin-tiny-coco-panoptic", "mask2former"),),
    "depth-estimation": (("depth-anything/Depth-Anything-V2-Small-hf", "depth_anything"),
                         ("Intel/dpt-hybrid-midas", "dpt")),
    "keypoint-detection": (("magic-leap-community/superpoint", "superpoint"),),
    "mask-generation": (("facebook/sam-vit-base", "sam"),),
    "image-to-image": (("caidas/swin2SR-classical-sr-x2-64", "swin2sr"),),
    "video-classification": (("MCG-NJU/videomae-base-finetuned-kinetics", "videomae"),),
    "zero-shot-image-classification": (("openai/clip-vit-base-patch32", "clip"),),
    "zero-shot-object-detection": (("google/owlvit-base-patch32", "owlvit"),
                                   ("IDEA-Research/grounding-dino-tiny", "grounding-dino")),
    "automatic-speech-recognition": (("openai/whisper-tiny", "whisper"),
                                     ("facebook/wav2vec2-base-960h", "wav2vec2")),
    "audio-classification": (("superb/wav2vec2-base-superb-ks", "wav2vec2"),
                             ("MIT/ast-finetuned-audioset-10-10-0.4593", "audio-spectrogram-transformer")),
    "audio-frame-classification": (("anton-l/wav2vec2-base-superb-sd", "wav2vec2"),),
    "audio-xvector": (("anton-l/wav2vec2-base-superb-sv", "wav2vec2"),),
    "text-to-speech": (("microsoft/speecht5_tts", "speecht5"),),
    "text-to-audio": (("facebook/musicgen-small", "musicgen"),),
    "image-text-to-text": (("HuggingFaceTB/SmolVLM-256M-Instruct", "smolvlm"),),
    "image-to-text": (("Salesforce/blip-image-captioning-base", "blip"),),
    "visual-question-answering": (("dandelin/vilt-b32-finetuned-vqa", "vilt"),),
    "document-question-answering": (("impira/layoutlm-document-qa", "layoutlm"),),
    "table-question-answering": (("google/tapas-base-finetuned-wtq", "tapas"),),
    "backbone": (("microsoft/resnet-50", "resnet"),),
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


# ---------------------------------------------------------------------------- online or not

def go_offline() -> None:
    """Switch huggingface_hub to cache-only for this process (the app does it when the hub cannot
    be reached, so that no later call waits on network timeouts)."""
    from huggingface_hub import constants

    constants.HF_HUB_OFFLINE = True


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


@dataclass(frozen=True)
class Facts:
    """What a local checkpoint's config says, for labelling it (no weights read)."""

    tasks: tuple[str, ...] = ()
    """Auto classes it can serve (``explorer.resolve(...).auto_classes``)."""
    model_type: str = ""
    architectures: tuple[str, ...] = ()
    """The classes it was saved from: a task whose class is not among them gets a new head."""


@lru_cache(maxsize=256)
def _facts(checkpoint: str, mtime: float | None) -> Facts:
    from explorer.errors import ExplorerError
    from explorer.resolution import resolve

    try:
        res = resolve(checkpoint)
    except ExplorerError:
        return Facts()
    return Facts(res.auto_classes, res.model_type, tuple(res.architectures))


def local_facts(checkpoint: str, folder: Path) -> Facts:
    try:
        mtime = (folder / "config.json").stat().st_mtime
    except OSError:
        return Facts()
    return _facts(checkpoint, mtime)


def zoo_choices(spec: TaskSpec) -> list[Choice]:
    """Real zoo checkpoints whose saved class is this task's (the best default there is), the
    zoo's own checkpoints for the task (trained toys before random ones), then trained zoo
    checkpoints that can serve it (a body whose saved class is not the task's gets a new, random
    head, and says so)."""
    from explorer.resolution import zoo_dir
    from explorer.zoo import zoo_kind

    best: list[Choice] = []
    own: list[Choice] = []
    real: list[Choice] = []
    for name, entry in sorted(_manifest().items()):
        summary = entry.get("summary", "")
        if entry.get("auto_class") == spec.auto_class and entry.get("kind") != "real":
            random = entry.get("random_weights", True)
            label = f"zoo · {name} — {summary} · {zoo_kind(entry)}"
            own.append(Choice(f"zoo:{name}", "zoo", label, offline=True, random_weights=random,
                              note=summary))
        elif not entry.get("random_weights", True):
            facts = local_facts(f"zoo:{name}", zoo_dir() / name)
            if spec.auto_class in facts.tasks:
                # AutoModel keeps the body and drops any head; another head starts random.
                exact = spec.class_for(facts.model_type) in facts.architectures
                head = exact or spec.auto_class == "AutoModel"
                kind = "real" if entry.get("kind", "real") == "real" else "trained toy"
                label = f"local · {name} — " + (
                    f"{kind} weights" if exact
                    else f"{kind} body, head left out" if head
                    else f"{kind} body, new random head")
                choice = Choice(f"zoo:{name}", "local", label, offline=True,
                                random_weights=not head, note=summary)
                fits = entry.get("auto_class") == spec.auto_class or (exact and kind == "real")
                (best if fits else real).append(choice)
    own.sort(key=lambda choice: choice.random_weights)  # a trained toy is the task's default
    return best + own + real


def missing_zoo_entries() -> list[str]:
    """Zoo recipes the zoo folder lacks (a zoo built by an older version, or an interrupted
    build): ``explorer zoo`` or the dashboard's zoo button builds them."""
    from explorer.resolution import zoo_dir
    from explorer.zoo import recipes

    built = _manifest()
    return [r.name for r in recipes()
            if r.name not in built or not (zoo_dir() / r.name / "config.json").is_file()]


def zoo_recipe_for(spec: TaskSpec) -> str | None:
    """The name of the zoo recipe that builds a checkpoint for ``spec``, if any."""
    from explorer.zoo import recipes

    return next((r.name for r in recipes() if r.auto_class == spec.auto_class), None)


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
    """Well-known hub checkpoints whose model type the task's Auto class maps (offline when
    already cached)."""
    ids: list[str] = []
    for key in (*spec.tags, spec.auto_class):
        ids += [i for i, model_type in CURATED.get(key, ())
                if i not in ids and spec.class_for(model_type)]
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
    return (f"{choice.checkpoint} is not found locally (no such folder, not in the HF cache) and "
            f"{why} to check it; pick an offline entry (zoo, local or cache) or connect to the "
            "internet")
