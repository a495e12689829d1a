"""Base models without a task head: AutoModel (embeddings) and AutoModelForPreTraining."""

from __future__ import annotations

from typing import Any

import numpy as np

from explorer.errors import BadInput
from explorer.heads._common import output_shapes, pad_batch, to_numpy
from explorer.heads._registry import Task
from explorer.results import Embeddings, RawOutput, Result
from explorer.runner import RunContext
from explorer.snippets.base import (
    Spec,
    audio_batch,
    embeddings_print,
    forward,
    image_batch,
    shapes_print,
    to_device,
)
from explorer.zoo import Recipe
from explorer.zoo.common import bert_build

POOLINGS = ("mean", "cls", "pooler")
# A dual encoder (CLIP, SigLIP, CLAP, BLIP...) embeds each modality with its own tower into one
# shared space; these methods return the projected vectors.
FEATURE_METHODS = {"text": "get_text_features", "image": "get_image_features",
                   "audio": "get_audio_features"}


def _parts(ctx: RunContext) -> dict[str, Any]:
    """``{"text": tokenizer, "image": image processor, "audio": feature extractor}`` of the
    checkpoint (None where it has no such part)."""
    return {"text": ctx.part("tokenizer"), "image": ctx.part("image_processor"),
            "audio": ctx.part("feature_extractor")}


def encode_inputs(ctx: RunContext) -> tuple[dict[str, Any], tuple[str, ...], str]:
    """Preprocess whichever input the model's preprocessor can take: ``(batch, labels, modality)``.

    A base model accepts the modality of its architecture: text for BERT, pixels for ViT, audio
    for wav2vec2. The preprocessor's parts tell which one it is.
    """
    parts = _parts(ctx)
    given = ctx.inputs.kinds()
    tokenizer, image_processor, feature_extractor = parts["text"], parts["image"], parts["audio"]
    if "text" in given and tokenizer is not None:
        texts = list(ctx.inputs.text)
        batch = tokenizer(texts, padding=pad_batch(ctx, tokenizer, len(texts)), truncation=True,
                          return_tensors="pt")
        ctx.truncation_note(batch, texts)
        return dict(batch), tuple(texts), "text"
    if "image" in given and image_processor is not None:
        batch = image_processor(images=ctx.inputs.image, return_tensors="pt")
        return dict(batch), (ctx.inputs.image_name or "image",), "image"
    if "audio" in given and feature_extractor is not None:
        rate = feature_extractor.sampling_rate
        batch = feature_extractor(ctx.audio_at(rate), sampling_rate=rate, return_tensors="pt")
        return dict(batch), (ctx.inputs.audio_name or "audio",), "audio"
    can = [kind for kind, part in (("text", tokenizer), ("image", image_processor),
                                   ("audio", feature_extractor)) if part is not None]
    raise BadInput(f"this checkpoint takes {' or '.join(can) or 'no input the explorer knows'}; "
                   f"give that input (CLI: {' or '.join('--' + c for c in can) or '--text'})")


def _pool(hidden: Any, mask: Any, pooling: str, pooler_output: Any) -> np.ndarray:
    """One vector per input from ``(batch, seq, dim)`` or conv ``(batch, ch, h, w)`` features."""
    if pooling == "pooler" and pooler_output is not None:
        pooled = to_numpy(pooler_output)
        return pooled.reshape(pooled.shape[0], -1)
    features = to_numpy(hidden)
    if features.ndim == 4:  # conv feature map: average over space
        return features.mean(axis=(2, 3))
    if pooling == "cls":
        return features[:, 0]
    if mask is not None and mask.ndim == 2 and mask.shape[1] == features.shape[1]:
        weights = to_numpy(mask)[..., None]
        return (features * weights).sum(1) / np.clip(weights.sum(1), 1e-9, None)
    return features.mean(axis=1)


