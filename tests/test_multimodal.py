"""Multimodal tasks end to end on the zoo: zero-shot image classification and detection, visual,
document and table QA, image-text-to-text and multimodal-LM generation, and their error paths."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import explorer
from explorer import render
from explorer.errors import BadInput
from explorer.results import Answer, Classification, Detections, Generation
from explorer.zoo import EXAMPLES_DIR, example_kwargs

PHOTO = str(EXAMPLES_DIR / "photo.jpg")


def _run(name: str, manifest: dict, task: str | None = None, **changes: object):
    """Run a zoo entry on its example input, with some inputs / options changed."""
    entry = manifest[name]
    kwargs = {**example_kwargs(entry["example"]), **changes}
    return explorer.run(f"zoo:{name}", task or entry["auto_class"], **kwargs)


def _common(result, auto_class: str, manifest: dict) -> dict:
    """Shared checks: typed, marked as what its checkpoint is, JSON-safe; returns to_dict()."""
    data = result.to_dict()
    json.dumps(data, allow_nan=False)
    assert data["task"] == auto_class
    kind = manifest[result.checkpoint.removeprefix("zoo:")]["kind"]  # random, or a trained toy
    assert data["checkpoint_kind"] == kind and data["random_weights"] is (kind == "random")
    assert data["type"] == explorer.get_task(auto_class).result
    return data


# ---------------------------------------------------------------------------- catalog


def test_every_multimodal_spec_has_a_runner_and_a_zoo_checkpoint(manifest: dict) -> None:
    specs = explorer.tasks("multimodal")
    assert {s.auto_class for s in specs} >= {
        "AutoModelForZeroShotImageClassification", "AutoModelForZeroShotObjectDetection",
        "AutoModelForVisualQuestionAnswering", "AutoModelForDocumentQuestionAnswering",
        "AutoModelForTableQuestionAnswering", "AutoModelForImageTextToText",
        "AutoModelForMultimodalLM"}
    for spec in specs:
        assert spec.runner is not None and spec.described
        assert manifest[spec.task]["auto_class"] == spec.auto_class


def test_multimodal_lm_maps_every_image_text_to_text_model_and_more() -> None:
    itt = set(explorer.get_task("image-text-to-text").model_types)
    mlm = set(explorer.get_task("any-to-any").model_types)
    assert itt < mlm
    assert explorer.get_task("vqa").auto_class == "AutoModelForVisualQuestionAnswering"
    assert explorer.get_task("image-to-text").auto_class == "AutoModelForImageTextToText"


# ---------------------------------------------------------------------------- zero-shot image


def test_zero_shot_image_classification_scores_every_label(manifest: dict) -> None:
    result = _run("zero-shot-image-classification", manifest)
    labels = manifest["zero-shot-image-classification"]["example"]["labels"]
    assert isinstance(result, Classification) and result.model_class == "CLIPModel"
    data = _common(result, "AutoModelForZeroShotImageClassification", manifest)
    assert sorted(item["label"] for item in data["labels"]) == sorted(labels)
    scores = [item["score"] for item in data["labels"]]
    assert scores == sorted(scores, reverse=True)
    assert sum(scores) == pytest.approx(1.0, abs=1e-5)  # softmax over the candidate labels
    assert result.logits.shape == (len(labels),) and result.label_names == tuple(labels)
    best = int(np.argmax(result.logits))
    assert data["labels"][0]["label"] == labels[best]


def test_zero_shot_image_classification_options(manifest: dict) -> None:
    result = _run("zero-shot-image-classification", manifest, top_k=2,
                  hypothesis_template="a picture of {}")
    assert len(result.labels) == 2
    with pytest.raises(BadInput, match=r"\{\}"):
        _run("zero-shot-image-classification", manifest, hypothesis_template="a picture")


@pytest.mark.parametrize("name", ["zero-shot-image-classification", "zero-shot-object-detection"])
def test_zero_shot_tasks_need_labels(name: str, manifest: dict) -> None:
    with pytest.raises(BadInput, match="labels"):
        _run(name, manifest, labels=None)


# ---------------------------------------------------------------------------- zero-shot detection


def test_zero_shot_detection_boxes_lie_inside_the_image(manifest: dict) -> None:
    result = _run("zero-shot-object-detection", manifest)
    example = manifest["zero-shot-object-detection"]["example"]
    width, height = Image.open(example_kwargs(example)["image"]).size
    assert isinstance(result, Detections) and result.model_class == "OwlViTForObjectDetection"
    data = _common(result, "AutoModelForZeroShotObjectDetection", manifest)
    assert data["image_size"] == [width, height]
    assert data["threshold"] == example["options"]["threshold"]
    assert data["objects"], "the example threshold should keep some boxes"
    scores = [o["score"] for o in data["objects"]]
    assert scores == sorted(scores, reverse=True)
    for obj in data["objects"]:
        x0, y0, x1, y1 = obj["box"]
        assert 0 <= x0 <= x1 <= width and 0 <= y0 <= y1 <= height
        assert obj["score"] > result.threshold
        assert obj["label"] in example["labels"]


def test_zero_shot_detection_threshold_filters(manifest: dict) -> None:
    low = _run("zero-shot-object-detection", manifest, options={"threshold": 0.0})
    high = _run("zero-shot-object-detection", manifest, options={"threshold": 0.999})
    assert len(high.objects) < len(low.objects)
    assert all(o.score > 0.999 for o in high.objects)


# ---------------------------------------------------------------------------- visual QA


def test_vqa_classifier_ranks_known_answers(zoo: Path, manifest: dict) -> None:
    result = _run("visual-question-answering", manifest)
    config = json.loads((zoo / "visual-question-answering" / "config.json").read_text())
    answers = set(config["id2label"].values())
    assert isinstance(result, Answer) and result.model_class == "ViltForQuestionAnswering"
    data = _common(result, "AutoModelForVisualQuestionAnswering", manifest)
    question = manifest["visual-question-answering"]["example"]["question"]
    assert data["answer"] in answers and data["question"] == question
    assert len(data["alternatives"]) == 4  # top_k=5 by default: the answer + 4 others
    scores = [data["score"]] + [a["score"] for a in data["alternatives"]]
    assert scores == sorted(scores, reverse=True) and all(0 < s < 1 for s in scores)
    assert {a["label"] for a in data["alternatives"]} <= answers - {data["answer"]}


def test_vqa_needs_a_question(manifest: dict) -> None:
    with pytest.raises(BadInput, match="question"):
        _run("visual-question-answering", manifest, question=None)


def test_vqa_generative_with_blip(zoo: Path) -> None:
    result = explorer.run(str(zoo / "image-text-to-text"), "visual-question-answering",
                          image=PHOTO, question="what is this", max_new_tokens=4)
    assert isinstance(result, Answer) and result.model_class == "BlipForQuestionAnswering"
    assert isinstance(result.answer, str) and 0.0 <= result.score <= 1.0


# ---------------------------------------------------------------------------- document QA


def test_document_qa_answers_with_words_of_the_page(manifest: dict) -> None:
    result = _run("document-question-answering", manifest)
    context = manifest["document-question-answering"]["example"]["context"]
    assert isinstance(result, Answer) and result.model_class == "LayoutLMv3ForQuestionAnswering"
    data = _common(result, "AutoModelForDocumentQuestionAnswering", manifest)
    assert data["answer"] and data["context"] == context
    assert context[data["start"]:data["end"]] == data["answer"]
    assert 0 < data["score"] <= 1
    assert result.start_logits.shape == result.end_logits.shape
    assert any("stand-in boxes" in n for n in data["notes"])
    assert result.words == tuple(context.split()) and result.word_boxes == ()  # no page layout
    assert "page" not in render.views(result)


def test_document_qa_without_words_says_how_to_give_them(manifest: dict) -> None:
    from explorer.heads.document_qa import _ocr_available

    if _ocr_available():
        pytest.skip("Tesseract is installed: the page is read by OCR")
    with pytest.raises(BadInput, match="context"):
        _run("document-question-answering", manifest, context=None)
    with pytest.raises(BadInput, match="question"):
        _run("document-question-answering", manifest, question=None)


def test_document_qa_with_layoutlm_v1(tmp_path: Path) -> None:
    """LayoutLM (v1) reads words + boxes through a BERT tokenizer; no pixels."""
    from transformers import AutoConfig

    from explorer.zoo.common import TINY, bert_tokenizer, save_random

    tok = bert_tokenizer()
    config = AutoConfig.for_model("layoutlm", vocab_size=len(tok), max_position_embeddings=64,
                                  **TINY)
    save_random(tmp_path, "AutoModelForDocumentQuestionAnswering", config, tok)
    context = "the total is nine and the date is today"
    result = explorer.run(str(tmp_path), "document-question-answering", question="what total",
                          context=context)
    assert result.model_class == "LayoutLMForQuestionAnswering"
    assert result.answer and context[result.start:result.end] == result.answer


def test_reading_order_boxes_stay_on_the_page() -> None:
    from explorer.heads.document_qa import _reading_order_boxes

    boxes = _reading_order_boxes(["word"] * 300)
    assert len(boxes) == 300
    assert all(0 <= x0 < x1 <= 1000 and 0 <= y0 < y1 <= 1000 for x0, y0, x1, y1 in boxes)


# ---------------------------------------------------------------------------- table QA


def _cells(answer: str) -> list[str]:
    return answer.split(" > ", 1)[-1].split(", ") if answer else []


def test_table_qa_selects_cells_of_the_table(manifest: dict) -> None:
    result = _run("table-question-answering", manifest)
    example = manifest["table-question-answering"]["example"]["table"]
    table = explorer.make_inputs(table=str(EXAMPLES_DIR / example)).table
    cells = {cell for column in table.values() for cell in column}
    assert isinstance(result, Answer) and result.model_class == "TapasForQuestionAnswering"
    data = _common(result, "AutoModelForTableQuestionAnswering", manifest)
    assert set(_cells(data["answer"])) <= cells
    assert {a["label"] for a in data["alternatives"]} == {"NONE", "SUM", "AVERAGE", "COUNT"}
    agg = [a["score"] for a in data["alternatives"]]
    assert agg == sorted(agg, reverse=True) and sum(agg) == pytest.approx(1.0, abs=1e-5)


def test_table_qa_threshold(manifest: dict) -> None:
    every = _run("table-question-answering", manifest, options={"threshold": 0.0})
    assert len(_cells(every.answer)) == 9  # inventory.csv: 3 rows x 3 columns
    assert 0 < every.score < 1
    none = _run("table-question-answering", manifest, options={"threshold": 1.0})
    assert none.answer == "" and none.score == 0.0
    assert any("threshold" in n for n in none.notes)


def test_table_qa_bad_tables(manifest: dict, tmp_path: Path) -> None:
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("city,country\nParis,France,extra\nBerlin\n")
    with pytest.raises(BadInput, match="cells"):
        _run("table-question-answering", manifest, table=str(ragged))
    with pytest.raises(BadInput, match="header"):
        _run("table-question-answering", manifest, table="city,country\n")
    with pytest.raises(BadInput, match="table"):
        _run("table-question-answering", manifest, table=None)


def test_table_qa_takes_a_dict_table(manifest: dict) -> None:
    result = _run("table-question-answering", manifest, table={"name": ["ada", "grace"],
                                                               "year": ["1815", "1906"]},
                  options={"threshold": 0.0})
    assert set(_cells(result.answer)) == {"ada", "grace", "1815", "1906"}


# ---------------------------------------------------------------------------- generation


def test_image_text_to_text_continues_the_prompt(manifest: dict) -> None:
    result = _run("image-text-to-text", manifest, max_new_tokens=5)
    assert isinstance(result, Generation)
    assert result.model_class == "BlipForConditionalGeneration"
    data = _common(result, "AutoModelForImageTextToText", manifest)
    assert data["prompt"] == "a picture of" and data["text"].startswith("a picture of ")
    assert 0 < len(data["generated_tokens"]) == len(data["token_scores"]) <= 5
    assert all(0 < p <= 1 for p in data["token_scores"])


def test_image_text_to_text_captions_without_a_prompt(manifest: dict) -> None:
    result = _run("image-text-to-text", manifest, text=None, max_new_tokens=3)
    assert result.prompt == "" and result.text and len(result.generated_tokens) <= 3
    with pytest.raises(BadInput, match="image"):
        _run("image-text-to-text", manifest, image=None)


def test_image_text_to_text_with_git(tmp_path: Path) -> None:
    """GIT's processor returns token_type_ids that its generate() refuses: they are dropped."""
    from transformers import AutoConfig, CLIPImageProcessor, GitProcessor

    from explorer.zoo.common import TINY, bert_tokenizer, save_random
    from explorer.zoo.multimodal import VISION

    tok = bert_tokenizer()
    config = AutoConfig.for_model("git", vision_config=VISION, vocab_size=len(tok),
                                  max_position_embeddings=64, **TINY,
                                  bos_token_id=tok.cls_token_id, eos_token_id=tok.sep_token_id,
                                  pad_token_id=tok.pad_token_id)
    images = CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
    save_random(tmp_path, "AutoModelForImageTextToText", config,
                GitProcessor(image_processor=images, tokenizer=tok))
    result = explorer.run(str(tmp_path), "image-text-to-text", image=PHOTO, text="a cat",
                          max_new_tokens=3)
    assert result.model_class == "GitForCausalLM" and result.text.startswith("a cat")


