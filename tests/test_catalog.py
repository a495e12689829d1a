"""The catalog covers every Auto model class transformers exports, read from its mappings."""

from __future__ import annotations

import json
import typing

import numpy as np
import pytest
import transformers

import explorer
from explorer.catalog import CATEGORIES, exported_auto_classes, tasks
from explorer.errors import UnknownTask
from explorer.results import RESULT_TYPES


def test_every_exported_auto_model_class_is_in_the_catalog() -> None:
    exported = {n for n in dir(transformers) if n.startswith("AutoModel") or n == "AutoBackbone"}
    exported = {n for n in exported if hasattr(getattr(transformers, n), "_model_mapping")}
    listed = {s.auto_class for s in explorer.tasks()}
    assert exported == listed
    assert len(listed) == len(explorer.tasks())  # no duplicates
    for name in ("AutoModel", "AutoBackbone", "AutoModelForObjectDetection", "AutoModelForCTC",
                 "AutoModelForImageTextToText", "AutoModelForTableQuestionAnswering"):
        assert name in listed


def test_every_entry_is_described_with_valid_fields() -> None:
    for spec in explorer.tasks():
        assert spec.described, f"{spec.auto_class} has no description in explorer/heads"
        assert spec.category in CATEGORIES
        assert spec.result in RESULT_TYPES, spec
        assert spec.summary.endswith((".", "?")), spec.auto_class
        assert spec.tags, spec.auto_class


def test_model_types_come_from_transformers_mappings() -> None:
    from transformers.models.auto import modeling_auto

    detection = explorer.get_task("object-detection")
    assert set(detection.model_types) == set(modeling_auto.MODEL_FOR_OBJECT_DETECTION_MAPPING_NAMES)
    assert detection.class_for("detr") == "DetrForObjectDetection"
    text = explorer.get_task("AutoModelForSequenceClassification")
    assert "bert" in text.model_types and "BertForSequenceClassification" == text.class_for("bert")


def test_lookup_by_auto_class_or_tag_is_case_insensitive() -> None:
    assert explorer.get_task("object-detection").auto_class == "AutoModelForObjectDetection"
    assert explorer.get_task("autoModelForObjectDetection").task == "object-detection"
    assert explorer.get_task("NER").auto_class == "AutoModelForTokenClassification"


def test_unknown_task_lists_the_known_ones() -> None:
    with pytest.raises(UnknownTask, match="unknown task 'no-such-task'; known: .*fill-mask"):
        explorer.get_task("no-such-task")
    with pytest.raises(UnknownTask, match="unknown category"):
        explorer.tasks("robotics")


