"""Widget logic of the explorer app, without a browser: set trait values, check what follows.

category → task list; task → checkpoints, input controls, option controls; running a zoo
checkpoint fills the result tabs; bad input gives one line; the Run button is disabled during a run.
"""

from __future__ import annotations

import html
import json
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

pytest.importorskip("ipywidgets")

import explorer  # noqa: E402
from explorer.catalog import get_task  # noqa: E402
from explorer.ui import checkpoints as ck  # noqa: E402
from explorer.ui.application import ExplorerApp  # noqa: E402


@pytest.fixture(scope="module")
def app(zoo: Path) -> ExplorerApp:
    """One app for the module; runs happen in the calling thread so tests see their outcome."""
    return ExplorerApp(threaded=False, online=False)


def _select(app: ExplorerApp, task: str) -> None:
    app.catalog.task = task
    assert app.catalog.task == task


# ---------------------------------------------------------------------------- catalog panel


def test_category_lists_its_runnable_tasks_with_summaries(app: ExplorerApp) -> None:
    for category in explorer.CATEGORIES:
        app.catalog.category = category
        runnable = [s for s in app.catalog.specs(category) if s.runner is not None]
        buttons = [c for c in app.catalog.task_list.children if hasattr(c, "on_click")]
        assert [b.description for b in buttons] == [s.task for s in runnable]
        assert [b.tooltip for b in buttons] == [s.summary for s in runnable]
        summaries = [c.value for c in app.catalog.task_list.children if not hasattr(c, "on_click")]
        assert all(html.escape(s.summary) in shown for s, shown in zip(runnable, summaries))
        if runnable:  # the category's first runnable task is selected, and marked
            assert app.catalog.task == runnable[0].task
            assert "ae-selected" in buttons[0]._dom_classes


def test_tasks_that_cannot_run_are_listed_greyed_and_not_selectable(app: ExplorerApp) -> None:
    app.catalog.category = "base"
    blocked = [s for s in explorer.tasks("base") if s.runner is None]
    assert blocked, "the base category lists tasks without a runner (time series, decision)"
    assert "Not runnable yet" in app.catalog.not_runnable.value
    for spec in blocked:
        assert spec.task in app.catalog.not_runnable.value
    before = app.catalog.task
    app.catalog.task = blocked[0].task
    assert app.catalog.task == before


def test_picking_a_task_of_another_category_switches_the_category(app: ExplorerApp) -> None:
    app.catalog.category = "nlp"
    _select(app, "object-detection")
    assert app.catalog.category == "vision"
    assert app.task_card.value.count("AutoModelForObjectDetection") == 1


# ---------------------------------------------------------------------------- task → panels


def test_task_selects_its_zoo_checkpoint_and_builds_inputs_and_options(app: ExplorerApp,
                                                                       manifest: dict) -> None:
    _select(app, "fill-mask")
    assert app.checkpoints.checkpoint == "zoo:fill-mask"
    assert app.checkpoints.random_weights
    assert "random weights — output is meaningless" in app.checkpoints.badge.value
    assert list(app.inputs.controls) == ["text"]
    assert app.inputs.values() == {"text": manifest["fill-mask"]["example"]["text"]}
    assert list(app.options.run_controls) == list(get_task("fill-mask").options)
    assert app.options.revision.layout.display == "none"  # revisions are for hub checkpoints


def test_offered_checkpoints_can_serve_the_task(app: ExplorerApp) -> None:
    for task in ("fill-mask", "feature-extraction", "object-detection"):
        _select(app, task)
        auto = get_task(task).auto_class
        for choice in app.checkpoints.choices.values():
            if choice.source in ("zoo", "local"):
                assert auto in explorer.resolve(choice.checkpoint).tasks, choice
        labels = [label for label, _ in app.checkpoints.picker.options]
        assert labels[0].startswith(f"zoo · {task} ")
        assert all(("online only" in label) != c.offline
                   for label, c in zip(labels, app.checkpoints.choices.values())
                   if c.source == "curated")


def test_input_controls_follow_the_task_inputs(app: ExplorerApp, manifest: dict) -> None:
    _select(app, "zero-shot-image-classification")
    assert list(app.inputs.controls) == ["image", "labels"]
    example = manifest["zero-shot-image-classification"]["example"]
    values = app.inputs.values()
    assert Path(values["image"]).name == example["image"] and Path(values["image"]).is_file()
    assert values["labels"] == example["labels"]
    assert bytes(app.inputs.controls["image"].preview.value)[:4] in (b"\xff\xd8\xff\xe0",
                                                                      b"\xff\xd8\xff\xe1",
                                                                      b"\x89PNG")
    _select(app, "question-answering")
    assert list(app.inputs.controls) == ["question", "context"]


def test_audio_input_has_a_player_with_the_example_clip(app: ExplorerApp) -> None:
    import ipywidgets as w

    task = next(t for t in ("automatic-speech-recognition", "ctc", "audio-classification")
                if get_task(t).runner is not None)
    _select(app, task)
    audio = app.inputs.controls["audio"]
    assert isinstance(audio.preview, w.Audio)
    assert bytes(audio.preview.value)[:4] == b"RIFF"
    assert Path(app.inputs.values()["audio"]).name == "speech.wav"


