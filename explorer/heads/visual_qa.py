"""Visual question answering heads: a score per known answer (ViLT) or generated text (BLIP)."""

from __future__ import annotations

from typing import Any

import numpy as np

from explorer.catalog import TaskSpec
from explorer.heads._common import label_names, to_numpy, top_labels
from explorer.heads._multimodal import new_tokens, sequence_probability
from explorer.heads._text import cut_question
from explorer.results import Answer, Result
from explorer.runner import RunContext


def _generated_answer(ctx: RunContext, encoded: Any, question: str) -> Answer:
    """Generative VQA (BLIP): the answer is decoded text; its score is the product of the
    probabilities of its tokens."""
    out = ctx.generate(encoded,
                       max_new_tokens=ctx.option("max_new_tokens"),
                       output_scores=True, return_dict_in_generate=True)
    new_ids = new_tokens(out)
    probs = sequence_probability(out.scores, new_ids)
    return Answer(answer=ctx.tokenizer.decode(new_ids, skip_special_tokens=True).strip(),
                  score=float(np.prod(probs)) if probs else 0.0, question=question,
                  **ctx.common(None, encoded.get("input_ids")))


def answer_visual_question(ctx: RunContext) -> Result:
    """Classifier VQA (ViLT: a score per answer in ``id2label``) or generative VQA (BLIP)."""
    ctx.require("image", "question")
    assert ctx.inputs.question is not None  # required just above
    question = cut_question(ctx, ctx.inputs.question)
    encoded = ctx.preprocessor(images=ctx.inputs.image, text=question, truncation=True,
                               return_tensors="pt")
    if ctx.model.can_generate():
        return _generated_answer(ctx, encoded, question)
    outputs = ctx.forward(encoded)
    logits = to_numpy(outputs.logits)[0]
    names = label_names(ctx.config, logits.shape[-1])
    # The answer heads are trained with a per-answer sigmoid (several answers can be right).
    ranked = top_labels(logits, names, ctx.option("top_k"), multi_label=True)
    return Answer(answer=ranked[0].label, score=ranked[0].score, question=question,
                  alternatives=ranked[1:], **ctx.common(outputs, encoded["input_ids"]))




SPECS = [
    TaskSpec("AutoModelForVisualQuestionAnswering", ("visual-question-answering", "vqa"),
             "multimodal", ("image", "question"), "answer", "AutoProcessor",
             "Answers a question about an image: a score per known answer (ViLT) or generated "
             "text (BLIP).",
             options=("top_k", "max_new_tokens"), runner=answer_visual_question),
]

__all__ = ["SPECS"]
