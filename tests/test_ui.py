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
    # a toy trained on the text world: its badge says so, with its measured quality
    assert not app.checkpoints.random_weights
    assert "toy model, trained on the text world" in app.checkpoints.badge.value
    assert "random weights" not in app.checkpoints.badge.value
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
        own = labels.index(next(t for t in labels if t.startswith(f"zoo · {task} ")))
        before = [app.checkpoints.choices[c] for _, c in app.checkpoints.picker.options[:own]]
        # Only real checkpoints built for this very head come before the task's zoo entry.
        assert all(not c.random_weights and explorer.resolve(c.checkpoint).task == auto
                   for c in before), before
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
    entry = ck.zoo_entry(app.checkpoints.checkpoint) or {}
    assert Path(app.inputs.values()["audio"]).name == entry["example"]["audio"]


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
    # zoo:text-classification is a toy trained on the text world: its answer means something
    assert result.type == "classification" and not result.random_weights
    assert result.labels[0].label in ("positive", "negative")
    assert 'class="explorer-result"' in app.results.result.value
    assert "BertForSequenceClassification" in app.results.why.value
    assert "How the Auto class was resolved" in app.results.why.value
    assert "newly initialised" in app.results.why.value
    assert "from transformers import" in app.results.code.value
    assert "import explorer" not in app.results.code.value
    data = json.loads(_unescape(app.results.data.value.split(">", 1)[1].rsplit("</pre>", 1)[0]))
    assert data["type"] == "classification"
    assert [x["label"] for x in data["labels"]] == [label.label for label in result.labels]
    assert data["labels"][0]["score"] == pytest.approx(result.labels[0].score, abs=1e-5)
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
    # GUI words, not the CLI's flags: the field is named as the page titles it.
    assert app.controller.error == ("fill-mask needs text input: fill in the “Text” field under "
                                    "Input")
    assert app.inputs.controls["text"].widget.children[0].value.count(">Text<") == 1
    assert not app.controller.button.disabled
    app.inputs.controls["text"].box.value = "Paris is the [MASK] of France."
    assert app.controller.error == "" and app.controller.status.value == ""  # edited: line goes


def test_a_bad_option_names_its_control_in_plain_words(app: ExplorerApp) -> None:
    _select(app, "text-classification")
    app.options.run_controls["top_k"].value = "many"
    app.run()
    assert app.controller.error.startswith("option “top-k” should be a whole number (it reads ")
    assert app.options.run_controls["top_k"].description == "top-k"
    app.options.run_controls["top_k"].value = ""


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
    app.checkpoints.picker.value = "zoo:feature-extraction"  # the real one is the default
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


def test_curated_hub_ids_match_the_model_types_of_their_tasks() -> None:
    """Each curated id carries its config's model_type; a task offers it only when its Auto class
    maps that type (checked against the catalog's model_types, read from transformers)."""
    from explorer.ui.checkpoints import CURATED

    for tag, ids in CURATED.items():
        assert get_task(tag).runner is not None, tag
        assert ids and all(i.count("/") == 1 for i, _ in ids), tag
        specs = [s for s in explorer.tasks() if tag in s.tags or tag == s.auto_class]
        for repo_id, model_type in ids:
            assert any(model_type in s.model_types for s in specs), (tag, repo_id, model_type)
    for spec in explorer.tasks():
        if spec.runner is None:
            continue
        types = dict(i for tag in (*spec.tags, spec.auto_class) for i in CURATED.get(tag, ()))
        for choice in ck.curated_choices(spec):
            assert types[choice.checkpoint] in spec.model_types, (spec.task, choice.checkpoint)
    for transducer in ("rnnt", "tdt"):  # they share automatic-speech-recognition with Whisper
        assert "openai/whisper-tiny" not in {c.checkpoint for c in
                                             ck.curated_choices(get_task(transducer))}


def test_a_real_body_under_a_new_head_is_not_called_real_weights(app: ExplorerApp,
                                                                 manifest: dict) -> None:
    if "all-MiniLM-L6-v2" not in manifest:
        pytest.skip("the real all-MiniLM-L6-v2 checkpoint is not installed")
    labels = {}
    for task in ("feature-extraction", "text-classification"):
        _select(app, task)
        choice = app.checkpoints.choices["zoo:all-MiniLM-L6-v2"]
        labels[task] = choice.label
        assert choice.random_weights == (task != "feature-extraction")
    assert labels["feature-extraction"].endswith("real weights")
    assert labels["text-classification"].endswith("real body, new random head")
    _select(app, "text-classification")
    app.checkpoints.picker.value = "zoo:all-MiniLM-L6-v2"
    assert "random weights" in app.checkpoints.badge.value


# ---------------------------------------------------------------------------- state on screen


