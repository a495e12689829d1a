"""The course package: every exercise check accepts the right answer and rejects the mistakes it
targets; quizzes mark right and wrong; diagrams draw the library's own names; views render."""

from __future__ import annotations

import re
from itertools import groupby
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import nbformat
import pytest
import torch

from explorer import course

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def _zoo(name: str) -> str:
    return course.checkpoints({name: ""})[name]


def _assert_check(exercise: str, right: Any, wrong: list[Any], **context: Any) -> None:
    assert course.verdict(exercise, right, **context) is None, f"{exercise} rejected {right!r}"
    for answer in wrong:
        hint = course.verdict(exercise, answer, **context)
        assert isinstance(hint, str) and hint, f"{exercise} accepted the wrong answer {answer!r}"


def _greedy_new_text(checkpoint: str, prompt: str, tokens: int) -> tuple[str, str]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(checkpoint)
    model = AutoModelForCausalLM.from_pretrained(checkpoint)
    batch = tokenizer(prompt, return_tensors="pt")
    with torch.inference_mode():
        ids = model.generate(**batch, max_new_tokens=tokens, do_sample=False)[0]
    return (tokenizer.decode(ids[batch["input_ids"].shape[1]:], skip_special_tokens=True),
            tokenizer.decode(ids, skip_special_tokens=True))


# ---------------------------------------------------------------------------- 01 – 03


def test_checks_01(zoo: Path) -> None:
    import explorer

    _assert_check("01.predict-class", "RobertaForTokenClassification",
                  ["RobertaForMaskedLM", "AutoModelForTokenClassification",
                   "BertForTokenClassification", "RobertaModel", 3])
    tasks = {explorer.get_task(a).task for a in explorer.resolve(_zoo("text-generation")).tasks}
    assert "text-generation" in tasks and len(tasks) >= 3
    _assert_check("01.gpt2-tasks", tasks, [{"text-generation"}, tasks - {"text-generation"},
                                           tasks | {"fill-mask"}, "text-generation"])
    _assert_check("01.gpt2-qa-class", "GPT2ForQuestionAnswering",
                  ["GPT2LMHeadModel", "BertForQuestionAnswering", ""])


def test_checks_02(zoo: Path) -> None:
    from transformers import AutoConfig, AutoImageProcessor

    _assert_check("02.decode", "the cat sat on the mat",
                  ["[CLS] the cat sat on the mat [SEP]", "", "the cat", ["the", "cat"]])
    names = ["negative", "neutral", "positive"]
    bert = _zoo("fill-mask")
    right = AutoConfig.from_pretrained(bert, id2label=dict(enumerate(names)),
                                       label2id={n: i for i, n in enumerate(names)})
    _assert_check("02.labels", right, [
        AutoConfig.from_pretrained(bert, num_labels=3),
        AutoConfig.from_pretrained(bert, id2label=dict(enumerate(reversed(names)))),
        {0: "negative"}])
    processor = AutoImageProcessor.from_pretrained(_zoo("image-classification"))
    h, w = processor.size["height"], processor.size["width"]
    _assert_check("02.pixels", (2, 3, h, w), [(1, 3, h, w), (2, h, w, 3), (3, h, w), "2,3"],
                  processor=processor)


def test_checks_03(zoo: Path) -> None:
    _assert_check("03.new-token-head", {"classifier.weight", "classifier.bias"},
                  [{"classifier.weight"}, set(), "classifier.weight",
                   {"classifier.weight", "classifier.bias", "bert.pooler.dense.weight"}])
    _assert_check("03.new-qa-head", ["qa_outputs.weight", "qa_outputs.bias"],
                  [{"classifier.weight", "classifier.bias"}, {"qa_outputs.weight"}])
    gpt2 = _zoo("text-generation")
    prompt = "the small green square is above the"
    new, full = _greedy_new_text(gpt2, prompt, 5)
    assert new.strip() and new.strip() != full.strip()  # the mistakes below are distinguishable
    _assert_check("03.generate", new, [full, "", "the small", prompt], checkpoint=gpt2)


# ---------------------------------------------------------------------------- 04, 04b


