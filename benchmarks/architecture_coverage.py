"""Coverage sweep (not a test; minutes): does the explorer run what plain transformers runs?

    python benchmarks/architecture_coverage.py [--sample N] [--classes AutoModel,AutoModelForCTC]
                                  [--timeout 60] [--json out.json]

For every runnable Auto class in the catalog and every model type its ``MODEL_FOR_*_MAPPING``
names (or ``--sample N`` of them, spread over the mapping), it builds a tiny random checkpoint
offline (``AutoConfig.for_model`` shrunk to a few layers of width 32; the preprocessors the model
type's Auto preprocessor mappings name, built from defaults and a tiny trained tokenizer), then:

- runs it through plain transformers as a user would (preprocessor → forward, or ``generate``);
- runs it through ``explorer.run`` with the task's example inputs;
- checks that ``resolve(folder)`` with no task picks the class the checkpoint was saved from.

Per Auto class it prints: pairs in mapping / built / plain ok / explorer ok / clean error /
internal error ("bug") / crash, then the overall figures and the most frequent failure messages.
Each pair runs in a worker process with a timeout, one at a time (the machine is shared).
"""

from __future__ import annotations

import argparse
import collections
import inspect
import json
import multiprocessing
import os
import re
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
# This file's name would shadow the `coverage` package (numba imports it): drop its folder.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

# Attribute name → tiny value; applied only where the default is larger.
_INT_SIZES = {
    **dict.fromkeys(("hidden_size", "d_model", "n_embd", "embed_dim", "hidden_dim", "dim",
                     "embedding_size", "word_embed_proj_dim", "projection_dim", "d_embed",
                     "text_embed_dim", "vision_embed_dim", "encoder_hidden_size",
                     "decoder_hidden_size", "n_embed", "emb_dim", "model_dim"), 32),
    **dict.fromkeys(("num_hidden_layers", "num_layers", "n_layer", "n_layers", "encoder_layers",
                     "decoder_layers", "num_decoder_layers", "num_encoder_layers",
                     "decoder_num_layers", "encoder_num_layers", "num_blocks"), 2),
    **dict.fromkeys(("num_attention_heads", "n_head", "n_heads", "encoder_attention_heads",
                     "decoder_attention_heads", "num_heads", "num_key_value_heads",
                     "decoder_num_attention_heads", "encoder_num_attention_heads"), 2),
    **dict.fromkeys(("intermediate_size", "encoder_ffn_dim", "decoder_ffn_dim", "ffn_dim",
                     "n_inner", "d_ff", "mlp_dim", "decoder_intermediate_size",
                     "moe_intermediate_size", "shared_expert_intermediate_size", "d_inner",
                     "encoder_intermediate_size"), 64),
    **dict.fromkeys(("head_dim", "d_kv", "d_head", "kv_channels"), 16),
    **dict.fromkeys(("num_experts", "num_local_experts", "n_routed_experts", "moe_num_experts"), 4),
}
_LIST_SIZES = {"hidden_sizes": 16, "depths": 1, "embed_dims": 16, "neck_hidden_sizes": 16}
MAX_PARAMS = 30_000_000


# ---------------------------------------------------------------------------- building


def _shrink(config: Any, seen: set[int] | None = None) -> None:
    """Make ``config`` (and its sub-configs) tiny, in place."""
    from transformers import PretrainedConfig

    seen = seen if seen is not None else set()
    if id(config) in seen:
        return
    seen.add(id(config))
    if getattr(config, "model_type", None) == "timm_backbone":
        config.backbone = "test_resnet"  # timm's 0.4M-parameter ResNet (the default: resnet50)
    for name, value in list(vars(config).items()):
        if isinstance(value, PretrainedConfig):
            _shrink(value, seen)
        elif isinstance(value, bool):
            continue
        elif isinstance(value, int) and name in _INT_SIZES and value > _INT_SIZES[name]:
            setattr(config, name, _INT_SIZES[name])
        elif name == "layer_types" and isinstance(value, list):
            pass  # cut to the new layer count below
        elif isinstance(value, list) and name in _LIST_SIZES and value and all(
                isinstance(v, int) for v in value):
            base = _LIST_SIZES[name]
            setattr(config, name, [min(v, base * (2 ** i if base > 1 else 1))
                                   for i, v in enumerate(value)])
    layers = getattr(config, "num_hidden_layers", None)
    types = getattr(config, "layer_types", None)
    if isinstance(types, list) and isinstance(layers, int) and len(types) > layers:
        config.layer_types = types[:layers]