def test_a_task_switch_clears_the_views_of_the_old_request(app: ExplorerApp,
                                                          manifest: dict) -> None:
    _select(app, "text-classification")
    assert app.run() and app.results.outcome is not None
    app.compare.left.value = app.compare.right.value = "<div class='explorer-result'>old</div>"
    _select(app, "fill-mask")
    assert app.results.outcome is None
    assert "Run a checkpoint" in app.results.result.value
    assert all("Run a checkpoint" in tab.value for tab in app.results.tabs.children)
    assert app.compare.left.value == app.compare.right.value == ""
    assert app.controller.status.value == ""
    assert app.run() and "fill-mask" in app.results.why.value
    app.checkpoints.picker.value = next(c for c in app.checkpoints.choices
                                        if c != "zoo:fill-mask")  # a checkpoint change, too
    assert app.results.outcome is None


def test_a_failed_run_leaves_no_result_of_an_earlier_request(app: ExplorerApp) -> None:
    _select(app, "fill-mask")
    app.checkpoints.picker.value = "zoo:fill-mask"  # its example input is filled in
    assert app.run() and app.results.outcome is not None, app.controller.error
    app.inputs.controls["text"].box.value = "no mask token here"
    app.run()
    assert "mask token" in app.controller.error
    assert app.results.outcome is None and "Run a checkpoint" in app.results.result.value
    app.inputs.controls["text"].box.value = ""


def test_an_outcome_for_a_request_no_longer_on_screen_is_dropped(
        zoo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    threaded = ExplorerApp(threaded=True, online=False)
    release, started = threading.Event(), threading.Event()

    def slow(request, step):
        started.set()
        release.wait(30)
        from explorer.ui.runs import execute

        return execute(request)

    monkeypatch.setattr("explorer.ui.application.execute", slow)
    threaded.catalog.task = "text-classification"
    assert threaded.run() and started.wait(30)
    threaded.catalog.task = "fill-mask"  # switched while the run is in flight
    release.set()
    threaded.controller.wait(60)
    assert threaded.results.outcome is None
    assert "Run a checkpoint" in threaded.results.result.value
    status = threaded.controller.status.value
    assert "not shown: it was for text-classification" in status and "ae-error" not in status


def test_compare_errors_stay_in_the_compare_section(app: ExplorerApp) -> None:
    _select(app, "object-detection")
    hub = next(c for c in app.checkpoints.choices.values() if not c.offline)
    app.controller.status.value = ""
    assert not app.compare_with(hub.checkpoint)
    assert "not found locally" in app.compare.status.value
    assert app.controller.status.value == ""  # the Run section says nothing
    _select(app, "fill-mask")
    assert app.compare.status.value == ""  # cleared with the request it was about


def test_a_typed_id_that_fails_says_what_run_still_uses(app: ExplorerApp) -> None:
    _select(app, "fill-mask")
    app.checkpoints.picker.value = "zoo:fill-mask"
    app.checkpoints.typed.value = "zoo:text-generation"  # typed, then Enter
    assert app.checkpoints.checkpoint == "zoo:fill-mask"
    assert app.checkpoints.note.endswith("(Run still uses zoo:fill-mask)")
    assert "ae-error" in app.checkpoints.status.value
    app.checkpoints.typed.value = ""  # emptying the box takes its error away
    assert app.checkpoints.note == "" and app.checkpoints.status.value == ""


@pytest.fixture
def partial_zoo(zoo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A zoo left by an older build: the session zoo's entries but one (linked, never written)."""
    entries = json.loads((zoo / "zoo.json").read_text())["entries"]
    entries.pop("mask-generation")
    for name in entries:
        (tmp_path / name).symlink_to(zoo / name, target_is_directory=True)
    (tmp_path / "zoo.json").write_text(json.dumps({"entries": entries}))
    monkeypatch.setenv("EXPLORER_ZOO", str(tmp_path))
    return tmp_path


def test_a_zoo_missing_entries_offers_to_build_them(partial_zoo: Path) -> None:
    partial = ExplorerApp(threaded=False, online=False, task="mask-generation")
    picked = partial.checkpoints
    assert picked.checkpoint == "" and picked.picker.value is None  # nothing online-only picked
    assert "no mask-generation checkpoint yet" in picked.note and "explorer zoo" in picked.note
    assert "ae-error" in picked.status.value  # the reason stays on screen ...
    assert partial.controller.button.disabled  # ... and Run is off, saying why
    assert partial.controller.button.tooltip == picked.note
    assert partial.zoo_button.layout.display != "none"
    assert partial.zoo_button.description.endswith("(1)")
    partial.zoo_button.click()
    assert "1 demo checkpoints built" in partial.zoo_status.value
    assert (partial_zoo / "mask-generation" / "config.json").is_file()
    assert picked.checkpoint == "zoo:mask-generation" and picked.note == ""
    assert not partial.controller.button.disabled
    assert partial.zoo_button.layout.display == "none"