def test_checks_04(zoo: Path) -> None:
    from PIL import Image
    from transformers import AutoImageProcessor, AutoModelForObjectDetection

    import explorer

    backbone, photo = _zoo("backbone"), course.example("photo.jpg")
    _assert_check("04.out-features",
                  explorer.run(backbone, image=photo, out_features=["stage2", "stage4"]),
                  [explorer.run(backbone, image=photo, out_indices=[1, 2]), "stage2"])

    detr = _zoo("object-detection")
    processor = AutoImageProcessor.from_pretrained(detr)
    model = AutoModelForObjectDetection.from_pretrained(detr)
    image = Image.open(course.example("shapes.png")).convert("RGB")
    with torch.inference_mode():
        raw = model(**processor(images=image, return_tensors="pt"))
    width, height = image.size

    def by_hand(threshold: float, *, scale: bool = True, corners: bool = True,
                sigmoid: bool = False, keep_all: bool = False) -> dict:
        # sigmoid: the focal-loss detectors' rule (Deformable DETR), not DETR's softmax
        probabilities = raw.logits[0].sigmoid() if sigmoid else raw.logits[0].softmax(-1)
        scores, _ = probabilities[:, :-1].max(-1)
        keep = torch.ones_like(scores, dtype=torch.bool) if keep_all else scores > threshold
        cx, cy, w, h = raw.pred_boxes[0, keep].unbind(-1)
        boxes = (torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], -1) if corners
                 else torch.stack([cx, cy, w, h], -1))
        if scale:
            boxes = boxes * torch.tensor([width, height, width, height])
        return {"scores": scores[keep], "boxes": boxes}

    median = float(raw.logits[0].softmax(-1)[:, :-1].max(-1).values.median())
    for threshold in (0.0, median):
        context = {"raw": raw, "processor": processor, "image_size": image.size,
                   "threshold": threshold}
        wrong = [by_hand(threshold, scale=False), by_hand(threshold, corners=False),
                 {"boxes": by_hand(threshold)["boxes"]}, raw.pred_boxes]
        if threshold:
            wrong.append(by_hand(threshold, keep_all=True))
        else:
            wrong.append(by_hand(threshold, sigmoid=True))
        _assert_check("04.detr-by-hand", by_hand(threshold), wrong, **context)

    tasks = {explorer.get_task(a).task
             for a in explorer.resolve(_zoo("universal-segmentation")).tasks}
    assert len(tasks) >= 2
    _assert_check("04.mask2former-tasks", tasks,
                  [tasks - {min(tasks)}, tasks | {"object-detection"}])


def test_checks_04b(zoo: Path) -> None:
    from transformers import AutoConfig, AutoImageProcessor

    video = _zoo("video-classification")
    processor, config = AutoImageProcessor.from_pretrained(video), AutoConfig.from_pretrained(video)
    crop = processor.crop_size if processor.do_center_crop else processor.size  # the toy: no crop
    right = (1, config.num_frames, 3, crop["height"], crop["width"])
    _assert_check("04b.video-shape", right,
                  [right[1:], (1, 3, config.num_frames, crop["height"], crop["width"]),
                   (1, 1, 3, crop["height"], crop["width"]), 5],
                  processor=processor, config=config)
    mim = AutoConfig.from_pretrained(_zoo("masked-image-modeling"))
    side = mim.image_size // mim.patch_size
    _assert_check("04b.mim-patches", side * side, [side, mim.image_size ** 2, str(side * side)],
                  config=mim)


# ---------------------------------------------------------------------------- 05, 06


def _collapse(tokens: list[str], blank: str) -> str:
    return "".join(t for t, _ in groupby(tokens) if t != blank).replace("|", " ")


