"""The Code tab's snippets reproduce the explorer's numbers with plain transformers.

Each test runs a zoo checkpoint through ``explorer.run``, exec's the exported snippet (which does
not import the explorer) and compares the numbers it leaves behind with the typed result.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import explorer
from explorer.snippets import BODIES, snippet
from explorer.zoo import example_kwargs

INPUT_KEYS = ("text", "text_pair", "question", "context", "labels", "image", "audio", "table")


def _split(example: dict) -> tuple[dict, dict]:
    kwargs = example_kwargs(example)
    options = dict(kwargs.pop("options", None) or {})
    inputs = {k: v for k, v in kwargs.items() if k in INPUT_KEYS}
    options.update({k: v for k, v in kwargs.items() if k not in INPUT_KEYS})
    return inputs, options


def _both(manifest: dict, name: str, **extra_options: Any) -> tuple[Any, dict, str]:
    """``(explorer result, namespace the snippet left, the snippet)`` for a zoo entry."""
    if name not in manifest:
        pytest.skip(f"no zoo entry {name!r} in this build")
    entry = manifest[name]
    inputs, options = _split(entry["example"])
    options.update(extra_options)
    task = explorer.get_task(entry["auto_class"]).task
    result = explorer.run(f"zoo:{name}", task, **inputs, options=options)
    code = snippet(f"zoo:{name}", task, inputs, options)
    assert "explorer" not in code.split("checkpoint =")[0].replace("no explorer needed", ""), \
        "the snippet must not import the explorer"
    namespace: dict[str, Any] = {}
    exec(compile(code, f"<snippet {name}>", "exec"), namespace)  # noqa: S102 - our own output
    return result, namespace, code


def _label_scores(result: Any) -> dict[str, float]:
    return {label.label: label.score for label in result.labels}


def _assert_scores(expected: dict[str, float], got: dict[str, float]) -> None:
    assert list(got) == list(expected)  # same labels, same order (best first)
    assert np.allclose(list(got.values()), list(expected.values()), atol=1e-5)


def test_text_classification(manifest: dict) -> None:
    result, ns, code = _both(manifest, "text-classification")
    assert "AutoModelForSequenceClassification.from_pretrained(checkpoint)" in code
    _assert_scores(_label_scores(result), ns["scores"])


def test_text_classification_top_k_option(manifest: dict) -> None:
    result, ns, _ = _both(manifest, "text-classification", top_k=1)
    assert len(ns["scores"]) == len(result.labels) == 1
    _assert_scores(_label_scores(result), ns["scores"])


def test_fill_mask(manifest: dict) -> None:
    result, ns, _ = _both(manifest, "fill-mask")
    got = ns["candidates"]
    assert [token for token, _ in got] == [c.token for c in result.candidates]
    assert np.allclose([p for _, p in got], [c.score for c in result.candidates], atol=1e-5)


def test_feature_extraction(manifest: dict) -> None:
    result, ns, _ = _both(manifest, "feature-extraction")
    embeddings = ns["embeddings"].float().numpy()
    assert embeddings.shape == result.vectors.shape
    assert np.allclose(embeddings, result.vectors, atol=1e-5)


@pytest.mark.parametrize("pooling", ["cls", "pooler"])
def test_feature_extraction_poolings(manifest: dict, pooling: str) -> None:
    result, ns, _ = _both(manifest, "feature-extraction", pooling=pooling)
    assert np.allclose(ns["embeddings"].float().numpy(), result.vectors, atol=1e-5)


def test_real_minilm_embeddings(manifest: dict) -> None:
    result, ns, code = _both(manifest, "all-MiniLM-L6-v2")
    assert "Random-weight" not in code
    assert np.allclose(ns["embeddings"].float().numpy(), result.vectors, atol=1e-4)


def test_question_answering(manifest: dict) -> None:
    result, ns, _ = _both(manifest, "question-answering")
    assert ns["answer"] == result.answer
    assert ns["score"] == pytest.approx(result.score, abs=1e-5)


def test_next_sentence_and_multiple_choice(manifest: dict) -> None:
    result, ns, _ = _both(manifest, "next-sentence-prediction")
    assert ns["scores"] == pytest.approx(_label_scores(result), abs=1e-5)
    result, ns, _ = _both(manifest, "multiple-choice")
    assert ns["scores"] == pytest.approx(_label_scores(result), abs=1e-5)


def test_image_classification(manifest: dict) -> None:
    result, ns, code = _both(manifest, "image-classification")
    assert "Image.open(" in code and "AutoImageProcessor" in code
    _assert_scores(_label_scores(result), ns["scores"])


def test_object_detection(manifest: dict) -> None:
    result, ns, _ = _both(manifest, "object-detection")
    got = ns["detections"][: len(result.objects)]
    assert len(got) == len(result.objects) > 0
    assert [label for label, _, _ in got] == [o.label for o in result.objects]
    assert np.allclose([s for _, s, _ in got], [o.score for o in result.objects], atol=1e-5)
    assert np.allclose([b for _, _, b in got], [o.box for o in result.objects], atol=1e-3)


def test_zero_shot_image_classification(manifest: dict) -> None:
    result, ns, _ = _both(manifest, "zero-shot-image-classification")
    assert ns["scores"] == pytest.approx(_label_scores(result), abs=1e-5)


def test_audio_classification(manifest: dict) -> None:
    result, ns, code = _both(manifest, "audio-classification")
    assert "librosa.load(" in code
    _assert_scores(_label_scores(result), ns["scores"])


def test_ctc_transcript(manifest: dict) -> None:
    result, ns, _ = _both(manifest, "ctc")
    assert ns["text"] == result.text


def test_every_runnable_zoo_entry_gets_a_snippet_that_runs(manifest: dict) -> None:
    """Tasks without a dedicated body get the generic one (prepare the inputs, run, print the
    output shapes). Some heads need more than that (trimaps, person boxes, frame clips), so the
    bar is that most of them run as written."""
    failures, tried = [], 0
    for name, entry in sorted(manifest.items()):
        spec = explorer.get_task(entry["auto_class"])
        if spec.runner is None or spec.auto_class in BODIES:
            continue
        tried += 1
        inputs, options = _split(entry["example"])
        try:
            exec(compile(snippet(f"zoo:{name}", spec.task, inputs, options), name, "exec"), {})
        except Exception as exc:  # collect them all, then fail once
            failures.append(f"{name}: {type(exc).__name__}: {str(exc).splitlines()[0][:120]}")
    assert tried == 0 or len(failures) <= 0.4 * tried, failures


def test_load_options_appear_in_the_snippet(manifest: dict) -> None:
    inputs, _ = _split(manifest["text-classification"]["example"])
    code = snippet("zoo:text-classification", "text-classification", inputs, {},
                   dtype="float32", output_attentions=True)
    assert "dtype=torch.float32" in code and "output_attentions=True" in code
    assert "inputs = inputs.to(model.device)" in code
    namespace: dict[str, Any] = {}
    exec(code, namespace)  # noqa: S102
    assert set(namespace["scores"]) <= {"negative", "positive"}


def test_zoo_names_become_their_folders(manifest: dict, zoo: Path) -> None:
    code = snippet("zoo:fill-mask", "fill-mask", {"text": "paris is the [MASK] of france"})
    assert f"checkpoint = {str(zoo / 'fill-mask')!r}  # zoo:fill-mask" in code