def _class(name: str | None) -> Any:
    import transformers

    return getattr(transformers, name, None) if name else None


def _image_processor_class(model_type: str) -> Any:
    import importlib.util

    from transformers.models.auto.image_processing_auto import (
        IMAGE_PROCESSOR_MAPPING_NAMES,
    )

    names = IMAGE_PROCESSOR_MAPPING_NAMES.get(model_type)
    if not names:
        return None
    backend = "torchvision" if importlib.util.find_spec("torchvision") else "pil"
    return _class(names.get(backend) or next(iter(names.values())))


def _max_length(config: Any) -> int:
    """64 tokens, or fewer when the model has fewer positions (OWL-ViT's text tower has 16)."""
    text = getattr(config, "text_config", None) or config
    positions = getattr(text, "max_position_embeddings", None)
    return min(64, positions) if isinstance(positions, int) and positions > 2 else 64


def _tokenizer(model_type: str, config: Any) -> Any:
    """A small working tokenizer of the class the model type maps to, or None.

    Model types with no tokenizer mapping (Llama, most decoder-only LLMs: their hub checkpoints
    name the class in tokenizer_config.json) get GPT-2's byte-level BPE without a pad token, as
    GPT-2 and Llama ship, when they can generate text; a WordPiece tokenizer otherwise."""
    from transformers import GPT2Tokenizer
    from transformers.models.auto.modeling_auto import MODEL_FOR_CAUSAL_LM_MAPPING_NAMES
    from transformers.models.auto.tokenization_auto import TOKENIZER_MAPPING_NAMES

    from explorer.zoo.common import _bpe_files, bert_tokenizer, wordpiece_vocab

    cls = _class(TOKENIZER_MAPPING_NAMES.get(model_type))
    if cls is None:
        text = getattr(config, "text_config", None) or config
        if not isinstance(getattr(text, "vocab_size", None), int):
            return None  # no embedding table: the model takes no text
        if model_type not in MODEL_FOR_CAUSAL_LM_MAPPING_NAMES:
            return bert_tokenizer()
        vocab, merges = _bpe_files()
        return GPT2Tokenizer(vocab=dict(vocab), merges=list(merges),
                             model_max_length=_max_length(config))
    vocab, merges = _bpe_files()
    # Some classes (Gemma's) refuse a vocabulary without their special tokens.
    specials = {t: len(vocab) + i for i, t in enumerate(("<unk>", "<pad>", "<bos>", "<eos>",
                                                           "<mask>"))}
    attempts = ({"vocab": dict(vocab), "merges": list(merges)}, {"vocab": dict(wordpiece_vocab())},
                {"vocab": {**dict(vocab), **specials}, "merges": list(merges)}, {})
    for kwargs in attempts:
        try:
            tok = cls(**kwargs, model_max_length=_max_length(config))
            if len(tok("the cat sat on the mat")["input_ids"]) >= 2:
                return tok
        except Exception:  # this kind of vocabulary does not fit the class; try the next
            continue
    return None


def _preprocessors(model_type: str, config: Any) -> dict[str, Any]:
    """``{attribute name: preprocessor}`` for the model type (tokenizer, image processor, ...)."""
    from transformers.models.auto.feature_extraction_auto import (
        FEATURE_EXTRACTOR_MAPPING_NAMES,
    )

    parts: dict[str, Any] = {}
    tok = _tokenizer(model_type, config)
    if tok is not None:
        parts["tokenizer"] = tok
    for key, cls in (("image_processor", _image_processor_class(model_type)),
                     ("feature_extractor", _class(FEATURE_EXTRACTOR_MAPPING_NAMES.get(model_type)))):
        if cls is not None:
            try:
                parts[key] = cls()
            except Exception:  # needs files we cannot make: the checkpoint goes without it
                pass
    return parts