def test_checks_05(zoo: Path) -> None:
    import numpy as np

    def cosine(a: Any, b: Any, threshold: float) -> bool:
        return a @ b / (np.linalg.norm(a) * np.linalg.norm(b)) >= threshold

    def dot(a: Any, b: Any, threshold: float) -> bool:
        return a @ b >= threshold

    def distance(a: Any, b: Any, threshold: float) -> bool:
        return np.linalg.norm(a - b) <= threshold

    _assert_check("05.same-speaker", cosine, [dot, distance, "cosine"])
    _assert_check("05.resample", 32000, [44100, 88200, "32000"], samples=44100, rate=22050)
    frames = ("<pad>", "a", "a", "<pad>", "|", "b", "b")
    context = {"frame_tokens": frames, "blank": "<pad>", "transcript": "a b"}

    def no_merge(tokens: list[str], blank: str) -> str:
        return "".join(t for t in tokens if t != blank).replace("|", " ")

    def blanks_first(tokens: list[str], blank: str) -> str:
        kept = [t for t in tokens if t != blank]
        return "".join(t for t, _ in groupby(kept)).replace("|", " ")

    def keeps_bars(tokens: list[str], blank: str) -> str:
        return "".join(t for t, _ in groupby(tokens) if t != blank)

    def raises(tokens: list[str], blank: str) -> str:
        raise ValueError("oops")

    _assert_check("05.ctc-collapse", _collapse,
                  [no_merge, blanks_first, keeps_bars, raises, "a b"], **context)


def test_checks_06(zoo: Path) -> None:
    from PIL import Image
    from transformers import AutoModelForImageTextToText, AutoProcessor

    blip = _zoo("image-text-to-text")
    processor = AutoProcessor.from_pretrained(blip)
    parts = {type(processor.tokenizer).__name__, type(processor.image_processor).__name__}
    _assert_check("06.processor-parts", parts,
                  [{type(processor.tokenizer).__name__}, type(processor).__name__])
    _assert_check("06.tapas-types", 7, [1, (1, 10, 7), 2], token_type_ids=torch.zeros(1, 10, 7))
    shapes = Image.open(course.example("shapes.png")).convert("RGB")
    model = AutoModelForImageTextToText.from_pretrained(blip)
    with torch.inference_mode():
        ids = model.generate(**processor(images=shapes, text="a picture of", return_tensors="pt"),
                             max_new_tokens=5, do_sample=False)[0]
    caption = processor.decode(ids, skip_special_tokens=True)
    assert caption.strip()
    _assert_check("06.caption", caption, ["", "a picture", caption + " extra"],
                  checkpoint=blip, image=shapes)


# ---------------------------------------------------------------------------- 07 – 10


@pytest.fixture(scope="module")
def distilbert_classifier(tmp_path_factory: pytest.TempPathFactory, zoo: Path) -> str:
    """A second text-classification architecture: code that hard-codes BERT fails on it."""
    from transformers import (
        AutoConfig,
        AutoModelForSequenceClassification,
        AutoTokenizer,
    )

    from explorer.resolution import RANDOM_WEIGHTS_KEY

    folder = tmp_path_factory.mktemp("distilbert")
    tokenizer = AutoTokenizer.from_pretrained(_zoo("text-classification"))
    config = AutoConfig.for_model("distilbert", vocab_size=len(tokenizer), dim=16, n_layers=1,
                                  n_heads=2, hidden_dim=32, id2label={0: "bad", 1: "good"},
                                  label2id={"bad": 0, "good": 1})
    setattr(config, RANDOM_WEIGHTS_KEY, True)
    torch.manual_seed(1)
    AutoModelForSequenceClassification.from_config(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)


def test_checks_07(zoo: Path, distilbert_classifier: str) -> None:
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        BertForSequenceClassification,
    )

    import explorer

    _assert_check("07.token-head", SimpleNamespace(model_class="BagForTokenClassification"),
                  [SimpleNamespace(model_class="BertForTokenClassification"), "token"])
    classifier = _zoo("text-classification")
    assert explorer.load(classifier, "token-classification").report.newly_initialized == ()
    _assert_check("07.reused-head", set(), [{"classifier.weight", "classifier.bias"}],
                  checkpoint=classifier)

    def classify(checkpoint: str, text: str) -> str:
        tokenizer = AutoTokenizer.from_pretrained(checkpoint)
        model = AutoModelForSequenceClassification.from_pretrained(checkpoint)
        with torch.inference_mode():
            logits = model(**tokenizer(text, return_tensors="pt")).logits
        return model.config.id2label[int(logits.argmax(-1))]

    def bert_only(checkpoint: str, text: str) -> str:
        tokenizer = AutoTokenizer.from_pretrained(checkpoint)
        model = BertForSequenceClassification.from_pretrained(checkpoint)
        with torch.inference_mode():
            logits = model(**tokenizer(text, return_tensors="pt")).logits
        return model.config.id2label[int(logits.argmax(-1))]

    def index_only(checkpoint: str, text: str) -> int:
        tokenizer = AutoTokenizer.from_pretrained(checkpoint)
        model = AutoModelForSequenceClassification.from_pretrained(checkpoint)
        return int(model(**tokenizer(text, return_tensors="pt")).logits.argmax(-1))

    checkpoints = [classifier, distilbert_classifier]
    _assert_check("07.classify", classify, [bert_only, index_only, "good"], checkpoints=checkpoints)
    bert = _zoo("fill-mask")
    tasks = {explorer.get_task(a).task for a in explorer.resolve(bert).tasks}
    assert "text-encoding" in tasks
    _assert_check("07.text-encoding", tasks, [{"text-encoding"}, tasks - {"text-encoding"}],
                  checkpoint=bert)


