"""Tiny random checkpoints of any (model type, Auto class) pair, built offline, and the task's
example inputs for them: what the coverage sweep (architecture_coverage.py) runs.

``build`` shrinks ``AutoConfig.for_model`` to a few layers of width 32 and saves the model with the
preprocessors its model type's Auto preprocessor mappings name (built from defaults, with a tiny
trained tokenizer); ``example_inputs`` picks the inputs the explorer's zoo example gives the task.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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
