"""Visual question answering heads: a score per known answer (ViLT) or generated text (BLIP)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from explorer.heads._common import label_names, to_numpy, top_labels
from explorer.heads._multimodal import new_tokens, sequence_probability
from explorer.heads._registry import Task
from explorer.heads._text import cut_question
from explorer.results import Answer, Result
from explorer.runner import RunContext
from explorer.snippets.base import Spec, drop_token_types, forward, image_lines, to_device
from explorer.zoo import Recipe
from explorer.zoo.common import TINY, bert_tokenizer, label_maps, save_random
from explorer.zoo.multimodal import IMAGE


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


def answer_visual_question_snippet(spec: Spec) -> list[str]:
    lines = image_lines(spec) + [
        f"question = {spec.inputs.get('question', '')!r}",
        f"inputs = {spec.pre}(images=image, text=question, truncation=True, return_tensors=\"pt\")",
        *to_device(spec)]
    if spec.model_class.can_generate():
        return lines + drop_token_types(spec) + [
            "with torch.inference_mode():",
            f"    out = model.generate(**inputs, max_new_tokens={spec.option('max_new_tokens')}, "
            "output_scores=True, return_dict_in_generate=True)",
            "new_ids = out.sequences[0, -len(out.scores):]",
            "probs = [step[0].float().softmax(-1)[i].item() for step, i in zip(out.scores, "
            "new_ids)]",
            f"reply = {spec.part('tokenizer')}.decode(new_ids, skip_special_tokens=True).strip()",
            "answer = {\"answer\": reply, \"score\": float(torch.tensor(probs).prod())}  "
            "# product of token probabilities",
            "print(answer)",
        ]
    k = spec.option("top_k")
    return lines + forward() + [
        "probs = outputs.logits[0].float().sigmoid()  # a sigmoid per answer: several can be right",
        f"top = probs.topk(min({k}, probs.numel()))",
        "ranked = [(model.config.id2label[i], p) for p, i in zip(top.values.tolist(), "
        "top.indices.tolist())]",
        "answer = {\"answer\": ranked[0][0], \"score\": ranked[0][1], "
        "\"alternatives\": dict(ranked[1:])}",
        "print(answer)",
    ]


VQA_ANSWERS = ("yes", "no", "one", "two", "red", "blue", "woman", "man", "cat", "dog")


def _vilt(directory: Path) -> None:
    from transformers import AutoConfig, ViltImageProcessor, ViltProcessor

    tok = bert_tokenizer(model_max_length=40)
    config = AutoConfig.for_model("vilt", vocab_size=len(tok), max_position_embeddings=40,
                                  image_size=IMAGE, patch_size=8, max_image_length=-1, **TINY,
                                  **label_maps(VQA_ANSWERS))
    images = ViltImageProcessor(  # type: ignore[call-arg]  # kwargs stub incomplete
        size={"shortest_edge": IMAGE}, size_divisor=8)
    save_random(directory, "AutoModelForVisualQuestionAnswering", config,
                ViltProcessor(image_processor=images, tokenizer=tok))


TASKS = [
    Task("AutoModelForVisualQuestionAnswering", run=answer_visual_question,
         snippet=answer_visual_question_snippet, recipes=[
        Recipe("visual-question-answering", "AutoModelForVisualQuestionAnswering", _vilt,
               f"tiny ViLT with a {len(VQA_ANSWERS)}-answer VQA head",
               {"image": "photo.jpg", "question": "what is in the picture"}),
    ]),
]

__all__ = ["TASKS"]
