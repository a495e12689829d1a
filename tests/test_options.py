"""Task options are declared once (explorer/options.py, per task in explorer/catalog/) and the
runner, the dashboard form, the CLI, the snippets and the load/run split all follow the
declaration."""

from __future__ import annotations

import subprocess
import sys

import pytest

from explorer.catalog import get_task, tasks
from explorer.errors import BadOption
from explorer.options import OPTIONS, Option, default


def test_every_task_option_is_typed_with_help() -> None:
    for spec in tasks():
        for option in spec.options:
            assert isinstance(option, Option), (spec.auto_class, option)
            assert option.help and option.stage in ("load", "run")
            assert option.name in OPTIONS, f"{option.name} is not declared in OPTIONS"
            if option.default is not None and option.type is not None:
                assert option.coerce(option.default) == option.default, option


def test_a_task_default_overrides_the_shared_one() -> None:
    assert default("top_k") == 5
    assert default("top_k", "AutoModelForObjectDetection") == 100
    assert get_task("object-detection").option("top_k").default == 100
    assert get_task("image-classification").option("top_k").default == 5
    assert default("kind", "AutoModelForSemanticSegmentation") == "semantic"
    assert default("kind", "AutoModelForInstanceSegmentation") == "instance"


def test_coercion_checks_type_choices_and_bounds() -> None:
    top_k = OPTIONS["top_k"]
    assert top_k.coerce("3") == 3
    with pytest.raises(BadOption, match="should be a whole number"):
        top_k.coerce("many")
    with pytest.raises(BadOption, match="≥ 1"):
        top_k.coerce("0")
    with pytest.raises(BadOption, match="from 0 to 1"):
        OPTIONS["threshold"].coerce("1.5")
    with pytest.raises(BadOption, match="one of mean, cls, pooler"):
        OPTIONS["pooling"].coerce("max")
    assert OPTIONS["do_sample"].coerce("yes") is True
    assert OPTIONS["out_indices"].coerce("1,2") == [1, 2]


def test_the_load_run_split_follows_the_stage() -> None:
    from explorer.runner import LOAD_LIST_OPTIONS, LOAD_OPTIONS, split_options

    load_stage = {name for name, o in OPTIONS.items() if o.stage == "load"}
    assert set(LOAD_OPTIONS) | set(LOAD_LIST_OPTIONS) == load_stage
    overrides, run = split_options({"out_indices": "1,2", "output_attentions": "yes", "top_k": 3})
    assert overrides == {"out_indices": [1, 2], "output_attentions": True}
    assert run == {"top_k": 3}


def test_the_dashboard_form_is_built_from_the_declarations() -> None:
    import ipywidgets as w

    from explorer.ui.options_panel import OptionsPanel

    panel = OptionsPanel()
    for task in ("object-detection", "feature-extraction", "text-generation",
                 "semantic-segmentation"):
        spec = get_task(task)
        panel.set_task(spec)
        assert list(panel.run_controls) == list(spec.option_names)
        for option in spec.options:
            control = panel.run_controls[option.name]
            assert control.description == option.title
            assert control.tooltip == option.describe()
            if option.type is bool:
                assert isinstance(control, w.Dropdown) and {"yes", "no"} <= set(control.options)
            elif option.choices:
                assert set(map(str, option.choices)) <= set(control.options)
            elif option.default is not None:  # a text box shows this task's own default
                assert str(option.default) in control.placeholder
    panel.set_task(get_task("object-detection"))
    assert "100" in panel.run_controls["top_k"].placeholder


def test_the_cli_coerces_options_and_lists_them_in_help() -> None:
    from explorer.cli import _options

    assert _options(["top_k=3", "do_sample=yes", "points=1,2"]) == {
        "top_k": 3, "do_sample": True, "points": "1,2"}
    with pytest.raises(BadOption):
        _options(["threshold=2"])
    out = subprocess.run([sys.executable, "-m", "explorer", "run", "--help"], capture_output=True,
                         text=True, check=True).stdout
    for option in OPTIONS.values():
        assert option.describe().split(":")[0] in " ".join(out.split())


def test_snippet_defaults_are_the_declared_ones() -> None:
    from explorer.snippets.base import Spec

    def spec_for(task: str, options: dict[str, object]) -> Spec:
        return Spec(task_spec=get_task(task), resolution=None, inputs={}, options=options,
                    pre="processor", preprocessor=None, model_class=None, cast=False)

    assert spec_for("object-detection", {}).option("top_k") == 100
    assert spec_for("image-classification", {}).option("top_k") == 5
    assert spec_for("image-classification", {"top_k": "3"}).option("top_k") == 3
    assert spec_for("universal-segmentation", {}).option("kind") == "panoptic"


def test_explorer_tasks_lists_each_tasks_options_with_its_defaults(
        capsys: pytest.CaptureFixture[str]) -> None:
    from explorer.cli import main

    assert main(["tasks", "--category", "vision"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines()
                if "AutoModelForObjectDetection" in x)
    assert "options: threshold=0.5, top_k=100" in line