def test_base_model_inputs_narrow_to_what_the_checkpoint_takes(app: ExplorerApp) -> None:
    _select(app, "feature-extraction")
    assert get_task("feature-extraction").inputs == ("text", "image", "audio")
    assert list(app.inputs.controls) == ["text"]  # a BERT has a tokenizer only
    if get_task("backbone").runner is not None:
        _select(app, "backbone")
        assert "out_indices" in app.options.run_controls


def test_example_options_are_prefilled_and_untouched_options_are_not_sent(
        app: ExplorerApp, manifest: dict) -> None:
    _select(app, "object-detection")
    example = manifest["object-detection"]["example"]
    threshold = {**example, **example.get("options", {})}.get("threshold")  # options may nest
    assert threshold is not None  # the zoo example sets one, so prefilling is really tested
    _, options = app.options.values()
    assert options == ({"threshold": threshold} if threshold is not None else {})
    app.options.run_controls["top_k"].value = "3"
    assert app.options.values()[1]["top_k"] == 3
    _select(app, "text-classification")
    load, options = app.options.values()
    assert options == {}  # top-k untouched: the runner's own default applies
    assert load == {"dtype": "auto", "device": None, "output_attentions": False}


def test_option_text_is_parsed_like_the_cli(app: ExplorerApp) -> None:
    from explorer.ui.options_panel import parse_option

    assert parse_option("0.25") == 0.25
    assert parse_option("1,2,3") == [1, 2, 3]
    assert parse_option("true") is True
    assert parse_option("This is {}, really.") == "This is {}, really."


# ---------------------------------------------------------------------------- running


def test_running_a_zoo_checkpoint_fills_every_tab(app: ExplorerApp) -> None:
    _select(app, "text-classification")
    assert app.run()
    assert app.controller.error == ""
    assert "finished" in app.controller.status.value
    result = app.results.outcome.result
    assert result.type == "classification" and result.random_weights
    assert 'class="explorer-result"' in app.results.result.value
    assert "BertForSequenceClassification" in app.results.why.value
    assert "How the Auto class was resolved" in app.results.why.value
    assert "newly initialised" in app.results.why.value
    assert "from transformers import" in app.results.code.value
    assert "import explorer" not in app.results.code.value
    data = json.loads(_unescape(app.results.data.value.split(">", 1)[1].rsplit("</pre>", 1)[0]))
    assert data["type"] == "classification"
    assert data["labels"] == [{"label": l.label, "score": l.score} for l in result.labels]
    assert not app.controller.button.disabled


def _unescape(text: str) -> str:
    return html.unescape(text)


def test_bad_input_shows_one_line_and_no_traceback(app: ExplorerApp) -> None:
    _select(app, "fill-mask")
    app.inputs.controls["text"].box.value = "there is no mask in this sentence"
    assert app.run()
    error = app.controller.error
    assert "mask token" in error and "\n" not in error
    assert "ae-error" in app.controller.status.value
    assert "Traceback" not in app.controller.status.value
    app.inputs.controls["text"].box.value = ""
    app.run()
    assert "needs text" in app.controller.error
    assert not app.controller.button.disabled