def _save_preprocessors(model_type: str, parts: dict[str, Any], folder: Path) -> str:
    """Save a processor when the model type has one that builds from the parts, else the parts."""
    from transformers.models.auto.processing_auto import PROCESSOR_MAPPING_NAMES

    cls = _class(PROCESSOR_MAPPING_NAMES.get(model_type))
    if cls is not None and parts:
        try:
            cls(**parts).save_pretrained(folder)
            return cls.__name__
        except Exception:  # processor needs more (chat template, special tokens): save the parts
            pass
    for part in parts.values():
        part.save_pretrained(folder)
    return "+".join(type(p).__name__ for p in parts.values())


def _from_config(spec: Any, config: Any) -> Any:
    """Random-weight model of ``spec``'s Auto class for ``config`` (as ``explorer.loading``)."""
    from explorer.loading import _backbone_class

    if spec.auto_class == "AutoBackbone":
        return _backbone_class(config)._from_config(config)
    return spec.auto.from_config(config)


def build(auto_class: str, model_type: str, folder: Path) -> dict[str, Any]:
    """Write a tiny checkpoint of ``model_type`` for ``auto_class`` into ``folder``."""
    import torch
    from transformers import AutoConfig

    from explorer.catalog import get_task

    spec = get_task(auto_class)
    config = AutoConfig.for_model(model_type)
    parts = _preprocessors(model_type, config)
    _shrink(config)
    tok = parts.get("tokenizer")
    if tok is not None and spec.result == "fill_mask" and tok.mask_token is None:
        tok.add_special_tokens({"mask_token": "[MASK]"})  # as every fill-mask checkpoint has
    for sub in [config] + [v for v in vars(config).values() if hasattr(v, "vocab_size")]:
        if tok is not None and isinstance(getattr(sub, "vocab_size", None), int):
            sub.vocab_size = max(sub.vocab_size, len(tok))
    torch.manual_seed(0)
    try:
        model = _from_config(spec, config)
    except Exception:
        try:  # Swin2SR keeps one width in every stage, which its 6 heads a stage do not divide
            if model_type != "swin2sr":
                raise
            config.num_heads = [1] * len(config.num_heads)
            model = _from_config(spec, config)
        except Exception:
            # The tiny sizes broke a constraint of this architecture: try its defaults if small.
            config = AutoConfig.for_model(model_type)
            with torch.device("meta"):
                count = sum(p.numel() for p in _from_config(spec, config).parameters())
            if count > MAX_PARAMS:
                raise
            model = _from_config(spec, config)
    count = sum(p.numel() for p in model.parameters())
    if count > MAX_PARAMS:
        raise RuntimeError(f"still {count / 1e6:.0f}M parameters after shrinking")
    model.eval()
    model.save_pretrained(folder)
    AutoConfig.from_pretrained(folder)  # tiny sizes can break a constraint checked only on load
    return {"class": type(model).__name__, "params": count,
            "preprocessor": _save_preprocessors(model_type, parts, folder)}


# ---------------------------------------------------------------------------- inputs