def test_checks_08(zoo: Path, tmp_path: Path) -> None:
    import explorer

    _assert_check("08.bf16", 0.5, [2.0, 1.0, "0.5"])
    repo = tmp_path / "models--classroom--tiny"
    first, second = "1" * 40, "2" * 40
    for commit in (first, second):
        (repo / "snapshots" / commit).mkdir(parents=True)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(second)
    _assert_check("08.refs-main", second, [first, "main", None], repo=repo)
    loaded = explorer.load(_zoo("fill-mask"))
    good, no_tokenizer, pickled = (tmp_path / n for n in ("good", "no-tokenizer", "pickled"))
    loaded.model.save_pretrained(good)
    loaded.preprocessor.save_pretrained(good)
    loaded.model.save_pretrained(no_tokenizer)
    pickled.mkdir()
    (pickled / "pytorch_model.bin").write_bytes(b"")
    _assert_check("08.convert", good, [no_tokenizer, pickled, tmp_path / "missing"])


def test_checks_09(zoo: Path) -> None:
    from transformers import (
        AutoModel,
        AutoModelForImageTextToText,
        AutoModelForSeq2SeqLM,
        AutoTokenizer,
    )

    blip = _zoo("image-text-to-text")
    _assert_check("09.rewrite", AutoModelForImageTextToText.from_pretrained(blip, dtype=torch.float16),
                  [AutoModelForImageTextToText.from_pretrained(blip, dtype=torch.float32),
                   AutoModel.from_pretrained(blip, dtype=torch.float16)])
    from transformers import AutoModelForCausalLM

    _assert_check("09.lmhead-rewrite", AutoModelForCausalLM,
                  ["AutoModelWithLMHead", "AutoModelForMaskedLM", "AutoModelForSeq2SeqLM", None])
    bart, article = _zoo("text2text-generation"), "summarize: the teacher read a good book"
    tokenizer = AutoTokenizer.from_pretrained(bart)
    with torch.inference_mode():
        ids = AutoModelForSeq2SeqLM.from_pretrained(bart).generate(
            **tokenizer(article, return_tensors="pt"), max_new_tokens=8, do_sample=False)[0]
    summary = tokenizer.decode(ids, skip_special_tokens=True)
    assert summary.strip() and summary != tokenizer.decode(ids)
    _assert_check("09.summarize", summary, ["", article, tokenizer.decode(ids)],
                  checkpoint=bart, article=article)


def test_checks_10(zoo: Path) -> None:
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    minilm = _zoo("all-MiniLM-L6-v2")
    _, info = AutoModelForSequenceClassification.from_pretrained(minilm, num_labels=2,
                                                                 output_loading_info=True)
    new = set(info["missing_keys"])
    assert {"classifier.weight", "classifier.bias"} <= new
    _assert_check("10.new-head", new, [{"classifier.weight"}, set(), new | {"bert.embeddings"}],
                  checkpoint=minilm)
    classifier = _zoo("text-classification")
    tokenizer = AutoTokenizer.from_pretrained(classifier)
    model = AutoModelForSequenceClassification.from_pretrained(classifier)
    texts = ["good", "bad film", "a fine day", "dull"]
    with torch.inference_mode():
        guesses = model(**tokenizer(texts, padding=True, return_tensors="pt")).logits.argmax(-1)
    labels = guesses.tolist()
    labels[0] = 1 - labels[0]  # three of four right
    _assert_check("10.accuracy", 0.75, [3, 0.25, 1.0, "0.75"], model=model, tokenizer=tokenizer,
                  texts=texts, labels=labels)


