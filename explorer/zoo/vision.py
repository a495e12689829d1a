"""Zoo recipes for vision tasks: tiny ViT, DETR, SegFormer, MaskFormer, Mask2Former, DPT,
SuperPoint, ViTPose, Swin2SR, VideoMAE, SAM, ViTMatte and ResNet checkpoints.

Images are processed at 32–96 px so every model is a few hundred KB and runs in milliseconds;
the image processors are transformers' defaults (the torchvision-backed ones users get), built
with small sizes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from explorer.zoo import Recipe
from explorer.zoo.common import label_maps, save_random

IMAGE_LABELS = ("person", "cat", "dog", "car", "tree", "sky")
SHAPE_LABELS = ("circle", "square", "triangle")
SCENE_LABELS = ("background", "sky", "grass", "circle", "square", "triangle")
COCO_KEYPOINTS = ("nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder",
                  "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
                  "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle")
VIT = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
           image_size=32, patch_size=8)
# A short DETR-style resolution: shortest side 64 px, longest 96 px.
DETR_SIZE = {"shortest_edge": 64, "longest_edge": 96}


def _config(model_type: str, **kwargs: Any) -> Any:
    from transformers import AutoConfig

    return AutoConfig.for_model(model_type, **kwargs)


def _processor(name: str, **kwargs: Any) -> Any:
    import transformers

    return getattr(transformers, name)(**kwargs)


def _resnet(out_features: list[str], **kwargs: Any) -> Any:
    """A 4-stage ResNet of 8–16 channels, the backbone of the DETR / MaskFormer recipes."""
    return _config("resnet", embedding_size=8, hidden_sizes=[8, 16, 16, 16], depths=[1, 1, 1, 1],
                   out_features=out_features, **kwargs)


def _recipe(auto_class: str, make: Callable[[], tuple[Any, ...]]) -> Callable[[Path], None]:
    """A build function: ``make()`` returns ``(config, *preprocessors)``."""
    def build(directory: Path) -> None:
        config, *preprocessors = make()
        save_random(directory, auto_class, config, *preprocessors)
    return build


def _vit_classifier() -> tuple[Any, ...]:
    return (_config("vit", **VIT, **label_maps(IMAGE_LABELS)),
            _processor("ViTImageProcessor", size={"height": 32, "width": 32}))


def _detr_detector() -> tuple[Any, ...]:
    # init_std 0.3 (not 0.02): with tiny random heads every query would otherwise predict the
    # same centred box; larger weights spread the boxes so the view has something to show.
    config = _config("detr", use_timm_backbone=False, use_pretrained_backbone=False,
                     backbone_config=_resnet(["stage4"]), d_model=32, encoder_layers=1,
                     decoder_layers=1, encoder_attention_heads=2, decoder_attention_heads=2,
                     encoder_ffn_dim=64, decoder_ffn_dim=64, num_queries=10, init_std=0.3,
                     **label_maps(SHAPE_LABELS))
    return config, _processor("DetrImageProcessor", size=DETR_SIZE)


def _detr_panoptic() -> tuple[Any, ...]:
    # The mask head needs d_model + heads divisible by 8 and d_model / 16 channels at the end.
    config = _config("detr", use_timm_backbone=False, use_pretrained_backbone=False,
                     backbone_config=_resnet(["stage1", "stage2", "stage3", "stage4"]),
                     d_model=32, encoder_layers=1, decoder_layers=1, encoder_attention_heads=8,
                     decoder_attention_heads=8, encoder_ffn_dim=64, decoder_ffn_dim=64,
                     num_queries=8, **label_maps(SCENE_LABELS))
    return config, _processor("DetrImageProcessor", size=DETR_SIZE)


def _segformer() -> tuple[Any, ...]:
    config = _config("segformer", num_encoder_blocks=2, depths=[1, 1], sr_ratios=[2, 1],
                     hidden_sizes=[8, 16], patch_sizes=[7, 3], strides=[4, 2],
                     num_attention_heads=[1, 2], mlp_ratios=[2, 2], decoder_hidden_size=16,
                     **label_maps(SCENE_LABELS))
    return config, _processor("SegformerImageProcessor", size={"height": 64, "width": 64})


def _maskformer() -> tuple[Any, ...]:
    # Its FPN uses GroupNorm(32, ...): feature sizes must be multiples of 32.
    decoder = _config("detr", d_model=32, encoder_layers=1, decoder_layers=1,
                      encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=64,
                      decoder_ffn_dim=64, num_queries=8)
    config = _config("maskformer", backbone_config=_resnet(["stage1", "stage2", "stage3",
                                                             "stage4"]),
                     decoder_config=decoder, fpn_feature_size=32, mask_feature_size=32,
                     num_queries=8, **label_maps(SCENE_LABELS))
    return config, _processor("MaskFormerImageProcessor", size=DETR_SIZE)


def _mask2former() -> tuple[Any, ...]:
    config = _config("mask2former", backbone_config=_resnet(["stage1", "stage2", "stage3",
                                                             "stage4"]),
                     feature_size=32, mask_feature_size=32, hidden_dim=32,
                     encoder_feedforward_dim=32, dim_feedforward=32, encoder_layers=1,
                     decoder_layers=2, num_attention_heads=2, num_queries=8, common_stride=4,
                     **label_maps(SCENE_LABELS))
    return config, _processor("Mask2FormerImageProcessor", size=DETR_SIZE)


def _dpt() -> tuple[Any, ...]:
    config = _config("dpt", **{**VIT, "num_hidden_layers": 4}, backbone_out_indices=[0, 1, 2, 3],
                     neck_hidden_sizes=[8, 16, 16, 16], fusion_hidden_size=16, head_hidden_size=8,
                     reassemble_factors=[4, 2, 1, 0.5])
    return config, _processor("DPTImageProcessor", size={"height": 32, "width": 32})


def _superpoint() -> tuple[Any, ...]:
    config = _config("superpoint", encoder_hidden_sizes=[8, 8, 16, 16], decoder_hidden_size=32,
                     keypoint_decoder_dim=65, descriptor_decoder_dim=32, max_keypoints=64)
    return config, _processor("SuperPointImageProcessor", size={"height": 64, "width": 64})


def _vitpose() -> tuple[Any, ...]:
    backbone = _config("vitpose_backbone", hidden_size=32, num_hidden_layers=2,
                       num_attention_heads=2, mlp_ratio=2, image_size=[64, 48], patch_size=[8, 8],
                       out_indices=[2])
    config = _config("vitpose", backbone_config=backbone, use_simple_decoder=True,
                     **label_maps(COCO_KEYPOINTS))
    return config, _processor("VitPoseImageProcessor", size={"height": 64, "width": 48})


def _vit_mim() -> tuple[Any, ...]:
    return (_config("vit", **VIT, encoder_stride=8),
            _processor("ViTImageProcessor", size={"height": 32, "width": 32}))


def _swin2sr() -> tuple[Any, ...]:
    config = _config("swin2sr", embed_dim=8, depths=[1, 1], num_heads=[1, 1], window_size=4,
                     image_size=16, patch_size=1, upscale=2, upsampler="pixelshuffledirect")
    return config, _processor("Swin2SRImageProcessor", size_divisor=4)


def _videomae() -> tuple[Any, ...]:
    config = _config("videomae", **VIT, num_frames=4, tubelet_size=2,
                     **label_maps(("walking", "waving", "sitting", "reading")))
    return config, _processor("VideoMAEImageProcessor", size={"shortest_edge": 32},
                              crop_size={"height": 32, "width": 32})


def _sam() -> tuple[Any, ...]:
    from transformers import SamProcessor

    config = _config(
        "sam",
        vision_config=dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, mlp_dim=64,
                           image_size=64, patch_size=8, output_channels=16, window_size=4,
                           global_attn_indexes=[1], num_pos_feats=8),
        prompt_encoder_config=dict(hidden_size=16, image_size=64, patch_size=8,
                                   mask_input_channels=4),
        mask_decoder_config=dict(hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                                 mlp_dim=32, iou_head_hidden_dim=16))
    images = _processor("SamImageProcessor", size={"longest_edge": 64},
                        pad_size={"height": 64, "width": 64})
    return config, SamProcessor(image_processor=images)


def _vitmatte() -> tuple[Any, ...]:
    # ViTDet with 16 px patches: the matting decoder fuses it with stride-2/4/8 detail features.
    backbone = _config("vitdet", hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                       mlp_ratio=2, image_size=64, pretrain_image_size=64, patch_size=16,
                       num_channels=4, out_features=["stage2"])
    config = _config("vitmatte", backbone_config=backbone, hidden_size=32,
                     convstream_hidden_sizes=[8, 16, 16], fusion_hidden_sizes=[16, 16, 8, 8])
    return config, _processor("VitMatteImageProcessor", size_divisor=32)


def _resnet_backbone() -> tuple[Any, ...]:
    config = _config("resnet", embedding_size=8, hidden_sizes=[8, 16, 24, 32], depths=[1, 1, 1, 1],
                     out_features=["stage1", "stage2", "stage3", "stage4"])
    return config, _processor("ConvNextImageProcessor", size={"shortest_edge": 64},
                              crop_pct=1.0)


PHOTO = {"image": "photo.jpg"}
SHAPES = {"image": "shapes.png"}
# Random heads score far below the usual 0.5 cut-off; these examples lower the thresholds so the
# views have boxes and segments to draw.
LOW = {"threshold": 0.0, "mask_threshold": 0.05, "overlap_mask_area_threshold": 0.0}

def _sapiens2(auto_class: str) -> Callable[[], tuple[Any, ...]]:
    """A 2-layer Sapiens2 with a small upsampling head; 3 outputs per pixel (x, y, z)."""
    def make() -> tuple[Any, ...]:
        head = dict(upsample_out_channels=[16, 16], upsample_kernel_sizes=[4, 4],
                    conv_out_channels=[16], conv_kernel_sizes=[1], scale_conv_out_channels=[16],
                    scale_conv_kernel_sizes=[1], scale_final_hidden_sizes=[16, 8])
        config = _config("sapiens2", hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads_per_layer=[2, 2],
                         num_register_tokens=2, image_size=64, patch_size=16, head_config=head,
                         **label_maps(("x", "y", "z")))
        # do_pad: the processor pads to the model's square input and post-processing removes it.
        return config, _processor("Sapiens2ImageProcessor", size={"height": 64, "width": 64},
                                  do_pad=True)
    return make


OCR_CHARACTERS = ("blank", *"abcdefghijklmnopqrstuvwxyz0123456789 ")


def _ppocr_recogniser() -> tuple[Any, ...]:
    # The default PP-LCNetV3 body at a quarter of its width. Lines are read at 96 px high (not
    # the real 48): this default body downsamples 32×, and the head pools 3 rows.
    config = _config("pp_ocrv5_mobile_rec", hidden_size=32, depth=1, num_attention_heads=2,
                     head_out_channels=len(OCR_CHARACTERS))
    config.backbone_config.scale = 0.25
    size = {"height": 96, "width": 384}
    return config, _processor("PPOCRV5ServerRecImageProcessor", character_list=list(OCR_CHARACTERS),
                              size=size, pad_size=size)


def _slanet() -> tuple[Any, ...]:
    config = _config("slanet", hidden_size=32, max_text_length=24, post_conv_out_channels=16)
    config.backbone_config.scale = 0.25  # its PP-LCNet body at a quarter of the width
    size = {"height": 64, "width": 64}
    return config, _processor("SLANeXtImageProcessor", size=size, pad_size=size)


RECIPES = [
    Recipe("image-classification", "AutoModelForImageClassification",
           _recipe("AutoModelForImageClassification", _vit_classifier),
           "tiny ViT with a 6-class head", PHOTO),
    Recipe("object-detection", "AutoModelForObjectDetection",
           _recipe("AutoModelForObjectDetection", _detr_detector),
           "tiny DETR (ResNet backbone) detecting circles, squares and triangles",
           {**SHAPES, "options": {"threshold": 0.1}}),
    Recipe("semantic-segmentation", "AutoModelForSemanticSegmentation",
           _recipe("AutoModelForSemanticSegmentation", _segformer),
           "tiny SegFormer labelling every pixel", SHAPES),
    Recipe("instance-segmentation", "AutoModelForInstanceSegmentation",
           _recipe("AutoModelForInstanceSegmentation", _maskformer),
           "tiny MaskFormer (ResNet backbone): a mask per object",
           {**SHAPES, "options": {"threshold": 0.0}}),
    Recipe("universal-segmentation", "AutoModelForUniversalSegmentation",
           _recipe("AutoModelForUniversalSegmentation", _mask2former),
           "tiny Mask2Former (ResNet backbone): panoptic segmentation",
           {**SHAPES, "options": LOW}),
    Recipe("image-segmentation", "AutoModelForImageSegmentation",
           _recipe("AutoModelForImageSegmentation", _detr_panoptic),
           "tiny DETR with a mask head: panoptic segmentation", {**SHAPES, "options": LOW}),
    Recipe("depth-estimation", "AutoModelForDepthEstimation",
           _recipe("AutoModelForDepthEstimation", _dpt), "tiny DPT (ViT) depth estimator", PHOTO),
    Recipe("keypoint-detection", "AutoModelForKeypointDetection",
           _recipe("AutoModelForKeypointDetection", _superpoint), "tiny SuperPoint", PHOTO),
    Recipe("pose-estimation", "AutoModelForPoseEstimation",
           _recipe("AutoModelForPoseEstimation", _vitpose),
           "tiny ViTPose with COCO's 17 body keypoints", PHOTO),
    Recipe("masked-image-modeling", "AutoModelForMaskedImageModeling",
           _recipe("AutoModelForMaskedImageModeling", _vit_mim),
           "tiny ViT with a SimMIM reconstruction head", PHOTO),
    Recipe("image-to-image", "AutoModelForImageToImage",
           _recipe("AutoModelForImageToImage", _swin2sr), "tiny Swin2SR ×2 super-resolution",
           SHAPES),
    Recipe("video-classification", "AutoModelForVideoClassification",
           _recipe("AutoModelForVideoClassification", _videomae),
           "tiny VideoMAE (4-frame clips)", {"image": "clip.gif"}),
    Recipe("mask-generation", "AutoModelForMaskGeneration",
           _recipe("AutoModelForMaskGeneration", _sam), "tiny SAM (point prompts)", SHAPES),
    Recipe("image-matting", "AutoModelForImageMatting",
           _recipe("AutoModelForImageMatting", _vitmatte), "tiny ViTMatte (ViTDet backbone)",
           PHOTO),
    Recipe("normal-estimation", "AutoModelForNormalEstimation",
           _recipe("AutoModelForNormalEstimation", _sapiens2("AutoModelForNormalEstimation")),
           "tiny Sapiens2: a surface normal per pixel", SHAPES),
    Recipe("pointmap-estimation", "AutoModelForPointmapEstimation",
           _recipe("AutoModelForPointmapEstimation", _sapiens2("AutoModelForPointmapEstimation")),
           "tiny Sapiens2: a camera-space 3-D point per pixel", SHAPES),
    Recipe("text-recognition", "AutoModelForTextRecognition",
           _recipe("AutoModelForTextRecognition", _ppocr_recogniser),
           "tiny PP-OCRv5 line recogniser (CTC over a-z, 0-9, space)", {"image": "text_line.png"}),
    Recipe("table-recognition", "AutoModelForTableRecognition",
           _recipe("AutoModelForTableRecognition", _slanet),
           "tiny SLANet: a table's HTML structure tokens", {"image": "table.png"}),
    Recipe("backbone", "AutoBackbone", _recipe("AutoBackbone", _resnet_backbone),
           "tiny ResNet backbone with four output stages", PHOTO),
]
