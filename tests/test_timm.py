"""The users' stack: timm backbones (the form of the real facebook/detr-resnet-50 and
microsoft/table-transformer-detection) and timm models through TimmWrapper, built offline, run
through resolve / load / run / render, with the trace saying what timm does."""

from __future__ import annotations

from pathlib import Path

import pytest

import explorer

DETR_SIZES = dict(d_model=32, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
                  decoder_attention_heads=2, encoder_ffn_dim=64, decoder_ffn_dim=64, num_queries=5)


def _save_timm_detector(folder: Path, model_type: str) -> Path:
    import torch
    from transformers import AutoConfig, AutoModelForObjectDetection, DetrImageProcessor

    # As the real checkpoints' configs say: a timm ResNet, its weights inside the checkpoint
    # (use_pretrained_backbone=False: nothing is fetched from the hub).
    config = AutoConfig.for_model(model_type, use_timm_backbone=True, backbone="resnet18",
                                  use_pretrained_backbone=False, **DETR_SIZES,
                                  id2label={0: "circle", 1: "square"},
                                  label2id={"circle": 0, "square": 1})
    torch.manual_seed(0)
    AutoModelForObjectDetection.from_config(config).save_pretrained(folder)
    DetrImageProcessor(size={"shortest_edge": 64, "longest_edge": 96}).save_pretrained(folder)
    return folder


@pytest.mark.parametrize("model_type", ["detr", "table-transformer"])
def test_timm_backbone_detectors_run_and_say_timm(tmp_path: Path, model_type: str,
                                                  examples: Path) -> None:
    folder = _save_timm_detector(tmp_path / model_type, model_type)
    res = explorer.resolve(str(folder))
    assert res.spec is not None and res.spec.auto_class == "AutoModelForObjectDetection"
    trace = " ".join(res.trace)
    assert "timm" in trace and "resnet18" in trace
    result = explorer.run(str(folder), image=str(examples / "shapes.png"), threshold=0.0)
    assert result.type == "detection" and result.model_class.endswith("ForObjectDetection")
    assert len(result.objects) == DETR_SIZES["num_queries"]
    assert {o.label for o in result.objects} <= {"circle", "square"}
    assert result.render() is not None


def test_timm_wrapper_classifier(tmp_path: Path, examples: Path) -> None:
    import torch
    from transformers import AutoModelForImageClassification, TimmWrapperConfig

    labels = ["circle", "square", "triangle"]
    # timm keeps its preprocessing (pretrained_cfg) in config.json: no preprocessor file.
    config = TimmWrapperConfig(architecture="test_resnet", num_labels=3,
                               id2label=dict(enumerate(labels)),
                               pretrained_cfg={"input_size": [3, 64, 64], "crop_pct": 1.0,
                                               "interpolation": "bilinear", "mean": [0.5] * 3,
                                               "std": [0.5] * 3})
    torch.manual_seed(0)
    AutoModelForImageClassification.from_config(config).save_pretrained(tmp_path)
    assert not (tmp_path / "preprocessor_config.json").exists()
    res = explorer.resolve(str(tmp_path))
    assert res.spec is not None and res.spec.auto_class == "AutoModelForImageClassification"
    assert "timm" in " ".join(res.trace) and "test_resnet" in " ".join(res.trace)
    result = explorer.run(str(tmp_path), image=str(examples / "shapes.png"), top_k=3)
    assert result.model_class == "TimmWrapperForImageClassification"
    assert sorted(label.label for label in result.labels) == labels
    assert abs(sum(label.score for label in result.labels) - 1.0) < 1e-4


def test_trace_and_load_report_name_the_image_backend(zoo: Path) -> None:
    res = explorer.resolve(str(zoo / "object-detection"))
    line = next(t for t in res.trace if t.startswith("AutoImageProcessor"))
    assert "torchvision backend" in line
    loaded = explorer.load(str(zoo / "object-detection"))
    assert loaded.report.preprocessing.endswith("(torchvision backend)")
    assert type(loaded.preprocessor).__name__ == res.preprocessor["AutoImageProcessor"]


def test_a_saved_pil_class_name_still_loads_the_torchvision_processor() -> None:
    """v5 chooses the backend at load time: the class name a checkpoint saved does not decide."""
    from explorer.resolution import image_processor_backend

    assert image_processor_backend("ViTImageProcessorPil")[0] == "ViTImageProcessor"
    assert image_processor_backend("ViTImageProcessorFast")[0] == "ViTImageProcessor"
    name, why = image_processor_backend("Sapiens2ImageProcessor")
    assert name == "Sapiens2ImageProcessor" and "only image processor" in why