def test_every_check_is_tested_and_used_by_a_notebook() -> None:
    tested = set()
    source = Path(__file__).read_text()
    for exercise in course.EXERCISES:
        if f'_assert_check("{exercise}"' in source:
            tested.add(exercise)
    assert tested == set(course.EXERCISES), "a check without a right/wrong-answer test"
    used = {m for path in NOTEBOOKS for c in nbformat.read(path, as_version=4).cells
            for m in re.findall(r'course\.check\("([^"]+)"', c.source)}
    assert used == set(course.EXERCISES), "a check without a notebook, or the reverse"


def test_check_prints_unanswered_right_and_wrong(zoo: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    course.check("01.gpt2-qa-class", None)
    assert "not answered yet" in capsys.readouterr().out
    course.check("01.gpt2-qa-class", "GPT2ForQuestionAnswering")
    assert "✓ correct" in capsys.readouterr().out
    course.check("01.gpt2-qa-class", "GPT2LMHeadModel")
    out = capsys.readouterr().out
    assert "✗" in out and "causal-LM" in out  # the hint aims at the mistake
    with pytest.raises(KeyError, match="no exercise"):
        course.check("99.nope", 1)


# ---------------------------------------------------------------------------- quizzes


@pytest.mark.parametrize("lesson", sorted(course.QUIZZES))
def test_quiz_marks_right_and_wrong(lesson: str) -> None:
    questions = course.QUIZZES[lesson]
    assert 3 <= len(questions) <= 5
    for question in questions:
        assert len(question.choices) >= 2 and question.right in "abcdefgh"[:len(question.choices)]
    unanswered = course.quiz(lesson)
    assert "✓" not in unanswered and "✗" not in unanswered
    right = {n: q.right for n, q in enumerate(questions, start=1)}
    shown = course.quiz(lesson, right)
    assert shown.count("✓ right") == len(questions) and "✗" not in shown
    assert f"{len(questions)} of {len(questions)} right" in shown
    wrong = {n: next(c for c in "abc" if c != q.right) for n, q in enumerate(questions, start=1)}
    shown = course.quiz(lesson, wrong)
    assert shown.count("✗") == len(questions) and "✓" not in shown


def test_every_notebook_has_a_quiz_and_every_quiz_a_notebook() -> None:
    used = {m for path in NOTEBOOKS for c in nbformat.read(path, as_version=4).cells
            for m in re.findall(r'course\.quiz\("([^"]+)"', c.source)}
    assert used == set(course.QUIZZES)
    with pytest.raises(KeyError, match="no quiz"):
        course.quiz("99")


# ---------------------------------------------------------------------------- diagrams, views


def _texts(fig: Any) -> str:
    return " ".join(t.get_text() for ax in fig.axes for t in ax.texts + [ax.title]) + \
        (fig._suptitle.get_text() if fig._suptitle else "")


def test_diagrams_draw_the_libraries_own_names_and_numbers() -> None:
    from transformers.models.auto.modeling_auto import (
        MODEL_FOR_TOKEN_CLASSIFICATION_MAPPING_NAMES,
    )

    from explorer.course import diagrams

    text = _texts(diagrams.lookup("roberta", "AutoModelForTokenClassification"))
    assert MODEL_FOR_TOKEN_CLASSIFICATION_MAPPING_NAMES["roberta"] in text and "RobertaConfig" in text
    text = _texts(diagrams.heads("gpt2", ["AutoModelForCausalLM", "AutoModelForMaskedLM"]))
    assert "GPT2LMHeadModel" in text and "AutoModelForMaskedLM" not in text  # no row, no box
    text = _texts(diagrams.detection_frames((0.5, 0.5, 0.5, 0.25), (200, 100)))
    assert "x0=50 y0=38" in text and "x1=150 y1=62" in text
    text = _texts(diagrams.ctc_vs_decoder(("_", "a", "a", "_", "a", "b"), "_"))
    assert "'aab'" in text and "pass 3" in text


def test_library_messages_lets_transformers_warn_then_restores() -> None:
    from transformers.utils import logging

    logging.set_verbosity_error()
    with course.library_messages():
        assert logging.get_verbosity() == logging.WARNING
    assert logging.get_verbosity() == logging.ERROR


def test_checkpoints_online_are_the_real_ids_and_offline_are_zoo_folders(zoo: Path) -> None:
    real = {"fill-mask": "google-bert/bert-base-uncased"}
    assert course.checkpoints(real, online=True) == real
    offline = course.checkpoints(real)
    assert Path(offline["fill-mask"]) == zoo / "fill-mask"
    assert course.short(offline["fill-mask"]) == "zoo:fill-mask"
    with pytest.raises(KeyError, match="no zoo entry for not-a-task"):
        course.checkpoints({"not-a-task": "x/y"})


def test_views_render_html(zoo: Path) -> None:
    from transformers import AutoTokenizer

    import explorer

    path = _zoo("fill-mask")
    trace = course.show_trace(explorer.resolve(path, "text-classification"))
    assert "BertForSequenceClassification" in trace and "<ol" in trace._repr_html_()
    report = course.show_report(explorer.load(path, "text-classification"))
    assert "classifier.weight" in report  # newly initialised weights are listed
    tokens = course.show_tokens(AutoTokenizer.from_pretrained(path), "the cat", "a dog")
    assert tokens.count("<span") >= 6 and "[SEP]" in tokens and "token_type_ids = 1" in tokens
    overview = course.auto_class_overview()
    assert overview.count("<tr") == len(explorer.tasks()) + 1
    assert "AutoModelForMaskGeneration" in overview


def _result_of(checkpoint: str, kind: str, headline: str = "") -> SimpleNamespace:
    return SimpleNamespace(checkpoint=checkpoint, checkpoint_kind=kind, toy_headline=headline)


def test_confirm_holds_the_text_to_the_zoo_checkpoint_and_its_answer(
        zoo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    toy = _result_of(_zoo("text-classification"), "toy", "toy model, trained on reviews")
    course.confirm(toy, "toy", "the review is positive", lambda: True)
    assert "checked: the review is positive" in capsys.readouterr().out
    with pytest.raises(course.StaleText, match="the review is positive"):
        course.confirm(toy, "toy", "the review is positive", lambda: False)
    # a random entry replaced by a toy: the text that says "random" is now stale
    with pytest.raises(course.StaleText, match="says zoo:text-classification has random weights"):
        course.confirm(toy, "random")
    course.confirm(_result_of(_zoo("pretraining"), "random"), "random")
    assert "random weights, as the text says" in capsys.readouterr().out
    with pytest.raises(ValueError, match="random weights promise no output"):
        course.confirm(toy, "random", "anything", lambda: True)
    # a checkpoint path works too: its kind is read from its config
    course.confirm(_zoo("fill-mask"), "toy")
    assert "trained on the text world" in capsys.readouterr().out
    with pytest.raises(course.StaleText):
        course.confirm(_zoo("pretraining"), "toy")


def test_confirm_reports_but_never_fails_on_hub_checkpoints(capsys: pytest.CaptureFixture[str]) -> None:
    online = _result_of("distilbert/distilbert-base-uncased-finetuned-sst-2-english", "real")
    course.confirm(online, "toy", "it writes 312", lambda: False)  # the text describes the zoo
    out = capsys.readouterr().out
    assert "real weights" in out and "does not hold here" in out


def test_show_checkpoints_says_which_are_real_toy_or_random(zoo: Path) -> None:
    table = course.show_checkpoints({"fill-mask": _zoo("fill-mask"), "pretraining": _zoo("pretraining"),
                                     "all-MiniLM-L6-v2": _zoo("all-MiniLM-L6-v2")})
    rows = re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)[1:]
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S) for row in rows]
    kinds = {row[1]: (row[2], row[3]) for row in cells}
    assert kinds["zoo:fill-mask"][0] == "toy" and "top-1" in kinds["zoo:fill-mask"][1]
    assert kinds["zoo:pretraining"] == ("random", "random weights: read the form, not the answer")
    assert kinds["zoo:all-MiniLM-L6-v2"][0] == "real"