def example_inputs(auto_class: str, folder: Path) -> dict[str, Any]:
    """The task's zoo example; base models get every modality the checkpoint has a part for."""
    from explorer.catalog import get_task
    from explorer.zoo import example_kwargs, recipes

    spec = get_task(auto_class)
    if auto_class in ("AutoModel", "AutoModelForPreTraining"):
        names = {p.name for p in folder.iterdir()}
        pre = json.loads((folder / "preprocessor_config.json").read_text()) \
            if "preprocessor_config.json" in names else {}
        proc = json.loads((folder / "processor_config.json").read_text()) \
            if "processor_config.json" in names else {}
        kinds = " ".join(list(pre) + list(proc)).lower()
        out: dict[str, Any] = {}
        if "tokenizer_config.json" in names or "tokenizer.json" in names:
            out["text"] = "the cat sat on the mat"
        if "image" in kinds:
            out["image"] = "photo.jpg"
        if "feature_extractor" in kinds or "sampling_rate" in kinds:
            out["audio"] = "speech.wav"
        return example_kwargs(out or {"text": "the cat sat on the mat"})
    example = dict(next((r.example for r in recipes() if r.auto_class == auto_class), None)
                   or {k: "the cat sat on the mat" for k in spec.inputs})
    # The zoo's speech example asks Whisper for timestamps; other architectures rightly refuse.
    options = {k: v for k, v in (example.pop("options", None) or {}).items()
               if k != "return_timestamps"}
    return example_kwargs({**example, **({"options": options} if options else {})})


# ---------------------------------------------------------------------------- plain transformers


def _load_preprocessor(folder: Path) -> Any:
    import transformers

    for auto in ("AutoProcessor", "AutoTokenizer", "AutoImageProcessor", "AutoFeatureExtractor"):
        try:
            return getattr(transformers, auto).from_pretrained(folder)
        except Exception:  # the next Auto preprocessor may fit
            continue
    return None


def plain_run(auto_class: str, folder: Path, example: dict[str, Any]) -> None:
    """What a user would write with transformers alone; raises when it cannot run."""
    import numpy as np
    import torch
    from PIL import Image

    from explorer.catalog import get_task
    from explorer.inputs import load_audio
    from explorer.loading import _backbone_class

    spec = get_task(auto_class)
    loader = _backbone_class(__import__("transformers").AutoConfig.from_pretrained(folder)) \
        if auto_class == "AutoBackbone" else spec.auto
    model = loader.from_pretrained(folder).eval()
    pre = _load_preprocessor(folder)
    if pre is None:
        raise RuntimeError("no preprocessor loads")
    tok = getattr(pre, "tokenizer", None) or (pre if hasattr(pre, "convert_ids_to_tokens") else None)
    if auto_class in ("AutoModelForImageTextToText", "AutoModelForMultimodalLM") and \
            "images" not in inspect.signature(type(pre).__call__).parameters:
        # Only a tokenizer loads (the image processor was saved apart, or none): the image would
        # be left out, which is no run of a task about the image.
        raise RuntimeError(f"{type(pre).__name__} takes no images")
    if tok is not None and not (folder / "tokenizer_config.json").is_file():
        # transformers 5 builds an empty default tokenizer (a handful of special tokens) for a
        # folder without one: that is no tokenizer a user could run text through.
        tok = None
        if any(k in example for k in ("text", "question", "context")) and "image" not in example:
            raise RuntimeError("no tokenizer saved (AutoTokenizer built an empty default)")
    kw: dict[str, Any] = {}
    if "image" in example:
        kw["images"] = Image.open(example["image"]).convert("RGB")
    if auto_class == "AutoModelForVideoClassification":  # the clip, at the model's length
        from explorer.heads.vision import _frame_count, sample_frames
        from explorer.inputs import read_clip

        clip = read_clip(example["image"]) or (kw["images"],)
        kw["images"] = sample_frames(clip, _frame_count(model.config))
    if "audio" in example:
        wave, rate = load_audio(example["audio"])
        fe = getattr(pre, "feature_extractor", None) or pre
        target = getattr(fe, "sampling_rate", rate)
        if target != rate:
            from explorer.inputs import resample

            wave = resample(wave, rate, target)
        kw["audio" if hasattr(pre, "feature_extractor") else "raw_speech"] = np.asarray(wave)
        kw["sampling_rate"] = target
    if auto_class == "AutoModelForMultipleChoice":
        enc = tok([example["text"]] * len(example["labels"]), list(example["labels"]),
                  padding=True, return_tensors="pt")
        batch = {k: v.unsqueeze(0) for k, v in enc.items()}
    elif "question" in example and "context" in example and "image" not in example:
        batch = tok(example["question"], example["context"], return_tensors="pt")
    elif "labels" in example:
        batch = pre(text=list(example["labels"]), padding=True, return_tensors="pt", **kw)
    elif "text" in example or "question" in example:
        text = example.get("text") or example.get("question")
        if "images" in kw or "audio" in kw:
            batch = pre(text=text, return_tensors="pt", **kw)
        else:
            batch = tok(text, text_pair=example.get("text_pair"), return_tensors="pt") \
                if isinstance(text, str) else tok(text[0], return_tensors="pt")
    elif "raw_speech" in kw:
        batch = pre(kw.pop("raw_speech"), return_tensors="pt", **kw)
    else:
        batch = pre(return_tensors="pt", **kw)
    batch = dict(batch)
    if spec.result in ("generation", "transcript") and tok is None:
        raise RuntimeError("no tokenizer to turn the predicted ids into text")
    with torch.inference_mode():
        if spec.result in ("generation", "transcript") and hasattr(model, "generate"):
            model.generate(**batch, max_new_tokens=3)
            return
        if getattr(model.config, "is_encoder_decoder", False) and "decoder_input_ids" not in batch:
            start = getattr(model.config, "decoder_start_token_id", None)
            batch["decoder_input_ids"] = torch.tensor([[start if isinstance(start, int) else 0]])
        outputs = model(**batch)
    if spec.result == "classification" and not any("logits" in key for key in outputs.keys()):
        raise RuntimeError(f"{type(model).__name__} returns no logits (no classification head)")
    if spec.result == "detections" and hasattr(pre, "post_process_object_detection"):
        image = kw["images"]  # boxes are what a detector gives (some post-process with OpenCV)
        threshold = (example.get("options") or {}).get("threshold", 0.5)
        pre.post_process_object_detection(outputs, threshold=threshold,
                                          target_sizes=[(image.height, image.width)])


