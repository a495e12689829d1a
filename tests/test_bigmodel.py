"""Past one machine's memory: estimates before loading, big-model loading with offloading, the
device-map view, one LoadOptions for every entry point, and the budget read per call."""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import explorer
from explorer.errors import BadInput, ExplorerError, OverBudget
from explorer.load_options import (
    LoadOptions,
    default_budget,
    parse_max_memory,
    parse_size,
)
from explorer.loading import clear_cache
from explorer.memory import Tensor, estimate, from_tensors

TEXT = "the cat sat on the mat"
MiB = 2**20


@pytest.fixture(scope="session")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ~200 MB BERT-base-sized classifier (4 layers) with random weights, saved once."""
    import torch
    from accelerate import init_empty_weights
    from accelerate.utils import set_module_tensor_to_device
    from transformers import BertConfig, BertForSequenceClassification

    from explorer.resolution import RANDOM_WEIGHTS_KEY
    from explorer.zoo.common import bert_tokenizer

    folder = tmp_path_factory.mktemp("big") / "bert-200mb"
    config = BertConfig(hidden_size=768, num_hidden_layers=4, num_attention_heads=12,
                        intermediate_size=3072, vocab_size=30522, num_labels=3)
    setattr(config, RANDOM_WEIGHTS_KEY, True)  # it is random: results and views say so
    with init_empty_weights():  # parameters on meta, buffers real; filled below (fast)
        model = BertForSequenceClassification(config)
    generator = torch.Generator().manual_seed(0)
    for name, param in list(model.named_parameters()):
        value = torch.randn(param.shape, generator=generator) * 0.02
        set_module_tensor_to_device(model, name, "cpu", value=value)
    model.save_pretrained(folder)
    bert_tokenizer(model_max_length=128).save_pretrained(folder)
    return folder


def _loaded_bytes(model: Any) -> int:
    return sum(t.numel() * t.element_size() for t in [*model.parameters(), *model.buffers()])


# ---------------------------------------------------------------------------- estimates


def test_estimate_matches_the_files_and_the_loaded_bytes(big: Path) -> None:
    found = estimate(str(big))
    assert found.source == "safetensors headers"
    weights = big / "model.safetensors"
    header = int.from_bytes(weights.read_bytes()[:8], "little") + 8
    assert found.stored_bytes == weights.stat().st_size - header  # every byte of data counted
    assert found.largest_layer == "bert.embeddings.word_embeddings"
    assert found.largest_layer_bytes == 30522 * 768 * 4
    for dtype in ("float32", "float16"):
        loaded = explorer.load(str(big), dtype=dtype, use_cache=False)
        actual = _loaded_bytes(loaded.model)
        error = abs(found.bytes_for(dtype) - actual) / actual
        assert error < 0.05, (dtype, found.bytes_for(dtype), actual)
        assert loaded.report.estimated_bytes == found.bytes_for(dtype)
    assert found.per_dtype["bfloat16"] == found.per_dtype["float16"]
    assert found.per_dtype["int8"] < found.per_dtype["float16"] < found.per_dtype["float32"]
    assert found.headroom("float32") == int(found.per_dtype["float32"] * 0.2)


def test_estimate_without_weights_builds_the_model_on_the_meta_device(big: Path,
                                                                       tmp_path: Path) -> None:
    bare = tmp_path / "config-only"
    bare.mkdir()
    (bare / "config.json").write_text((big / "config.json").read_text())
    found = estimate(str(bare), "text-classification")
    assert found.source.startswith("meta-device build")
    headers = estimate(str(big))
    assert abs(found.bytes_for("float32") - headers.stored_bytes) / headers.stored_bytes < 0.05


def test_estimate_reads_the_hub_metadata_for_hub_ids(big: Path, monkeypatch: Any) -> None:
    from huggingface_hub import HfApi

    res = dataclasses.replace(explorer.resolve(str(big)), source="hub", location="org/bert")
    info = type("Info", (), {"dtype": "BF16", "shape": [1000, 10]})
    repo = type("Repo", (), {"files_metadata": {
        "model.safetensors": type("File", (), {"tensors": {"encoder.layer.0.w": info}})}})
    asked = []
    monkeypatch.setattr(HfApi, "get_safetensors_metadata",
                        lambda self, repo_id, revision=None: asked.append(repo_id) or repo)
    found = estimate(res, online=True)
    assert asked == ["org/bert"] and found.source == "hub safetensors metadata"
    assert found.stored_dtype == "bfloat16" and found.stored_bytes == 20_000
    assert found.per_dtype["float32"] == 40_000 and found.largest_layer == "encoder.layer.0"


def test_int_tensors_keep_their_size_at_every_dtype() -> None:
    found = from_tensors("x", "test", [Tensor("emb.weight", "F32", 100),
                                       Tensor("emb.position_ids", "I64", 10)])
    assert found.parameters == 100
    assert found.per_dtype == {"float32": 480, "float16": 280, "bfloat16": 280, "int8": 180,
                               "int4": 130}


def test_a_failed_estimate_is_a_warning_not_zero_bytes(big: Path, monkeypatch: Any) -> None:
    import explorer.memory

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ExplorerError("no weights to read")

    monkeypatch.setattr(explorer.memory, "estimate", broken)
    loaded = explorer.load(str(big), memory_budget=1, use_cache=False)
    assert loaded.report.estimated_bytes is None
    assert any("memory not estimated" in w and "budget was not checked" in w
               for w in loaded.report.warnings)


# ---------------------------------------------------------------------------- offloading


def test_offloaded_run_matches_the_plain_run_and_puts_layers_on_disk(big: Path,
                                                                      tmp_path: Path) -> None:
    clear_cache()
    started = time.perf_counter()
    plain = explorer.run(str(big), text=TEXT)
    plain_seconds = time.perf_counter() - started
    started = time.perf_counter()
    offloaded = explorer.run(str(big), text=TEXT, max_memory={"cpu": "120MiB"},
                             offload_folder=str(tmp_path / "offload"))
    offload_seconds = time.perf_counter() - started
    print(f"\nplain load+run {plain_seconds:.2f} s, offloaded {offload_seconds:.2f} s")
    assert [x.label for x in offloaded.labels] == [x.label for x in plain.labels]
    assert np.allclose([x.score for x in offloaded.labels], [x.score for x in plain.labels],
                       atol=1e-5)
    assert np.allclose(offloaded.logits, plain.logits, atol=1e-5)
    loaded = explorer.load(str(big), max_memory={"cpu": "120MiB"},
                           offload_folder=str(tmp_path / "offload"))
    device_map = loaded.model.hf_device_map
    assert "disk" in device_map.values() and "cpu" in device_map.values()
    assert loaded.report.device == "cpu + disk"
    on_cpu = sum(size for _, device, size in loaded.report.placement if device == "cpu")
    assert on_cpu <= 120 * MiB < sum(size for _, _, size in loaded.report.placement)
    assert loaded.report.to_dict()["device_map"] == {k: str(v) for k, v in device_map.items()}
    assert offloaded.random_weights and plain.placement is None


def test_device_map_view_renders_and_names_each_device(big: Path) -> None:
    from explorer import render
    from explorer.render.device_map import lane_summary, placement_figure

    result = explorer.run(str(big), text=TEXT, device_map="sequential",
                          max_memory={"cpu": "150MiB"})
    assert "device_map" in render.views(result)
    fig = render.render(result, "device_map")
    gids = {p.get_gid() for ax in fig.axes for p in ax.patches if p.get_gid()}
    assert {g.rsplit(":", 1)[1] for g in gids} == {"cpu", "disk"}
    assert "module:bert.encoder.layer.3:disk" in gids
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[0].startswith("cpu") and labels[1].startswith("disk")
    assert "device map" in render.to_html(result)
    assert len(render.to_png(result, "device_map")) > 5000
    plain = explorer.run(str(big), text=TEXT)
    assert "device_map" not in render.views(plain)
    assert placement_figure([("", "cuda:0", 10), ("lm_head", "disk", 5)]).axes
    assert lane_summary(["model.embed", *[f"model.layers.{i}" for i in range(4)], "lm_head"]) \
        == "embed · layers 0–3 · lm_head"


def test_over_budget_is_refused_with_offloading_that_works(big: Path) -> None:
    with pytest.raises(OverBudget) as refused:
        explorer.load(str(big), memory_budget="100MiB", use_cache=False)
    message = str(refused.value)
    assert "device_map='auto'" in message and "max_memory={'cpu': '100MiB'}" in message
    assert "--device-map auto --max-memory cpu=100MiB --offload-folder" in message
    offload = refused.value.offload
    assert offload.device_map == "auto" and offload.max_memory == {"cpu": "100MiB"}
    loaded = explorer.load(str(big), load_options=offload, use_cache=False)
    assert "disk" in {device for _, device, _ in loaded.report.placement}


def test_budget_is_read_when_loading_not_at_import(big: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("EXPLORER_MEMORY_BUDGET_GB", "0.05")
    with pytest.raises(OverBudget, match="51.2 MiB memory budget"):
        explorer.load(str(big), use_cache=False)
    monkeypatch.setenv("EXPLORER_MEMORY_BUDGET_GB", "1")
    assert explorer.load(str(big), use_cache=False).report.device == "cpu"
    monkeypatch.delenv("EXPLORER_MEMORY_BUDGET_GB")
    monkeypatch.setenv("MEM_LIMIT", str(2 * 2**30))  # what Binder sets: 2 GB
    assert default_budget() <= 2**30  # half of it: the kernel and the cache need the rest


def test_cache_tells_big_model_loads_apart(big: Path) -> None:
    clear_cache()
    plain = explorer.load(str(big))
    assert explorer.load(str(big)) is plain
    capped = explorer.load(str(big), max_memory={"cpu": "120MiB"})
    assert capped is not plain
    assert explorer.load(str(big), load_options=LoadOptions(max_memory="cpu=120MiB")) is capped
    assert explorer.load(str(big), max_memory={"cpu": "150MiB"}) is not capped
    clear_cache()


def test_quantization_without_a_gpu_is_one_clear_line(big: Path) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    with pytest.raises(ExplorerError, match="needs a CUDA GPU") as failed:
        explorer.load(str(big), quantization="4bit", use_cache=False)
    assert "\n" not in str(failed.value)


# ---------------------------------------------------------------------------- LoadOptions


def test_load_options_parse_and_refuse_with_one_line() -> None:
    assert parse_max_memory("cpu=2GiB, 0=20GiB") == {"cpu": "2GiB", 0: "20GiB"}
    assert parse_max_memory({"cuda:1": "3GB", "cpu": 2**30}) == {1: "3GB", "cpu": 2**30}
    assert parse_size("1.5GiB") == 3 * 2**29 and parse_size("500MB") == 500 * 10**6
    options = LoadOptions(max_memory="cpu=2GiB")
    assert options.device_map == "auto" and options.big_model  # a cap means a device map
    for bad, match in [({"max_memory": "cpu:2GiB"}, "DEVICE=SIZE"),
                       ({"max_memory": "gpu=2GiB"}, "not cpu, disk"),
                       ({"max_memory": "cpu=lots"}, "memory size"),
                       ({"device_map": "everywhere"}, "unknown device_map"),
                       ({"quantization": "2bit"}, "8bit or 4bit"),
                       ({"dtype": "float8"}, "unknown dtype")]:
        with pytest.raises(BadInput, match=match):
            LoadOptions(**bad)
    merged, rest = LoadOptions.split(LoadOptions(dtype="float16"), device_map="balanced", top_k=3)
    assert (merged.dtype, merged.device_map, rest) == ("float16", "balanced", {"top_k": 3})


def test_run_keeps_its_load_keywords(big: Path) -> None:
    result = explorer.run(str(big), text=TEXT, dtype="bfloat16", device="cpu", revision=None,
                          allow_pickle=False, trust_remote_code=False, memory_budget=2**31)
    assert len(result.labels) == 3
    loaded = explorer.load(str(big), dtype="bfloat16", device="cpu")
    assert loaded.report.dtype == "bfloat16" and loaded.load_options.dtype == "bfloat16"


def test_snippet_loads_with_the_same_device_map(big: Path) -> None:
    from explorer.snippets import snippet

    result = explorer.run(str(big), text=TEXT, max_memory={"cpu": "120MiB"})
    code = snippet(str(big), "text-classification", {"text": TEXT},
                   max_memory={"cpu": "120MiB"})
    assert "device_map='auto', max_memory={'cpu': '120MiB'}" in code
    assert "model.to(" not in code
    namespace: dict[str, Any] = {}
    exec(compile(code, "<snippet>", "exec"), namespace)  # noqa: S102 - our own output
    expected = {x.label: x.score for x in result.labels}
    assert np.allclose([namespace["scores"][k] for k in expected], list(expected.values()),
                       atol=1e-5)
    four_bit = snippet(str(big), "text-classification", {"text": TEXT}, quantization="4bit")
    assert "quantization_config=BitsAndBytesConfig(load_in_4bit=True" in four_bit
    assert "BitsAndBytesConfig" in four_bit.split("checkpoint =")[0]  # imported


# ---------------------------------------------------------------------------- CLI


def test_cli_estimate_and_offloading_flags(big: Path, tmp_path: Path, capsys: Any) -> None:
    from explorer.cli import main

    assert main(["estimate", str(big), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["bytes"]["float16"] * 2 == data["bytes"]["float32"]
    assert data["largest_layer"] == "bert.embeddings.word_embeddings"
    assert main(["estimate", str(big)]) == 0
    assert "largest layer" in capsys.readouterr().out
    clear_cache()  # a model already in memory is reused whatever the budget
    assert main(["run", str(big), "--text", TEXT, "--memory-budget", "100MiB"]) == 2
    err = capsys.readouterr().err
    assert "--device-map auto --max-memory cpu=100MiB --offload-folder" in err
    assert main(["run", str(big), "--text", TEXT, "--json", "--max-memory", "cpu=120MiB",
                 "--offload-folder", str(tmp_path / "off")]) == 0
    assert json.loads(capsys.readouterr().out)["type"] == "classification"
    assert main(["run", str(big), "--text", TEXT, "--max-memory", "cpu"]) == 2
    assert "DEVICE=SIZE" in capsys.readouterr().err


# ---------------------------------------------------------------------------- dashboard


def test_dashboard_shows_the_estimate_and_offers_offloading(zoo: Path, monkeypatch: Any) -> None:
    from explorer.ui.application import ExplorerApp

    app = ExplorerApp(threaded=False, online=False, task="text-classification")
    details = app.checkpoints.details.value
    assert "memory before loading" in details and "float16" in details and "int4" in details
    assert "largest layer" in details
    clear_cache()
    monkeypatch.setenv("EXPLORER_MEMORY_BUDGET_GB", "0.00001")
    assert app.run() and "memory budget" in app.controller.error
    assert app.options.device_map.value == "auto" and app.options.max_memory.value
    assert "press Run" in app.options.offer.value
    load, _ = app.options.values()
    assert load["device_map"] == "auto" and load["offload_folder"]
    assert app.run() and app.controller.error == ""
    assert "device map" in app.results.result.value and "device map" in app.results.why.value
    assert "device_map=" in app.results.code.value
    clear_cache()


# ---------------------------------------------------------------------------- GPU check


def test_gpu_check_says_so_and_exits_zero_without_cuda(monkeypatch: Any, capsys: Any) -> None:
    import importlib.util

    import torch

    path = Path(__file__).resolve().parent.parent / "benchmarks" / "gpu_check.py"
    spec = importlib.util.spec_from_file_location("gpu_check", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert module.main([]) == 0
    assert "no CUDA device" in capsys.readouterr().out
    same = {"labels": ["a", "b"], "scores": [0.6, 0.4]}
    assert module.agree(same, {"labels": ["a", "b"], "scores": [0.61, 0.39]}, 0.02)
    assert not module.agree(same, {"labels": ["b", "a"], "scores": [0.6, 0.4]}, 0.02)
    assert not module.agree(same, {"labels": ["a", "b"], "scores": [0.7, 0.3]}, 0.02)
