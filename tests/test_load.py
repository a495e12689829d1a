"""load(): safe by default, reports what happened, estimates memory first, caches."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import explorer
from explorer.errors import OverBudget, UnsafeCheckpoint
from explorer.loading import clear_cache
from explorer.memory import estimate


@pytest.fixture
def pickle_only(zoo: Path, tmp_path: Path) -> Path:
    """The text-classification checkpoint with its weights re-saved as a pickle file."""
    import torch
    from safetensors.torch import load_file

    copy = tmp_path / "pickle-only"
    shutil.copytree(zoo / "text-classification", copy)
    weights = copy / "model.safetensors"
    torch.save(load_file(weights), copy / "pytorch_model.bin")
    weights.unlink()
    return copy


def test_pickle_only_checkpoint_is_refused_with_the_reason(pickle_only: Path) -> None:
    with pytest.raises(UnsafeCheckpoint, match="pickle.*arbitrary code.*allow_pickle=True"):
        explorer.load(str(pickle_only))


def test_pickle_is_loaded_when_the_caller_allows_it(pickle_only: Path, zoo: Path) -> None:
    loaded = explorer.load(str(pickle_only), allow_pickle=True, use_cache=False)
    safe = explorer.load(str(zoo / "text-classification"), use_cache=False)
    import torch

    for (name, a), (_, b) in zip(loaded.model.state_dict().items(), safe.model.state_dict().items()):
        assert torch.equal(a, b), name


def test_over_budget_is_refused_before_loading(zoo: Path) -> None:
    with pytest.raises(OverBudget, match="over the .* budget"):
        explorer.load(str(zoo / "text-classification"), memory_budget=10_000, use_cache=False)


def test_memory_estimate_matches_the_loaded_model(zoo: Path) -> None:
    loaded = explorer.load(str(zoo / "text-generation"), use_cache=False)
    params = sum(p.numel() * p.element_size() for p in loaded.model.parameters())
    # safetensors stores tied weights once; the estimate is within 10 % of the parameters.
    assert abs(loaded.report.estimated_bytes - params) / params < 0.1
    half = estimate(str(zoo / "text-generation")).bytes_for("float16")
    assert abs(half * 2 - loaded.report.estimated_bytes) <= 8


def test_load_report_flags_newly_initialised_heads(zoo: Path) -> None:
    loaded = explorer.load(str(zoo / "feature-extraction"), "text-classification", use_cache=False)
    assert {"classifier.weight", "classifier.bias"} <= set(loaded.report.newly_initialized)
    assert any("newly initialised" in w for w in loaded.report.warnings)
    assert loaded.random_weights
    report = loaded.report.to_dict()
    assert report["parameters"] > 0 and report["bytes"] > 0
    assert report["dtype"] == "float32" and report["device"] == "cpu"


def test_base_weights_into_their_own_head_report_nothing_missing(zoo: Path) -> None:
    loaded = explorer.load(str(zoo / "fill-mask"), use_cache=False)
    assert loaded.report.missing == ()
    assert loaded.report.newly_initialized == ()


def test_dtype_is_applied(zoo: Path) -> None:
    loaded = explorer.load(str(zoo / "text-classification"), dtype="bfloat16", use_cache=False)
    assert loaded.report.dtype == "bfloat16"
    result = explorer.run(str(zoo / "text-classification"), text="good", dtype="bfloat16")
    assert len(result.labels) == 2
    with pytest.raises(explorer.ExplorerError, match="unknown dtype"):
        explorer.load(str(zoo / "text-classification"), dtype="float8")


def test_second_load_comes_from_the_cache(zoo: Path) -> None:
    clear_cache()
    first = explorer.load(str(zoo / "question-answering"))
    again = explorer.load(str(zoo / "question-answering"))
    assert again is first
    other = explorer.load(str(zoo / "question-answering"), dtype="float16")
    assert other is not first


def test_output_attentions_switches_to_eager_and_returns_them(zoo: Path) -> None:
    result = explorer.run(str(zoo / "text-classification"), text="the cat sat",
                          output_attentions=True)
    assert result.attentions is not None and len(result.attentions) == 2  # two layers
    heads, q, k = result.attentions[0].shape
    assert heads == 2 and q == k == len(result.tokens)
    assert result.to_dict()["attention_shapes"] == [[2, q, k], [2, q, k]]


def test_device_that_is_absent_is_a_clear_error(zoo: Path) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    with pytest.raises(explorer.ExplorerError, match="no CUDA GPU"):
        explorer.load(str(zoo / "text-classification"), device="cuda")