# ---------------------------------------------------------------------------- one pair


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0][:200] if text else ''}"


def check_pair(auto_class: str, model_type: str) -> dict[str, Any]:
    """Build, run plain, run explorer, resolve: one record for the table."""
    import torch

    import explorer
    from explorer.errors import ExplorerError
    from explorer.loading import clear_cache
    from explorer.quiet import quiet_transformers
    from explorer.resolution import resolve
    from explorer.results import Result

    torch.set_num_threads(1)
    quiet_transformers()
    out: dict[str, Any] = {"auto_class": auto_class, "model_type": model_type}
    with tempfile.TemporaryDirectory(prefix="coverage-") as tmp:
        folder = Path(tmp)
        try:
            out.update(build(auto_class, model_type, folder))
        except Exception as exc:
            return {**out, "status": "not built", "message": first_line(exc)}
        example = example_inputs(auto_class, folder)
        try:
            plain_run(auto_class, folder, example)
            out["plain"] = "ok"
        except Exception as exc:
            out["plain"] = first_line(exc)
        try:
            res = resolve(str(folder))
            out["default_ok"] = res.model_class == out["class"]
            # A saved model_type that no Auto class maps (a sub-model config such as
            # mllama_text_model): no Auto class can load the folder, plain transformers neither.
            out["no_auto_class"] = res.auto_class is None and not res.auto_classes
            out["default"] = f"{res.task} → {res.model_class}"
        except Exception as exc:
            out["default_ok"], out["default"] = False, first_line(exc)
        options = example.pop("options", None) or {}
        try:
            result = explorer.run(str(folder), auto_class, options=options, **example)
            out["status"] = "ok" if isinstance(result, Result) else "crash"
            out["message"] = "" if out["status"] == "ok" else f"returned {type(result).__name__}"
        except ExplorerError as exc:
            internal = type(exc).__name__ == "InternalError" or "check the inputs match" in str(exc)
            out["status"] = "bug" if internal else "clean error"
            out["message"] = f"{type(exc).__name__}: {str(exc)[:200]}"
        except Exception as exc:
            out["status"], out["message"] = "crash", first_line(exc)
            out["traceback"] = traceback.format_exc()[-2000:]
        finally:
            clear_cache()
    return out


