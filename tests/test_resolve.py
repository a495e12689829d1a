"""resolve(): what a checkpoint is, which classes the Auto classes pick, and why (no weights)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import explorer
from explorer.cli import main
from explorer.errors import CheckpointNotFound, IncompatibleTask, UnsafeCheckpoint


def test_resolve_reads_the_config_and_explains(zoo: Path) -> None:
    res = explorer.resolve(str(zoo / "fill-mask"))
    assert res.model_type == "bert"
    assert res.architectures == ("BertForMaskedLM",)
    assert res.task == "AutoModelForMaskedLM"  # picked from architectures
    assert res.model_class == "BertForMaskedLM"
    assert res.preprocessor_class == "BertTokenizer"
    assert res.random_weights is False and res.checkpoint_kind == "toy"  # trained on the text world
    assert res.toy_headline.startswith("toy model, trained on the text world")
    assert any("architectures" in line for line in res.trace)
    assert any("BertConfig → BertForMaskedLM" in line for line in res.trace)
    assert "AutoModelForSequenceClassification" in res.tasks
    assert "AutoModelForObjectDetection" not in res.tasks


def test_resolve_with_task_picks_that_auto_class(zoo: Path) -> None:
    res = explorer.resolve(str(zoo / "fill-mask"), "text-classification")
    assert res.model_class == "BertForSequenceClassification"
    assert any("newly initialised" in line for line in res.trace)


def test_zoo_names_resolve(zoo: Path) -> None:
    res = explorer.resolve("zoo:text-generation")
    assert res.source == "zoo" and res.model_class == "GPT2LMHeadModel"


def test_wrong_task_lists_what_the_checkpoint_can_serve(zoo: Path) -> None:
    with pytest.raises(IncompatibleTask) as info:
        explorer.resolve(str(zoo / "fill-mask"), "object-detection")
    message = str(info.value)
    assert "cannot serve object-detection" in message
    assert "fill-mask" in message and "text-classification" in message
    assert "\n" not in message


def test_resolve_reads_no_weights(zoo: Path, tmp_path: Path) -> None:
    copy = tmp_path / "no-weights"
    shutil.copytree(zoo / "text-classification", copy)
    for weights in copy.glob("*.safetensors"):
        weights.unlink()
    res = explorer.resolve(str(copy))
    assert res.model_class == "BertForSequenceClassification"
    assert res.weight_files == ()


def test_missing_checkpoint_offline_says_what_to_do() -> None:
    with pytest.raises(CheckpointNotFound, match="zoo:<task>"):
        explorer.resolve("some-org/model-that-is-not-cached")
    with pytest.raises(CheckpointNotFound, match="not a checkpoint directory"):
        explorer.resolve("./no/such/dir")


def test_remote_code_config_is_refused(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({
        "model_type": "my-secret-arch", "architectures": ["MySecretModel"],
        "auto_map": {"AutoConfig": "modeling_secret.SecretConfig"}}))
    with pytest.raises(UnsafeCheckpoint, match="trust_remote_code=True"):
        explorer.resolve(str(tmp_path))


def test_resolve_json_cli(zoo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["resolve", str(zoo / "question-answering"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"checkpoint", "model_type", "architectures", "tasks", "task", "model_class",
            "preprocessor", "trace"} <= set(data)
    assert data["task"] == "AutoModelForQuestionAnswering"
    saved = json.loads((zoo / "question-answering" / "config.json").read_text())
    assert data["model_class"] == saved["architectures"][0]
    assert "question-answering" in data["tasks"]


def test_resolve_cli_errors_are_one_line(zoo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["resolve", str(zoo / "fill-mask"), "--task", "depth-estimation"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


def _fake_hub_cache(zoo: Path, cache: Path, repo: str, source: str) -> None:
    """Lay out a checkpoint the way huggingface_hub caches a download."""
    commit = "0123456789abcdef0123456789abcdef01234567"
    root = cache / f"models--{repo.replace('/', '--')}"
    (root / "refs").mkdir(parents=True)
    (root / "refs" / "main").write_text(commit)
    shutil.copytree(zoo / source, root / "snapshots" / commit)


def test_hub_ids_resolve_and_run_from_the_local_cache_offline(zoo: Path, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    cache = tmp_path / "hub"
    _fake_hub_cache(zoo, cache, "teaching/tiny-bert-sentiment", "text-classification")
    env = {**os.environ, "HF_HUB_CACHE": str(cache), "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-m", "explorer", "resolve",
                          "teaching/tiny-bert-sentiment", "--json"],
                         capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["source"] == "cache" and data["location"] == "teaching/tiny-bert-sentiment"
    assert data["model_class"] == "BertForSequenceClassification"
    assert data["preprocessor"] == "BertTokenizer"
    run = subprocess.run([sys.executable, "-m", "explorer", "run", "teaching/tiny-bert-sentiment",
                          "--text", "good", "--json"], capture_output=True, text=True, env=env,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    assert {l["label"] for l in json.loads(run.stdout)["labels"]} == {"negative", "positive"}


def test_default_task_prefers_the_one_matching_the_shipped_preprocessors(zoo: Path) -> None:
    # LayoutLMv3ForQuestionAnswering serves text QA and document QA; the checkpoint ships an
    # image processor, so document QA is meant.
    res = explorer.resolve(str(zoo / "document-question-answering"))
    assert res.task == "AutoModelForDocumentQuestionAnswering"
    assert res.preprocessor["AutoImageProcessor"] == "LayoutLMv3ImageProcessor"
    assert explorer.resolve(str(zoo / "question-answering")).task == "AutoModelForQuestionAnswering"
    assert explorer.resolve(str(zoo / "feature-extraction")).task == "AutoModel"


def test_nested_processor_configs_name_their_parts(zoo: Path) -> None:
    res = explorer.resolve(str(zoo / "zero-shot-image-classification"))
    assert res.preprocessor == {"AutoTokenizer": "CLIPTokenizer",
                                "AutoImageProcessor": "CLIPImageProcessor",
                                "AutoProcessor": "CLIPProcessor"}
    assert any("processor_config.json (image_processor)" in line for line in res.trace)


def test_encoder_decoder_checkpoints_default_to_generation(zoo: Path) -> None:
    res = explorer.resolve(str(zoo / "text2text-generation"))  # BART also maps to fill-mask
    assert res.task == "AutoModelForSeq2SeqLM"
    assert explorer.resolve(str(zoo / "automatic-speech-recognition")).task == \
        "AutoModelForSpeechSeq2Seq"


# Zoo entries whose class is shared with a broader default: LLaVA is image-text-to-text first,
# and BertModel is AutoModel's before it is the text encoder's.
SHARED_CLASS_DEFAULTS = {"any-to-any": "AutoModelForImageTextToText",
                         "text-encoding": "AutoModel"}


def test_every_zoo_checkpoint_defaults_to_its_own_task(manifest: dict, zoo: Path) -> None:
    for name, entry in manifest.items():
        expected = SHARED_CLASS_DEFAULTS.get(name, entry["auto_class"])
        assert explorer.resolve(str(zoo / name)).task == expected, name
