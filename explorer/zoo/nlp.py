"""Zoo recipes for language tasks: tiny BERT, GPT-2, BART and T5 checkpoints."""

from __future__ import annotations

from pathlib import Path

from explorer.zoo import Recipe
from explorer.zoo.common import (
    EXAMPLE_LABELS,
    NER_LABELS,
    TINY,
    bart_tokenizer,
    bert_tokenizer,
    bpe_tokenizer,
    label_maps,
    save_random,
)

SENTENCE = "the teacher and the student read a good book in paris"


def _bert(auto_class: str, **config_kwargs: object):
    def build(directory: Path) -> None:
        from transformers import AutoConfig

        tok = bert_tokenizer()
        config = AutoConfig.for_model("bert", vocab_size=len(tok), max_position_embeddings=64,
                                      **TINY, **config_kwargs)
        save_random(directory, auto_class, config, tok)
    return build


def _gpt2(directory: Path) -> None:
    from transformers import AutoConfig

    tok = bpe_tokenizer()
    config = AutoConfig.for_model("gpt2", vocab_size=len(tok), n_positions=64, n_embd=32, n_layer=2,
                                  n_head=2, bos_token_id=tok.eos_token_id,
                                  eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id)
    save_random(directory, "AutoModelForCausalLM", config, tok)


def _bart(directory: Path) -> None:
    from transformers import AutoConfig

    tok = bart_tokenizer()
    config = AutoConfig.for_model(
        "bart", vocab_size=len(tok), d_model=32, encoder_layers=2, decoder_layers=2,
        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=64,
        decoder_ffn_dim=64, max_position_embeddings=64, pad_token_id=tok.pad_token_id,
        bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
        decoder_start_token_id=tok.eos_token_id, forced_eos_token_id=tok.eos_token_id)
    model = save_random(directory, "AutoModelForSeq2SeqLM", config, tok)
    # Random weights pick </s> first, which would make every demo generation empty.
    model.generation_config.min_new_tokens = 6
    model.generation_config.save_pretrained(directory)


RECIPES = [
    Recipe("text-classification", "AutoModelForSequenceClassification",
           _bert("AutoModelForSequenceClassification", **label_maps(EXAMPLE_LABELS)),
           "tiny BERT with a 2-label sentiment head",
           {"text": "this movie was very good"}),
    Recipe("token-classification", "AutoModelForTokenClassification",
           _bert("AutoModelForTokenClassification", **label_maps(NER_LABELS)),
           "tiny BERT with a BIO named-entity head", {"text": SENTENCE}),
    Recipe("question-answering", "AutoModelForQuestionAnswering",
           _bert("AutoModelForQuestionAnswering"), "tiny BERT with a span (start/end) head",
           {"question": "where is the book", "context": SENTENCE}),
    Recipe("fill-mask", "AutoModelForMaskedLM", _bert("AutoModelForMaskedLM"),
           "tiny BERT with its masked-LM head", {"text": "paris is the [MASK] of france"}),
    Recipe("multiple-choice", "AutoModelForMultipleChoice", _bert("AutoModelForMultipleChoice"),
           "tiny BERT with a multiple-choice head",
           {"text": "the cat sat on the", "labels": ["mat", "sky", "moon"]}),
    Recipe("next-sentence-prediction", "AutoModelForNextSentencePrediction",
           _bert("AutoModelForNextSentencePrediction"), "tiny BERT with its NSP head",
           {"text": "the cat sat on the mat", "text_pair": "it was a happy cat"}),
    Recipe("text-encoding", "AutoModelForTextEncoding", _bert("AutoModelForTextEncoding"),
           "tiny BERT text encoder", {"text": ["a cat sat on the mat", "a dog sat on the rug"]}),
    Recipe("feature-extraction", "AutoModel", _bert("AutoModel"), "tiny bare BERT",
           {"text": ["a cat sat on the mat", "a dog sat on the rug", "stock markets fell"]}),
    Recipe("pretraining", "AutoModelForPreTraining", _bert("AutoModelForPreTraining"),
           "tiny BERT with its pre-training heads (masked LM + NSP)",
           {"text": "the cat sat on the mat"}),
    Recipe("text-generation", "AutoModelForCausalLM", _gpt2, "tiny GPT-2",
           {"text": "the student read a"}),
    Recipe("text2text-generation", "AutoModelForSeq2SeqLM", _bart, "tiny BART encoder-decoder",
           {"text": "the cat sat on the mat"}),
]