# ---------------------------------------------------------------------------- sweep


def pairs(classes: list[str] | None, sample: int | None) -> list[tuple[str, str]]:
    from explorer.catalog import tasks

    found = []
    for spec in tasks():
        if spec.runner is None or (classes and spec.auto_class not in classes):
            continue
        types = sorted(spec.model_types)
        if sample and len(types) > sample:
            step = len(types) / sample
            types = [types[int(i * step)] for i in range(sample)]
        found += [(spec.auto_class, t) for t in types]
    return found


def sweep(todo: list[tuple[str, str]], timeout: float,
          save: Path | None = None) -> list[dict[str, Any]]:
    """Each pair in a forked worker (a hang or a hard crash costs one pair, not the sweep)."""
    ctx = multiprocessing.get_context("fork")
    pool = ctx.Pool(1, maxtasksperchild=20)
    records = []
    for i, (auto_class, model_type) in enumerate(todo):
        started = time.perf_counter()
        job = pool.apply_async(check_pair, (auto_class, model_type))
        try:
            record = job.get(timeout)
        except multiprocessing.TimeoutError:
            pool.terminate()
            pool = ctx.Pool(1, maxtasksperchild=20)
            record = {"auto_class": auto_class, "model_type": model_type, "status": "crash",
                      "message": f"timeout after {timeout:.0f} s"}
        except Exception as exc:  # the worker died (segfault, out of memory)
            pool.terminate()
            pool = ctx.Pool(1, maxtasksperchild=20)
            record = {"auto_class": auto_class, "model_type": model_type, "status": "crash",
                      "message": f"worker died: {first_line(exc)}"}
        record["seconds"] = round(time.perf_counter() - started, 2)
        records.append(record)
        if save is not None:  # kept up to date: a sweep cut short still leaves its records
            save.write_text(json.dumps(records, indent=1))
        print(f"[{i + 1}/{len(todo)}] {auto_class} {model_type}: {record['status']} "
              f"{record.get('message', '')[:120]}", file=sys.stderr, flush=True)
    pool.terminate()
    return records


def _normalise(message: str) -> str:
    """Group messages that differ only by names and numbers."""
    return re.sub(r"\d+", "N", re.sub(r"/tmp/coverage-\w+", "<ckpt>", message))[:150]


def _unreadable(record: dict[str, Any]) -> bool:
    """A record (from a sweep before ``build`` checked it) whose saved config does not reload:
    the tiny sizes broke the architecture's own validation, so the pair was never built."""
    default = str(record.get("default", ""))
    return "cannot read the config" in default or "StrictDataclass" in default