def test_unexpected_errors_become_one_line(app: ExplorerApp,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(request, step):
        raise RuntimeError("boom\n  File 'x.py', line 1")

    monkeypatch.setattr("explorer.ui.application.execute", explode)
    _select(app, "text-classification")
    app.run()
    assert app.controller.error == "unexpected error (RuntimeError: boom)"
    assert "Traceback" in app.controller.last_traceback  # kept for debugging, never shown
    assert "Traceback" not in app.controller.status.value


def test_run_button_is_disabled_while_a_run_is_in_flight(zoo: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    threaded = ExplorerApp(threaded=True, online=False)
    release, started = threading.Event(), threading.Event()
    calls = []

    def slow(request, step):
        calls.append(request)
        started.set()
        step(3, "running")
        release.wait(30)
        from explorer.ui.runs import execute

        return execute(request)

    monkeypatch.setattr("explorer.ui.application.execute", slow)
    button = threaded.controller.button
    button.click()
    assert started.wait(30)
    assert button.disabled and threaded.controller.busy
    assert threaded.compare.button.disabled
    assert threaded.controller.progress.layout.display != "none"
    for _ in range(4):  # rapid clicks while busy start nothing
        button.click()
    assert not threaded.run()
    release.set()
    threaded.controller.wait(60)
    assert len(calls) == 1 and threaded.controller.runs == 1
    assert not button.disabled and not threaded.controller.busy
    assert "run #1 finished" in threaded.controller.status.value


def test_compare_runs_both_checkpoints_on_the_same_input(app: ExplorerApp,
                                                         manifest: dict) -> None:
    if "all-MiniLM-L6-v2" not in manifest:
        pytest.skip("the real all-MiniLM-L6-v2 checkpoint is not installed")
    _select(app, "feature-extraction")
    assert "zoo:all-MiniLM-L6-v2" in app.compare.choices
    assert app.checkpoints.checkpoint not in app.compare.choices
    assert app.compare_with("zoo:all-MiniLM-L6-v2")
    assert app.controller.error == ""
    assert "zoo:feature-extraction" in app.compare.left.value
    assert "zoo:all-MiniLM-L6-v2" in app.compare.right.value
    assert app.compare.left.value.count("explorer-result") == 1
    assert "random weights" in app.compare.left.value
    assert "random weights" not in app.compare.right.value.split("explorer-result")[0]


# ---------------------------------------------------------------------------- checkpoints


def test_online_only_entry_while_offline_gives_one_line(app: ExplorerApp) -> None:
    _select(app, "object-detection")
    hub = next(c for c in app.checkpoints.choices.values() if not c.offline)
    app.checkpoints.picker.value = hub.checkpoint
    assert app.checkpoints.checkpoint == ""
    assert "not found locally" in app.checkpoints.note and "HF_HUB_OFFLINE" in app.checkpoints.note
    app.run()
    assert "not found locally" in app.controller.error


def test_typed_checkpoint_that_cannot_serve_the_task_says_what_it_can(app: ExplorerApp) -> None:
    _select(app, "fill-mask")
    assert not app.checkpoints.use_typed("zoo:text-generation")
    assert "cannot serve fill-mask" in app.checkpoints.note
    assert "it can serve:" in app.checkpoints.note and "text-generation" in app.checkpoints.note
    assert not app.checkpoints.use_typed("/no/such/folder")
    assert "not a checkpoint directory" in app.checkpoints.note
    assert app.checkpoints.use_typed(str(Path(explorer.resolve("zoo:fill-mask").location)))
    assert app.checkpoints.choice.source == "local"


def test_hub_search_is_hidden_offline(app: ExplorerApp) -> None:
    assert app.checkpoints.search.layout.display == "none"
    assert "offline" in app.header.value


def test_offline_is_detected_without_hanging(monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingface_hub import constants

    started = time.perf_counter()
    assert not ck.hub_online()  # HF_HUB_OFFLINE=1 (tests): no probe at all
    assert time.perf_counter() - started < 0.5
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    ck.forget_probe()
    started = time.perf_counter()
    assert not ck.hub_online(timeout=0.5)  # the tests' network guard refuses the connection
    assert time.perf_counter() - started < 2.0
    ck.forget_probe()


def test_cache_entries_with_size_and_absent_cache(tmp_path: Path) -> None:
    assert ck.cache_choices(get_task("fill-mask"), tmp_path / "missing") == []
    repo = tmp_path / "hub" / "models--someone--tiny-bert"
    snapshot = repo / "snapshots" / ("a" * 40)
    snapshot.mkdir(parents=True)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("a" * 40)
    (repo / "blobs").mkdir()
    (repo / "blobs" / "c0ffee").write_text(json.dumps({"model_type": "bert"}))
    (snapshot / "config.json").symlink_to(Path("..", "..", "blobs", "c0ffee"))  # the HF layout
    found = ck.cache_choices(get_task("fill-mask"), tmp_path / "hub")
    assert [c.checkpoint for c in found] == ["someone/tiny-bert"]
    assert found[0].offline and "on disk" in found[0].label
    # bert has no detection class: not offered for object detection
    assert ck.cache_choices(get_task("object-detection"), tmp_path / "hub") == []


def test_uploaded_image_becomes_the_input(app: ExplorerApp) -> None:
    _select(app, "image-classification")
    control = app.inputs.controls["image"]
    data = (Path(explorer.__file__).parent / "examples" / "shapes.png").read_bytes()
    control.upload.value = ({"name": "my picture.png", "type": "image/png", "size": len(data),
                             "content": memoryview(data),
                             "last_modified": datetime.now(timezone.utc)},)
    path = Path(app.inputs.values()["image"])
    assert path.name == "my picture.png" and path.read_bytes() == data
    assert control.picker.value == "uploaded: my picture.png"


def test_explorer_app_is_displayable(zoo: Path) -> None:
    shown = explorer.app(task="fill-mask", threaded=False, online=False)
    bundle = shown._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert shown.catalog.task == "fill-mask" and shown.checkpoints.checkpoint == "zoo:fill-mask"
    by_checkpoint = explorer.app(checkpoint="zoo:text-classification", threaded=False,
                                 online=False)
    assert by_checkpoint.catalog.task == "text-classification"
    assert by_checkpoint.checkpoints.checkpoint == "zoo:text-classification"


def test_curated_hub_ids_name_known_tasks() -> None:
    from explorer.ui.checkpoints import CURATED

    for tag, ids in CURATED.items():
        assert get_task(tag).runner is not None, tag
        assert ids and all(i.count("/") == 1 for i in ids), tag