def test_tasks_json_has_the_documented_keys(capsys: pytest.CaptureFixture[str]) -> None:
    from explorer.cli import main

    assert main(["tasks", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {e["auto_class"] for e in listed} == set(exported_auto_classes())
    for entry in listed:
        assert {"auto_class", "task", "category", "inputs", "result", "model_types"} <= set(entry)
        assert entry["model_types"], entry["auto_class"]


def test_categories_group_the_tasks() -> None:
    assert {s.category for s in explorer.tasks()} == set(CATEGORIES)
    assert all(s.category == "nlp" for s in explorer.tasks("nlp"))
    assert "AutoModelForCausalLM" in {s.auto_class for s in explorer.tasks("nlp")}


def test_registered_custom_models_appear_in_model_types() -> None:
    from transformers import (
        AutoConfig,
        AutoModelForSequenceClassification,
        BertConfig,
        BertForSequenceClassification,
    )

    class TinyTeachingConfig(BertConfig):
        model_type = "tiny-teaching-bert"

    class TinyTeachingModel(BertForSequenceClassification):
        config_class = TinyTeachingConfig

    AutoConfig.register("tiny-teaching-bert", TinyTeachingConfig)
    AutoModelForSequenceClassification.register(TinyTeachingConfig, TinyTeachingModel)
    spec = explorer.get_task("text-classification")
    assert spec.class_for("tiny-teaching-bert") == "TinyTeachingModel"


def test_registered_models_resolve_and_run_like_any_other(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from transformers import (
        AutoConfig,
        AutoModelForSequenceClassification,
        BertConfig,
        BertForSequenceClassification,
    )

    from explorer.zoo.common import bert_tokenizer

    class ClassroomConfig(BertConfig):
        model_type = "classroom-bert"

    class ClassroomModel(BertForSequenceClassification):
        config_class = ClassroomConfig

    AutoConfig.register("classroom-bert", ClassroomConfig)
    AutoModelForSequenceClassification.register(ClassroomConfig, ClassroomModel)
    tok = bert_tokenizer()
    config = ClassroomConfig(vocab_size=len(tok), hidden_size=16, num_hidden_layers=1,
                             num_attention_heads=2, intermediate_size=32,
                             max_position_embeddings=64)
    ClassroomModel(config).save_pretrained(tmp_path)
    tok.save_pretrained(tmp_path)
    res = explorer.resolve(str(tmp_path))
    assert res.model_class == "ClassroomModel"
    assert any("registered with AutoModelForSequenceClassification.register" in line
               for line in res.trace)
    result = explorer.run(str(tmp_path), text="a good lesson")
    assert result.model_class == "ClassroomModel" and len(result.labels) == 2


def _missing_parts(bodies: dict, recipes: list) -> list[str]:
    """What a runnable task lacks of: a Code-tab snippet body, a zoo recipe, an example input."""
    missing = []
    for spec in tasks():
        if spec.runner is None:
            continue
        own = [r for r in recipes if r.auto_class == spec.auto_class]
        if spec.auto_class not in bodies:
            missing.append(f"{spec.auto_class}: no snippet body")
        if not own:
            missing.append(f"{spec.auto_class}: no zoo recipe")
        elif not any(r.example for r in own):
            missing.append(f"{spec.auto_class}: no example input")
    return missing


def test_every_runnable_task_has_a_snippet_an_example_and_a_zoo_recipe() -> None:
    import dataclasses

    from explorer.snippets import BODIES
    from explorer.zoo import recipes

    found = recipes()
    assert _missing_parts(BODIES, found) == []
    # ... and the check does catch a task that lacks one of them.
    forecast = "AutoModelForTimeSeriesPrediction"
    without_body = {k: v for k, v in BODIES.items() if k != forecast}
    assert _missing_parts(without_body, found) == [f"{forecast}: no snippet body"]
    no_example = [dataclasses.replace(r, example=None) if r.auto_class == forecast else r
                  for r in found]
    assert _missing_parts(BODIES, no_example) == [f"{forecast}: no example input"]
    no_recipe = [r for r in found if r.auto_class != forecast]
    assert _missing_parts(BODIES, no_recipe) == [f"{forecast}: no zoo recipe"]


def test_a_task_entry_refuses_a_recipe_for_another_auto_class() -> None:
    """A task's recipes build that task's Auto class: one entry, one Auto class."""
    from explorer.heads._registry import Task
    from explorer.zoo import Recipe

    def nothing(*_: object) -> list[str]:
        return []

    with pytest.raises(ValueError, match="builds AutoModel, not AutoModelForMaskedLM"):
        Task("AutoModelForMaskedLM", run=nothing, snippet=nothing,  # type: ignore[arg-type]
             recipes=[Recipe("feature-extraction", "AutoModel", nothing)])


def test_kinds_are_closed_sets_that_match_what_they_name() -> None:
    # The Literal types mypy checks every catalog entry against (a typo is a type error) agree
    # with the result dataclasses, the categories and the inputs a run can carry.
    from explorer.catalog import CATEGORIES, INPUT_KINDS, RESULT_KINDS, Category
    from explorer.inputs import Inputs
    from explorer.results import RESULT_TYPES

    assert set(RESULT_KINDS) == set(RESULT_TYPES)
    assert set(typing.get_args(Category)) == set(CATEGORIES)
    everything = Inputs(text=("a",), text_pair="b", question="q", context="c", labels=("x",),
                        image=object(), audio=np.zeros(1), table={"shape": ["circle"]})
    assert set(INPUT_KINDS) == everything.kinds()
    for spec in explorer.tasks():
        assert spec.category in CATEGORIES and spec.result in RESULT_KINDS
        assert set(spec.inputs) <= set(INPUT_KINDS), spec.auto_class
