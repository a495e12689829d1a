"""What the nlp tasks are (pure data; their runners are registered in
``explorer/heads/nlp.py``)."""

from __future__ import annotations

from explorer.catalog import TaskSpec
from explorer.options import DO_SAMPLE, MAX_ANSWER_LENGTH, MAX_NEW_TOKENS, ONLY_NEW, POOLING, TOP_K

SPECS = [
    TaskSpec("AutoModelForSequenceClassification", ("text-classification", "sentiment-analysis"),
             "nlp", ("text", "text_pair"), "classification", "AutoTokenizer",
             "A linear layer on the pooled sequence: one score per label (sentiment, topic, NLI).",
             options=(TOP_K,)),
    TaskSpec("AutoModelForTokenClassification", ("token-classification", "ner"), "nlp",
             ("text",), "tokens", "AutoTokenizer",
             "A label for every token (named entities, parts of speech), merged into spans."),
    TaskSpec("AutoModelForQuestionAnswering", ("question-answering",), "nlp",
             ("question", "context"), "answer", "AutoTokenizer",
             "Start and end scores over the context's tokens: the answer is the best span.",
             options=(MAX_ANSWER_LENGTH,)),
    TaskSpec("AutoModelForMaskedLM", ("fill-mask",), "nlp", ("text",), "fill_mask",
             "AutoTokenizer", "Predicts the hidden word at each mask position from both sides.",
             options=(TOP_K,)),
    TaskSpec("AutoModelForCausalLM", ("text-generation",), "nlp", ("text",), "generation",
             "AutoTokenizer", "Predicts the next token from the ones before it; generates text.",
             options=(MAX_NEW_TOKENS, DO_SAMPLE, ONLY_NEW)),
    TaskSpec("AutoModelForSeq2SeqLM", ("text2text-generation", "translation", "summarization"),
             "nlp", ("text",), "generation", "AutoTokenizer",
             "An encoder reads the input, a decoder writes new text (translate, summarise).",
             options=(MAX_NEW_TOKENS, DO_SAMPLE)),
    TaskSpec("AutoModelForMultipleChoice", ("multiple-choice",), "nlp", ("text", "labels"),
             "classification", "AutoTokenizer",
             "Scores each (prompt, choice) pair and picks the best choice."),
    TaskSpec("AutoModelForNextSentencePrediction", ("next-sentence-prediction",), "nlp",
             ("text", "text_pair"), "classification", "AutoTokenizer",
             "BERT's pre-training head: does sentence B follow sentence A?"),
    TaskSpec("AutoModelForTextEncoding", ("text-encoding",), "nlp", ("text",), "embedding",
             "AutoTokenizer",
             "The text encoder alone (e.g. T5's encoder): one vector per input text.",
             options=(POOLING,)),
]
