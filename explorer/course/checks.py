"""Exercise checks for the course notebooks.

Each exercise is a function ``(answer, **context) -> str | None``: ``None`` when the answer is
right, else a one-line hint aimed at the mistake. Right answers are computed from the installed
libraries (never typed in), so a check follows transformers when it changes; ``context`` carries
what the notebook built (a checkpoint path, a model's raw outputs, ...).

    course.check("01.predict-class", "RobertaForTokenClassification")

``tests/test_course.py`` feeds every check its right answer and the mistakes it targets.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import numpy as np

Exercise = Callable[..., "str | None"]
EXERCISES: dict[str, Exercise] = {}


def exercise(exercise_id: str) -> Callable[[Exercise], Exercise]:
    def register(check: Exercise) -> Exercise:
        EXERCISES[exercise_id] = check
        return check
    return register


def verdict(exercise_id: str, answer: Any, **context: Any) -> str | None:
    """``None`` when ``answer`` is right for ``exercise_id``, else the hint."""
    if exercise_id not in EXERCISES:
        raise KeyError(f"no exercise {exercise_id!r}; known: {', '.join(sorted(EXERCISES))}")
    return EXERCISES[exercise_id](answer, **context)


def is_correct(exercise_id: str, answer: Any, **context: Any) -> bool:
    return verdict(exercise_id, answer, **context) is None


def check(exercise_id: str, answer: Any, **context: Any) -> None:
    """Print whether ``answer`` is right. ``None`` / ``...`` mean "not answered yet": that prints a
    reminder rather than a verdict, so the notebook still runs top to bottom."""
    if exercise_id not in EXERCISES:
        raise KeyError(f"no exercise {exercise_id!r}; known: {', '.join(sorted(EXERCISES))}")
    if answer is None or answer is Ellipsis:
        print(f"[{exercise_id}] not answered yet: replace the None and run the cell again")
        return
    hint = verdict(exercise_id, answer, **context)
    if hint is None:
        print(f"[{exercise_id}] ✓ correct")
    else:
        print(f"[{exercise_id}] ✗ not yet: {hint}")


# ---------------------------------------------------------------------------- comparisons


def _zoo(name: str) -> str:
    from explorer.course.checkpoints import checkpoints

    return checkpoints({name: ""})[name]


def _same_set(answer: Any, expected: set[str], what: str) -> str | None:
    if isinstance(answer, str) or not hasattr(answer, "__iter__"):
        return f"give a set of {what}, e.g. {{'a', 'b'}}"
    given = set(answer)
    if given == expected:
        return None
    extra, missing = sorted(given - expected), sorted(expected - given)
    parts = [f"{len(given & expected)} of your {len(given)} are right"]
    if missing:
        parts.append(f"{len(missing)} missing")
    if extra:
        parts.append(f"not these: {', '.join(map(str, extra))}")
    return "; ".join(parts)


def _same_text(answer: Any, expected: str, mistakes: dict[str, str]) -> str | None:
    if not isinstance(answer, str):
        return f"give a string (got a {type(answer).__name__})"
    if answer.strip() == expected.strip():
        return None
    return mistakes.get(answer.strip(), "not this text; compare with what the cell above shows")


def _tasks_of(checkpoint: str) -> set[str]:
    import explorer

    return {explorer.get_task(auto).task for auto in explorer.resolve(checkpoint).tasks}


def _new_weights(checkpoint: str, task: str) -> set[str]:
    import explorer

    return set(explorer.load(checkpoint, task).report.newly_initialized)


def _greedy(model: Any, batch: Any, new_tokens: int) -> Any:
    import torch

    with torch.inference_mode():
        return model.generate(**batch, max_new_tokens=new_tokens, do_sample=False)


# ---------------------------------------------------------------------------- 01 · why Auto classes


@exercise("01.predict-class")
def _predict_class(answer: Any) -> str | None:
    from explorer.catalog import class_names

    expected = class_names("AutoModelForTokenClassification")["roberta"]
    return _same_text(answer, expected, {
        "RobertaForMaskedLM": "that is `architectures`, the class it was saved from; the Auto "
                              "class you call decides the head",
        "AutoModelForTokenClassification": "that is the dispatcher: which class does it build?",
        "BertForTokenClassification": "model_type is 'roberta', not 'bert'",
        "RobertaModel": "that is the bare body (AutoModel); this Auto class adds a head"})


@exercise("01.gpt2-tasks")
def _gpt2_tasks(answer: Any) -> str | None:
    return _same_set(answer, _tasks_of(_zoo("text-generation")), "task names")


@exercise("01.gpt2-qa-class")
def _gpt2_qa_class(answer: Any) -> str | None:
    from explorer.catalog import class_names

    return _same_text(answer, class_names("AutoModelForQuestionAnswering")["gpt2"], {
        "GPT2LMHeadModel": "that is the causal-LM class; QA has its own table",
        "BertForQuestionAnswering": "the key is model_type 'gpt2'"})


# ---------------------------------------------------------------------------- 02 · preprocessors


@exercise("02.decode")
def _decode(answer: Any) -> str | None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(_zoo("fill-mask"))
    ids = tokenizer("the cat sat on the mat")["input_ids"]
    # decode() of one sequence gives a str (its stub also allows a batch's list).
    return _same_text(answer, cast(str, tokenizer.decode(ids, skip_special_tokens=True)), {
        cast(str, tokenizer.decode(ids)): "the special tokens are still in: decode has a keyword for that"})


@exercise("02.labels")
def _labels(answer: Any) -> str | None:
    names = ["negative", "neutral", "positive"]
    if not hasattr(answer, "id2label"):
        return "give the config AutoConfig.from_pretrained(...) returned"
    if answer.num_labels != 3:
        return f"the config has {answer.num_labels} labels"
    if [answer.id2label[i] for i in range(3)] != names:
        return "num_labels=3 gives LABEL_0.. names; pass id2label={0: 'negative', ...}"
    if {name: answer.label2id.get(name) for name in names} != {n: i for i, n in enumerate(names)}:
        return "id2label is right; label2id should map the names back to the same ids"
    return None


@exercise("02.pixels")
def _pixels(answer: Any, processor: Any) -> str | None:
    if isinstance(answer, (str, int)) or not hasattr(answer, "__iter__"):
        return "give a tuple (batch, channels, height, width)"
    size = processor.size
    expected = (2, len(processor.image_mean), size["height"], size["width"])
    if tuple(answer) == expected:
        return None
    if sorted(answer) == sorted(expected):
        return "right numbers, wrong order: PyTorch puts channels before height and width"
    return "batch of 2; one channel per image_mean entry; height and width from size"


# ---------------------------------------------------------------------------- 03 · heads for language


@exercise("03.new-token-head")
def _new_token_head(answer: Any) -> str | None:
    return _same_set(answer, _new_weights(_zoo("fill-mask"), "token-classification"),
                     "weight names")


@exercise("03.new-qa-head")
def _new_qa_head(answer: Any) -> str | None:
    return _same_set(answer, _new_weights(_zoo("fill-mask"), "question-answering"),
                     "weight names")


@exercise("03.generate")
def _generate(answer: Any, checkpoint: str) -> str | None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    prompt = "the small green square is above the"  # a sentence of the toy GPT-2's world
    tokenizer = AutoTokenizer.from_pretrained(checkpoint)
    model = AutoModelForCausalLM.from_pretrained(checkpoint)
    batch = tokenizer(prompt, return_tensors="pt")
    ids = _greedy(model, batch, 5)[0]
    new = cast(str, tokenizer.decode(ids[batch["input_ids"].shape[1]:], skip_special_tokens=True))
    return _same_text(answer, new, {
        cast(str, tokenizer.decode(ids, skip_special_tokens=True)).strip():
            "that is the prompt + the new tokens: slice the ids after the prompt's length",
        prompt: "that is the prompt: decode what generate() added after it",
        "": "empty: did you slice off everything? keep the ids after the prompt"})


# ---------------------------------------------------------------------------- 04 · heads for vision


@exercise("04.out-features")
def _out_features(answer: Any) -> str | None:
    stages = getattr(answer, "stages", None)
    if stages is None:
        return "give the result of explorer.run(CKPT['backbone'], image=..., out_features=[...])"
    return None if tuple(stages) == ("stage2", "stage4") else f"you asked for {list(stages)}"


@exercise("04.detr-by-hand")
def _detr_by_hand(answer: Any, raw: Any, processor: Any, image_size: tuple[int, int],
                  threshold: float) -> str | None:
    if not isinstance(answer, dict) or not {"scores", "boxes"} <= set(answer):
        return "give a dict with 'scores' and 'boxes'"
    width, height = image_size
    found = processor.post_process_object_detection(raw, threshold=threshold,
                                                    target_sizes=[(height, width)])[0]
    scores, boxes = (np.asarray(_numpy(answer[key]), dtype=np.float64) for key in ("scores", "boxes"))
    want_scores, want_boxes = found["scores"].numpy(), found["boxes"].numpy()
    if scores.shape != want_scores.shape:
        return (f"{scores.shape[0] if scores.ndim else 0} candidates kept, expected "
                f"{want_scores.shape[0]}: keep those whose score is above the threshold")
    if not np.allclose(scores, want_scores, atol=1e-4):
        return ("scores: softmax over the classes, drop the last ('no object') column, then the "
                "best remaining class per candidate")
    if boxes.shape != want_boxes.shape:
        return f"boxes should have shape {want_boxes.shape}"
    if boxes.size and boxes.max() <= 1.0 < want_boxes.max():
        return "the boxes are still fractions of the image: scale x by width, y by height"
    if not np.allclose(boxes, want_boxes, atol=0.5):
        return "convert (centre x, centre y, w, h) to corners (x0, y0, x1, y1) before scaling"
    return None


def _numpy(value: Any) -> Any:
    return value.detach().cpu().numpy() if hasattr(value, "detach") else value


@exercise("04.mask2former-tasks")
def _mask2former_tasks(answer: Any) -> str | None:
    return _same_set(answer, _tasks_of(_zoo("universal-segmentation")), "task names")


# ---------------------------------------------------------------------------- 04b · more vision heads


@exercise("04b.video-shape")
def _video_shape(answer: Any, processor: Any, config: Any) -> str | None:
    if isinstance(answer, (str, int)) or not hasattr(answer, "__iter__"):
        return "give a tuple (batch, frames, channels, height, width)"
    crop = processor.crop_size if processor.do_center_crop else processor.size
    expected = (1, config.num_frames, len(processor.image_mean), crop["height"], crop["width"])
    if tuple(answer) == expected:
        return None
    if len(tuple(answer)) == 4:
        return "a video has one more axis than an image: the frames, right after the batch"
    if sorted(answer) == sorted(expected):
        return "right numbers, wrong order: (batch, frames, channels, height, width)"
    return "frames from config.num_frames; height and width after the crop (crop_size)"


@exercise("04b.mim-patches")
def _mim_patches(answer: Any, config: Any) -> str | None:
    side = config.image_size // config.patch_size
    if answer == side * side:
        return None
    if answer == side:
        return "that is the patches along one side; the mask covers the whole grid"
    return "one entry per patch: (image_size // patch_size) squared"


# ---------------------------------------------------------------------------- 05 · heads for audio


_SPEAKER_PAIRS = (  # (a, b, same speaker at threshold 0.9?): the norms differ, the angles decide
    ((10.0, 0.0, 0.0), (9.0, 1.0, 0.0), True),
    ((0.1, 0.0, 0.0), (0.1, 0.01, 0.0), True),
    ((3.0, 0.0, 0.0), (0.0, 3.0, 0.0), False),
    ((1.0, 1.0, 0.0), (5.0, 5.0, 0.5), True),
    ((1.0, 0.0, 0.0), (1.0, 1.0, 0.0), False),
)


@exercise("05.same-speaker")
def _same_speaker(answer: Any) -> str | None:
    if not callable(answer):
        return "give a function same_speaker(a, b, threshold) -> bool"
    for a, b, same in _SPEAKER_PAIRS:
        try:
            got = answer(np.array(a), np.array(b), 0.9)
        except Exception as err:  # noqa: BLE001 - the learner's code: report, never raise
            return f"your function raised {type(err).__name__}: {err}"
        if bool(got) != same:
            return (f"for x-vectors {a} and {b} it says {bool(got)}: compare the angle (cosine "
                    "similarity), not the length or the raw dot product")
    return None


@exercise("05.resample")
def _resample(answer: Any, samples: int, rate: int) -> str | None:
    if not isinstance(answer, (int, float, np.integer)):
        return "give a number of samples"
    expected = samples * 16000 / rate
    if abs(answer - expected) <= 1:
        return None
    if abs(answer - samples) <= 1:
        return "that is the file's count at its own rate; the duration stays, the rate changes"
    return "duration = samples / rate; at 16 000 Hz the same duration holds 16 000 × duration"


_CTC_FRAMES = ("<pad>", "h", "h", "<pad>", "e", "l", "l", "<pad>", "l", "o", "|", "|", "w",
               "o", "<pad>", "r", "l", "d", "d")


@exercise("05.ctc-collapse")
def _ctc_collapse(answer: Any, frame_tokens: tuple[str, ...], blank: str,
                  transcript: str) -> str | None:
    if not callable(answer):
        return "give a function collapse(frame_tokens, blank) -> str"
    for tokens, expected in ((_CTC_FRAMES, "hello world"), (tuple(frame_tokens), transcript)):
        try:
            got = answer(list(tokens), "<pad>" if tokens is _CTC_FRAMES else blank)
        except Exception as err:  # noqa: BLE001 - the learner's code: report, never raise
            return f"your function raised {type(err).__name__}: {err}"
        if not isinstance(got, str) or got.split() != expected.split():
            return (f"on {' '.join(tokens[:12])} … it gave {got!r}, expected {expected!r}: merge "
                    "repeats first, then drop blanks, then '|' → space")
    return None


# ---------------------------------------------------------------------------- 06 · multimodal


@exercise("06.processor-parts")
def _processor_parts(answer: Any) -> str | None:
    from transformers import AutoProcessor

    processor = AutoProcessor.from_pretrained(_zoo("image-text-to-text"))
    expected = {type(getattr(processor, part)).__name__
                for part in ("tokenizer", "image_processor", "feature_extractor")
                if getattr(processor, part, None) is not None}
    if isinstance(answer, str) and answer == type(processor).__name__:
        return "that is the processor itself; which two objects does it hold?"
    return _same_set(answer, expected, "class names")


@exercise("06.tapas-types")
def _tapas_types(answer: Any, token_type_ids: Any) -> str | None:
    expected = tuple(token_type_ids.shape)[-1]
    if answer == expected:
        return None
    if isinstance(answer, tuple):
        return "one number: the last dimension of the shape"
    return "BERT's single segment id is not enough for a table"


@exercise("06.caption")
def _caption(answer: Any, checkpoint: str, image: Any) -> str | None:
    from transformers import AutoModelForImageTextToText, AutoProcessor

    processor = AutoProcessor.from_pretrained(checkpoint)
    model = AutoModelForImageTextToText.from_pretrained(checkpoint)
    ids = _greedy(model, processor(images=image, text="a picture of", return_tensors="pt"), 5)[0]
    return _same_text(answer, processor.decode(ids, skip_special_tokens=True), {
        "": "empty: decode generate()'s output, with skip_special_tokens=True",
        processor.decode(ids).strip(): "the special tokens are still in"})


# ---------------------------------------------------------------------------- 07 · extending


@exercise("07.token-head")
def _token_head(answer: Any) -> str | None:
    if getattr(answer, "model_class", None) == "BagForTokenClassification":
        return None
    return "register the class, then run the saved checkpoint with task='token-classification'"


@exercise("07.reused-head")
def _reused_head(answer: Any, checkpoint: str) -> str | None:
    return _same_set(answer, _new_weights(checkpoint, "token-classification"), "weight names")


@exercise("07.classify")
def _classify(answer: Any, checkpoints: list[str]) -> str | None:
    import explorer
    from explorer.results import Classification

    if not callable(answer):
        return "give a function classify(checkpoint, text) -> label name"
    for checkpoint in checkpoints:
        for text in ("this movie was very good", "a dull and boring film"):
            try:
                got = answer(checkpoint, text)
            except Exception as err:  # noqa: BLE001 - the learner's code: report, never raise
                return f"on {Path(checkpoint).name}: {type(err).__name__}: {str(err)[:120]}"
            result = explorer.run(checkpoint, "text-classification", text=text)
            assert isinstance(result, Classification)  # the text-classification runner's result
            expected = result.labels[0].label
            if got != expected:
                return (f"on {Path(checkpoint).name} it gave {got!r}, expected {expected!r}: the "
                        "label *name*, from model.config.id2label")
    return None


@exercise("07.text-encoding")
def _text_encoding(answer: Any, checkpoint: str) -> str | None:
    if _same_set(answer, _tasks_of(checkpoint), "task names") is not None:
        return "give the tasks explorer.resolve lists now"
    return None if "text-encoding" in answer else "register BagModel with AutoModelForTextEncoding"


# ---------------------------------------------------------------------------- 08 · loading well


@exercise("08.bf16")
def _bf16(answer: Any) -> str | None:
    import explorer

    reports = {d: explorer.load(_zoo("fill-mask"), dtype=d).report.bytes
               for d in ("float32", "bfloat16")}
    expected = reports["bfloat16"] / reports["float32"]
    if isinstance(answer, (int, float)) and abs(answer - expected) < 0.01:
        return None
    return "bfloat16 bytes divided by float32 bytes (2 bytes per weight vs 4)"


@exercise("08.refs-main")
def _refs_main(answer: Any, repo: Path) -> str | None:
    expected = (Path(repo) / "refs" / "main").read_text().strip()
    if answer == expected:
        return None
    snapshots = {p.name for p in (Path(repo) / "snapshots").iterdir()}
    if answer in snapshots:
        return "that commit is in the cache, but is it the one refs/main names?"
    return "give the 40-character commit hash in refs/main"


@exercise("08.convert")
def _convert(answer: Any) -> str | None:
    import explorer

    folder = Path(answer)
    files = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
    if "model.safetensors" not in files:
        return "no model.safetensors there: save_pretrained the loaded model into the folder"
    if "pytorch_model.bin" in files:
        return "the pickle file is still there: write to a new folder"
    if "tokenizer_config.json" not in files:
        return "the tokenizer is missing: save the preprocessor too"
    explorer.load(str(folder))
    return None


# ---------------------------------------------------------------------------- 09 · v5


@exercise("09.rewrite")
def _rewrite(answer: Any) -> str | None:
    import torch

    import explorer

    expected = explorer.resolve(_zoo("image-text-to-text"), "image-text-to-text").model_class
    if type(answer).__name__ != expected:
        return f"that built {type(answer).__name__}; use the v5 Auto class for image → text"
    if getattr(answer, "dtype", None) != torch.float16:
        return f"the weights are {answer.dtype}: pass the precision with v5's keyword"
    return None


@exercise("09.lmhead-rewrite")
def _lmhead_rewrite(answer: Any) -> str | None:
    name = getattr(answer, "__name__", answer)
    if name == "AutoModelForCausalLM":
        return None
    return {"AutoModelWithLMHead": "that class is gone in v5",
            "AutoModelForMaskedLM": "GPT-2 was trained to predict the next token, not a masked one",
            "AutoModelForSeq2SeqLM": "GPT-2 has no encoder: it is a decoder only",
            }.get(str(name), "which kind of language model is GPT-2: masked, causal or seq2seq?")


@exercise("09.summarize")
def _summarize(answer: Any, checkpoint: str, article: str) -> str | None:
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(checkpoint)
    model = AutoModelForSeq2SeqLM.from_pretrained(checkpoint)
    ids = _greedy(model, tokenizer(article, return_tensors="pt"), 8)[0]
    return _same_text(answer, cast(str, tokenizer.decode(ids, skip_special_tokens=True)), {
        "": "empty: decode all of generate()'s output (a seq2seq decoder does not repeat the input)",
        article: "that is the input text",
        cast(str, tokenizer.decode(ids)).strip(): "the special tokens are still in"})


# ---------------------------------------------------------------------------- 10 · training a head


@exercise("10.new-head")
def _new_head(answer: Any, checkpoint: str) -> str | None:
    from transformers import AutoModelForSequenceClassification

    _, info = AutoModelForSequenceClassification.from_pretrained(
        checkpoint, num_labels=2, output_loading_info=True)
    return _same_set(answer, set(info["missing_keys"]), "weight names")


@exercise("10.accuracy")
def _accuracy(answer: Any, model: Any, tokenizer: Any, texts: list[str],
              labels: list[int]) -> str | None:
    import torch

    with torch.inference_mode():
        logits = model(**tokenizer(texts, padding=True, return_tensors="pt")).logits
    expected = float((logits.argmax(-1) == torch.tensor(labels)).float().mean())
    if not isinstance(answer, (int, float)):
        return "give the accuracy as a number between 0 and 1"
    if abs(answer - expected) < 1e-6:
        return None
    if abs(answer - expected * len(texts)) < 1e-6:
        return "that is the count of right answers: divide by the number of sentences"
    return "accuracy on the held-out sentences: argmax of the logits, compared with their labels"