def test_multimodal_lm_uses_the_chat_template(manifest: dict) -> None:
    result = _run("any-to-any", manifest, max_new_tokens=4)
    assert isinstance(result, Generation)
    assert result.model_class == "LlavaForConditionalGeneration"
    data = _common(result, "AutoModelForMultimodalLM", manifest)
    assert data["prompt"] == "what is in the picture"
    assert any("chat template" in n for n in data["notes"])
    assert 0 < len(data["generated_tokens"]) == len(data["token_scores"]) <= 4


def test_multimodal_lm_raw_prompt_and_text_only(manifest: dict) -> None:
    raw = _run("any-to-any", manifest, text="<image>\nuser: what is it\nassistant:",
               max_new_tokens=2)
    assert not any("chat template" in n for n in raw.notes)
    text_only = _run("any-to-any", manifest, image=None, text="hello", max_new_tokens=2)
    assert text_only.generated_tokens


def test_multimodal_lm_bad_inputs(manifest: dict) -> None:
    with pytest.raises(BadInput, match="audio"):
        _run("any-to-any", manifest, audio=np.zeros(1600, dtype=np.float32),
             sampling_rate=16000)
    with pytest.raises(BadInput, match="needs an input"):
        _run("any-to-any", manifest, image=None, text=None)
    with pytest.raises(BadInput, match="do not apply"):
        _run("any-to-any", manifest, threshold=0.5)


