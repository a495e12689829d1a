"""Base models without a task head: AutoModel (embeddings) and AutoModelForPreTraining."""

from __future__ import annotations

from typing import Any

import numpy as np

from explorer.catalog import TaskSpec
from explorer.errors import BadInput
from explorer.heads._common import to_numpy
from explorer.results import Embeddings, RawOutput, Result
from explorer.runner import RunContext

POOLINGS = ("mean", "cls", "pooler")


def encode_inputs(ctx: RunContext) -> tuple[dict[str, Any], tuple[str, ...], str]:
    """Preprocess whichever input the model's preprocessor can take: ``(batch, labels, modality)``.

    A base model accepts the modality of its architecture: text for BERT, pixels for ViT, audio
    for wav2vec2. The preprocessor's parts tell which one it is.
    """
    pre = ctx.preprocessor
    given = ctx.inputs.kinds()
    image_processor = getattr(pre, "image_processor", None) or (
        pre if hasattr(pre, "crop_size") or type(pre).__name__.endswith(
            ("ImageProcessor", "ImageProcessorPil")) else None)
    feature_extractor = getattr(pre, "feature_extractor", None) or (
        pre if type(pre).__name__.endswith("FeatureExtractor") else None)
    tokenizer = getattr(pre, "tokenizer", None) or (pre if hasattr(pre, "convert_ids_to_tokens")
                                                    else None)
    if "text" in given and tokenizer is not None:
        texts = list(ctx.inputs.text)
        batch = tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
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


def embed(ctx: RunContext) -> Result:
    """Run the bare model and pool its last hidden state into one vector per input."""
    batch, labels, modality = encode_inputs(ctx)
    pooling = ctx.option("pooling")
    if pooling not in POOLINGS:
        raise BadInput(f"pooling must be one of {', '.join(POOLINGS)}, not {pooling!r}")
    model = ctx.model
    if getattr(ctx.config, "is_encoder_decoder", False) and hasattr(model, "get_encoder"):
        # Seq2seq base models need decoder inputs; embeddings come from the encoder alone.
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
    batch, _, _ = encode_inputs(ctx)
    outputs = ctx.forward(batch)
    shapes = {name: tuple(value.shape) for name, value in outputs.items()
              if hasattr(value, "shape")}
    return RawOutput(outputs=shapes, **ctx.common(outputs, batch.get("input_ids")))


SPECS = [
    TaskSpec("AutoModel", ("feature-extraction",), "base", ("text", "image", "audio"),
             "embedding", "AutoProcessor",
             "The bare network, no head: hidden states, pooled into one vector per input.",
             options=("pooling",), runner=embed),
    TaskSpec("AutoModelForPreTraining", ("pretraining",), "base", ("text", "image", "audio"),
             "raw", "AutoProcessor",
             "The heads the model was pre-trained with (e.g. BERT's masked-LM + NSP).",
             runner=raw_outputs),
    # Described but not run: a numeric series, and prompts with marked options, are inputs the
    # explorer has no panel or zoo checkpoint for yet.
    TaskSpec("AutoModelForTimeSeriesPrediction", ("time-series-forecasting",), "base",
             ("series",), "raw", None,
             "Forecasts the next values of a numeric time series (TimesFM).", runner=None),
    TaskSpec("AutoModelForDecision", ("decision",), "base", ("text", "labels"), "classification",
             "AutoTokenizer",
             "Scores the options of a choice, yes/no or rating question about a prompt (Jev).",
             runner=None),
]