def _dual_encoder_kinds(ctx: RunContext) -> list[str]:
    """The given modalities a dual encoder embeds into its shared space ([] for other models)."""
    model = ctx.model
    if not hasattr(model, FEATURE_METHODS["text"]) or not any(
            hasattr(model, FEATURE_METHODS[k]) for k in ("image", "audio")):
        return []
    parts = _parts(ctx)
    return [k for k in FEATURE_METHODS if k in ctx.inputs.kinds() and parts[k] is not None
            and hasattr(model, FEATURE_METHODS[k])]


def _features(ctx: RunContext, kind: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """Projected vectors of one modality from a dual encoder's own ``get_*_features``."""
    import inspect

    import torch

    part = _parts(ctx)[kind]
    if kind == "text":
        texts = list(ctx.inputs.text)
        batch = part(texts, padding=pad_batch(ctx, part, len(texts)), truncation=True,
                     return_tensors="pt")
        labels = tuple(texts)
    elif kind == "image":
        batch = part(images=ctx.inputs.image, return_tensors="pt")
        labels = (ctx.inputs.image_name or "image",)
    else:
        rate = part.sampling_rate
        batch = part(ctx.audio_at(rate), sampling_rate=rate, return_tensors="pt")
        labels = (ctx.inputs.audio_name or "audio",)
    method = getattr(ctx.model, FEATURE_METHODS[kind])
    takes = {n for n, p in inspect.signature(method).parameters.items()
             if p.kind is not p.VAR_KEYWORD}
    with torch.inference_mode():
        out = method(**{k: v for k, v in ctx.to_model(dict(batch)).items() if k in takes})
    vectors = out if isinstance(out, torch.Tensor) else getattr(out, "pooler_output", None)
    if vectors is None:
        vectors = out[0]
    vectors = to_numpy(vectors)
    return vectors.reshape(vectors.shape[0], -1), labels


def dual_embed(ctx: RunContext, kinds: list[str]) -> Result:
    """A dual encoder: each given modality through its own tower, into one space, so the view's
    similarity matrix compares texts with images (or audio)."""
    vectors, labels = [], []
    for kind in kinds:
        v, names = _features(ctx, kind)
        vectors.append(v)
        labels += [f"{kind}: {name}" for name in names]
    stacked = np.concatenate(vectors)
    if len(kinds) == 1:
        other = [k for k in FEATURE_METHODS if k != kinds[0] and hasattr(ctx.model,
                                                                        FEATURE_METHODS[k])]
        ctx.notes.append(f"dual encoder: give {' or '.join(other)} too to compare "
                         f"{kinds[0]} with {' or '.join(other)} in the shared space")
    else:
        ctx.notes.append(f"dual encoder: {' and '.join(kinds)} embedded by their own towers into "
                         "one shared space; the similarity compares them")
    return Embeddings(shape=stacked.shape, pooling="projection", labels=tuple(labels),
                      vectors=stacked, **ctx.common())


def embed(ctx: RunContext) -> Result:
    """Run the bare model and pool its last hidden state into one vector per input."""
    pooling = ctx.option("pooling")
    if pooling not in POOLINGS:
        raise BadInput(f"pooling must be one of {', '.join(POOLINGS)}, not {pooling!r}")
    dual = _dual_encoder_kinds(ctx)
    if dual:
        return dual_embed(ctx, dual)
    batch, labels, modality = encode_inputs(ctx)
    model = ctx.model
    # Text / audio seq2seq base models need decoder inputs; their embeddings come from the
    # encoder alone. Image encoder-decoders (DETR) decode learned queries: the full forward runs.
    if getattr(ctx.config, "is_encoder_decoder", False) and hasattr(model, "get_encoder") and \
            modality != "image":
        ctx.notes.append("encoder-decoder model: vectors come from the encoder")
        encoder = model.get_encoder()
        import torch

        with torch.inference_mode():
            outputs = encoder(**ctx.to_model(batch))
    else:
        outputs = ctx.forward(batch)
    hidden = getattr(outputs, "last_hidden_state", None)
    if hidden is None:
        hidden = outputs[0]
    vectors = _pool(hidden, batch.get("attention_mask") if modality == "text" else None, pooling,
                    getattr(outputs, "pooler_output", None))
    return Embeddings(shape=tuple(hidden.shape), pooling=pooling, labels=labels, vectors=vectors,
                      **ctx.common(outputs, batch.get("input_ids")))


def raw_outputs(ctx: RunContext) -> Result:
    """Pre-training heads differ per architecture: show what comes out, by name and shape."""
    batch, _, modality = encode_inputs(ctx)
    if getattr(ctx.config, "is_encoder_decoder", False) and modality != "image" and \
            "decoder_input_ids" not in batch:
        batch["decoder_input_ids"] = decoder_start(ctx, len(next(iter(batch.values()))))
        ctx.notes.append("encoder-decoder model: the decoder was given only its start token")
    outputs = ctx.forward(batch)
    return RawOutput(outputs=output_shapes(outputs), **ctx.common(outputs, batch.get("input_ids")))


def decoder_start(ctx: RunContext, count: int) -> Any:
    """``(count, 1)`` decoder input ids holding the model's decoder start token."""
    import torch

    config = ctx.config
    sources = (config, getattr(config, "decoder", None), ctx.model.generation_config
               if hasattr(ctx.model, "generation_config") else None)
    start = next((v for src in sources if src is not None for name in
                  ("decoder_start_token_id", "pad_token_id", "bos_token_id")
                  if isinstance(v := getattr(src, name, None), int)), 0)
    return torch.full((count, 1), start, dtype=torch.long)


def _pooling(spec: Spec, mask: bool) -> list[str]:
    pooling = spec.option("pooling")
    if pooling == "pooler":
        return ["embeddings = outputs.pooler_output  # the model's own pooling head"]
    lines = ["hidden = outputs.last_hidden_state"]
    if pooling == "cls":
        return lines + ["embeddings = hidden[:, 0]  # the first ([CLS]) token"]
    if mask:
        return lines + [
            "mask = inputs[\"attention_mask\"].unsqueeze(-1).to(hidden.dtype)",
            "embeddings = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)  "
            "# mean of real tokens"]
    return lines + ["embeddings = hidden.mean(dim=1)",
                    "if hidden.ndim == 4:  # a conv feature map: average over space",
                    "    embeddings = hidden.mean(dim=(2, 3))"]


def _base_inputs(spec: Spec) -> list[str]:
    """The input the base model's preprocessor takes: texts, else an image, else audio."""
    if spec.texts:
        return [f"texts = {spec.texts!r}",
                f"inputs = {spec.part('tokenizer')}(texts, padding=True, truncation=True, "
                "return_tensors=\"pt\")", *to_device(spec)]
    if "image" in spec.inputs:
        return image_batch(spec)
    return audio_batch(spec)


def embed_snippet(spec: Spec) -> list[str]:
    """AutoModel / AutoModelForTextEncoding: hidden states pooled into one vector per input."""
    encoder = getattr(spec.config, "is_encoder_decoder", False)
    call = ["with torch.inference_mode():",
            "    outputs = model.get_encoder()(**inputs)  # encoder-decoder: the encoder's vectors"
            if encoder else "    outputs = model(**inputs)"]
    return _base_inputs(spec) + call + _pooling(spec, mask=bool(spec.texts)) + embeddings_print()


def raw_outputs_snippet(spec: Spec) -> list[str]:
    return _base_inputs(spec) + forward() + shapes_print()


TASKS = [
    Task("AutoModel", run=embed, snippet=embed_snippet, recipes=[
        Recipe("feature-extraction", "AutoModel", bert_build("AutoModel"), "tiny bare BERT",
               {"text": ["a cat sat on the mat", "a dog sat on the rug", "stock markets fell"]}),
    ]),
    Task("AutoModelForPreTraining", run=raw_outputs, snippet=raw_outputs_snippet, recipes=[
        Recipe("pretraining", "AutoModelForPreTraining", bert_build("AutoModelForPreTraining"),
               "tiny BERT with its pre-training heads (masked LM + NSP)",
               {"text": "the cat sat on the mat"}),
    ]),
]

__all__ = ["TASKS"]