def test_multimodal_lm_with_audio(tmp_path: Path, examples: Path) -> None:
    """A Qwen2-Audio-style checkpoint: the audio goes through the processor's feature extractor
    at its own rate, with an audio placeholder from the chat template."""
    from transformers import AutoConfig, Qwen2AudioProcessor, WhisperFeatureExtractor

    from explorer.zoo.common import bpe_tokenizer, save_random

    tok = bpe_tokenizer(model_max_length=256, extra_special_tokens={
        "audio_token": "<|AUDIO|>", "audio_bos_token": "<|audio_bos|>",
        "audio_eos_token": "<|audio_eos|>"})
    tok.add_special_tokens({"additional_special_tokens": ["<|im_start|>", "<|im_end|>"]})
    features = WhisperFeatureExtractor(feature_size=80, chunk_length=2)  # 2 s windows
    text = AutoConfig.for_model("qwen2", vocab_size=len(tok), hidden_size=32, intermediate_size=64,
                                num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=2,
                                max_position_embeddings=256, eos_token_id=tok.eos_token_id,
                                pad_token_id=tok.pad_token_id)
    audio = AutoConfig.for_model("qwen2_audio_encoder", d_model=32, encoder_layers=2,
                                 encoder_attention_heads=2, encoder_ffn_dim=64, num_mel_bins=80,
                                 max_source_positions=features.nb_max_frames // 2)
    config = AutoConfig.for_model("qwen2_audio", audio_config=audio, text_config=text,
                                  audio_token_index=tok.convert_tokens_to_ids("<|AUDIO|>"))
    save_random(tmp_path, "AutoModelForMultimodalLM", config,
                Qwen2AudioProcessor(feature_extractor=features, tokenizer=tok))
    result = explorer.run(str(tmp_path), "any-to-any", audio=str(examples / "speech.wav"),
                          text="what is said", max_new_tokens=3)
    assert result.model_class == "Qwen2AudioForConditionalGeneration"
    assert 0 < len(result.generated_tokens) <= 3
    assert any("resampled" in n and "16000 Hz" in n for n in result.notes)
    assert any("chat template" in n for n in result.notes)
    with pytest.raises(BadInput, match="image"):
        explorer.run(str(tmp_path), "any-to-any", image=PHOTO, text="what is this")