def report(records: list[dict[str, Any]], seconds: float) -> str:
    records = [{**r, "status": "not built", "message": r["default"]} if _unreadable(r) else r
               for r in records]
    lines = [(f"{'Auto class':40} {'map':>4} {'built':>5} {'plain':>5} {'ok':>4} {'clean':>5} "
              f"{'bug':>4} {'crash':>5} {'dflt':>5}")]
    by_class: dict[str, list[dict]] = collections.defaultdict(list)
    for r in records:
        by_class[r["auto_class"]].append(r)
    totals = collections.Counter()
    for auto_class, rs in by_class.items():
        built = [r for r in rs if r["status"] != "not built"]
        plain = [r for r in built if r.get("plain") == "ok"]
        row = {"map": len(rs), "built": len(built), "plain": len(plain),
               "ok": sum(r["status"] == "ok" for r in plain),
               "clean": sum(r["status"] == "clean error" for r in plain),
               "bug": sum(r["status"] == "bug" for r in plain),
               "crash": sum(r["status"] == "crash" for r in built),
               "dflt": sum(bool(r.get("default_ok")) for r in built),
               "loadable": sum(not r.get("no_auto_class") for r in built)}
        totals.update(row)
        lines.append(f"{auto_class:40} {row['map']:>4} {row['built']:>5} {row['plain']:>5} "
                     f"{row['ok']:>4} {row['clean']:>5} {row['bug']:>4} {row['crash']:>5} "
                     f"{row['dflt']:>5}")
    t = totals
    lines.append(f"{'TOTAL':40} {t['map']:>4} {t['built']:>5} {t['plain']:>5} {t['ok']:>4} "
                 f"{t['clean']:>5} {t['bug']:>4} {t['crash']:>5} {t['dflt']:>5}")
    lines.append(f"explorer ok where plain transformers runs: {t['ok']}/{t['plain']} = "
                 f"{100 * t['ok'] / max(1, t['plain']):.1f} %; crashes (all built pairs): "
                 f"{t['crash']}; default task agrees: {t['dflt']}/{t['built']} = "
                 f"{100 * t['dflt'] / max(1, t['built']):.1f} %, and {t['dflt']}/{t['loadable']} = "
                 f"{100 * t['dflt'] / max(1, t['loadable']):.1f} % of the folders some Auto class can "
                 f"load; sweep took {seconds:.0f} s")
    failures = collections.Counter(
        _normalise(r.get("message", "")) for r in records
        if r.get("plain") == "ok" and r["status"] not in ("ok",) or r["status"] == "crash")
    lines.append("top failure messages (explorer, where plain runs):")
    lines += [f"  {n:>3}  {m}" for m, n in failures.most_common(15)]
    wrong = collections.Counter(f"{r['class']} → {r.get('default')}" for r in records
                                if "class" in r and r["status"] != "not built"
                                and not r.get("default_ok"))
    lines.append("default task differs from the saved class:")
    lines += [f"  {m}" for m, _ in wrong.most_common(15)]
    unbuilt = collections.Counter(_normalise(r["message"]) for r in records
                                  if r["status"] == "not built")
    lines.append("not built (top reasons):")
    lines += [f"  {n:>3}  {m}" for m, n in unbuilt.most_common(8)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, help="at most N model types per Auto class")
    parser.add_argument("--classes", help="comma-separated Auto classes (default: all runnable)")
    parser.add_argument("--types", help="comma-separated model types (default: all)")
    parser.add_argument("--timeout", type=float, default=90, help="seconds per pair")
    parser.add_argument("--json", help="write every record here (updated after each pair)")
    parser.add_argument("--report", help="print the table of a --json file and exit")
    parser.add_argument("--again", help="rerun only the pairs of a --json file where plain "
                        "transformers ran or the explorer crashed (a quick before/after)")
    parser.add_argument("--failed", help="rerun only the pairs of a --json file that plain "
                        "transformers ran and the explorer did not, or that crashed")
    args = parser.parse_args(argv)
    if args.report:
        print(report(json.loads(Path(args.report).read_text()), float("nan")))
        return 0
    # Imported once before forking, so workers start warm; librosa's lazy loader also breaks
    # when first used inside a forked worker.
    import librosa.core.audio  # noqa: F401
    import torch  # noqa: F401
    import transformers  # noqa: F401

    import explorer  # noqa: F401

    todo = pairs(args.classes.split(",") if args.classes else None, args.sample)
    if args.types:
        todo = [p for p in todo if p[1] in args.types.split(",")]
    if args.again:
        earlier = json.loads(Path(args.again).read_text())
        wanted = {(r["auto_class"], r["model_type"]) for r in earlier
                  if r.get("plain") == "ok" or r["status"] == "crash"}
        todo = [p for p in todo if p in wanted]
    if args.failed:
        earlier = json.loads(Path(args.failed).read_text())
        wanted = {(r["auto_class"], r["model_type"]) for r in earlier
                  if r.get("plain") == "ok" and r["status"] != "ok" or r["status"] == "crash"}
        todo = [p for p in todo if p in wanted]
    started = time.perf_counter()
    records = sweep(todo, args.timeout, Path(args.json) if args.json else None)
    seconds = time.perf_counter() - started
    print(report(records, seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
