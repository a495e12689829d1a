"""Image(+audio)+text → text heads: captioning, visual chat and omni models, with the prompt in the
checkpoint's chat template (``apply_chat_template``) when it has one."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from explorer.errors import BadInput
from explorer.heads._multimodal import new_tokens, processor_part, sequence_probability
from explorer.heads._registry import Task
from explorer.heads._text import context_length, cut_text, generation_budget, prompt_limit, readable_pieces
from explorer.results import Generation, Result
from explorer.runner import RunContext
from explorer.snippets.base import Spec, drop_token_types, image_lines, to_device
from explorer.zoo import Recipe
from explorer.zoo.common import TINY, bert_tokenizer, bpe_tokenizer, save_random
from explorer.zoo.multimodal import IMAGE, VISION


def _media(ctx: RunContext, kinds: Sequence[str]) -> dict[str, Any]:
    """Processor keywords for the image / audio inputs that were given."""
    given = ctx.inputs.kinds()
    media: dict[str, Any] = {}
    if "image" in kinds and "image" in given:
        if processor_part(ctx, "image_processor") is None:
            raise BadInput(_no_part(ctx, "image_processor", "images", "image"))
        media["images"] = ctx.inputs.image
    if "audio" in kinds and "audio" in given:
        extractor = processor_part(ctx, "feature_extractor")
        if extractor is None:
            raise BadInput(_no_part(ctx, "feature_extractor", "audio", "audio"))
        media["audio"] = ctx.audio_at(extractor.sampling_rate)
        media["sampling_rate"] = extractor.sampling_rate
    return media


def _no_part(ctx: RunContext, part: str, what: str, flag: str) -> str:
    """Why the processor cannot take ``what``: it has no such part, or the checkpoint saved the
    part on its own, without the processor class that joins it with the tokenizer."""
    if ctx.part(part) is None:
        return f"this checkpoint's processor takes no {what}; leave out the {flag}"
    return (f"{ctx.loaded.resolution.checkpoint} saves its {part.replace('_', ' ')} apart from its "
            f"tokenizer, without the processor that puts {what} into the prompt "
            "(processor_config.json); save the model's processor with the checkpoint "
            "(processor.save_pretrained(folder)) to run it on " + what)


def _with_placeholders(ctx: RunContext, prompt: str, media: dict[str, Any]) -> str:
    """A raw prompt (no chat template) with the processor's image / audio token in front for each
    input that lacks one: LLaVA-style processors expand those tokens and refuse prompts without."""
    pre = ctx.preprocessor
    front = ""
    for key, attr in (("images", "image_token"), ("audio", "audio_token")):
        token = getattr(pre, attr, None)
        if key in media and isinstance(token, str) and token not in prompt:
            front += token
    if front:
        ctx.notes.append(f"no chat template: {front} put in front of the prompt for the model's "
                         "media")
    return f"{front}{' ' if front and prompt else ''}{prompt}" if front else prompt


def _chat_prompt(ctx: RunContext, prompt: str, media: dict[str, Any]) -> str | None:
    """The prompt in the checkpoint's chat template, with a placeholder per image / audio input,
    or None when it has no template (or the prompt already holds the image token: the user wrote
    the raw prompt)."""
    pre = ctx.preprocessor
    if not getattr(pre, "chat_template", None) or not ctx.option("chat_template"):
        return None
    token = getattr(pre, "image_token", None)
    if token and token in prompt:
        return None
    content = [{"type": "image"}] * ("images" in media) + [{"type": "audio"}] * ("audio" in media)
    content = content + ([{"type": "text", "text": prompt}] if prompt else [])
    ctx.notes.append("prompt wrapped in the checkpoint's chat template")
    return pre.apply_chat_template([{"role": "user", "content": content}],
                                   add_generation_prompt=True, tokenize=False)


def _generate_from(ctx: RunContext, kinds: Sequence[str]) -> Result:
    prompt = ctx.inputs.text[0] if ctx.inputs.text else ""
    media = _media(ctx, kinds)
    if not media and not prompt:
        raise BadInput(f"{ctx.loaded.spec.task} needs an input to start from: "
                       f"{' or '.join(kinds)} and/or a text prompt")
    asked = ctx.option("max_new_tokens")
    prompt, templated, encoded = _fitted_prompt(ctx, prompt, media, asked)
    new = generation_budget(ctx, _length(encoded), asked)
    out = ctx.generate(encoded, max_new_tokens=new,
                       do_sample=ctx.option("do_sample"), output_scores=True,
                       return_dict_in_generate=True)
    new_ids = new_tokens(out)
    reply = ctx.tokenizer.decode(new_ids, skip_special_tokens=True).strip()
    # A captioner continues the prompt ("a picture of" → "a picture of a cat"); a chat model
    # answers it, so its reply stands alone.
    continues = templated is None and bool(prompt) and not ctx.config.is_encoder_decoder
    if continues and not ctx.option("only_new"):
        reply = f"{prompt} {reply}".strip()
    return Generation(text=reply, prompt=prompt,
                      generated_tokens=readable_pieces(ctx.tokenizer, new_ids),
                      token_scores=sequence_probability(out.scores, new_ids),
                      **ctx.common(None, encoded.get("input_ids")))


def _length(encoded: Any) -> int:
    """Tokens the model starts from: the prompt's, or 1 (the start token) without a prompt."""
    ids = encoded.get("input_ids")
    return int(ids.shape[1]) if ids is not None else 1


def _fitted_prompt(ctx: RunContext, prompt: str, media: dict[str, Any],
                   asked: int) -> tuple[str, str | None, Any]:
    """``(prompt, templated prompt or None, processor outputs)`` with the prompt cut so that
    prompt, template and image tokens leave room for new tokens in the model's positions."""
    limit = prompt_limit(ctx.config, asked)
    if limit is not None and prompt:
        prompt = cut_text(ctx, prompt, limit, "the prompt")
    for _ in range(2):  # the second pass cuts what the template and image tokens added
        templated = _chat_prompt(ctx, prompt, media)
        text = templated if templated is not None else _with_placeholders(ctx, prompt, media)
        encoded = ctx.preprocessor(text=text or None, **media, return_tensors="pt")
        over = _length(encoded) - limit if limit is not None else 0
        if over <= 0 or not prompt:
            break
        own = len(ctx.tokenizer(prompt, add_special_tokens=False)["input_ids"])
        prompt = cut_text(ctx, prompt, max(0, own - over), "the prompt")
    return prompt, templated, encoded


def generate_from_image(ctx: RunContext) -> Result:
    """Image (+ optional prompt) → text: captioning, visual chat, OCR-style transcription."""
    ctx.require("image")
    return _generate_from(ctx, ("image",))


def generate_multimodal(ctx: RunContext) -> Result:
    """Text plus any image / audio the checkpoint's processor takes → text."""
    return _generate_from(ctx, ("image", "audio"))


def generate_from_snippet(spec: Spec) -> list[str]:
    """Image (+ audio) + prompt → text, in the checkpoint's chat template when it has one."""
    prompt = spec.first_text
    chat = bool(getattr(spec.preprocessor, "chat_template", None)) and spec.option("chat_template")
    token = getattr(spec.preprocessor, "image_token", None)
    chat = chat and not (token and token in prompt)
    media = "image" in spec.inputs
    lines = image_lines(spec) if media else []
    lines.append(f"prompt = {prompt!r}")
    if chat:
        content = ("[{\"type\": \"image\"}, " if media else "[") + (
            "{\"type\": \"text\", \"text\": prompt}]" if prompt else "]")
        lines += [f"messages = [{{\"role\": \"user\", \"content\": {content}}}]",
                  f"text = {spec.pre}.apply_chat_template(messages, add_generation_prompt=True, "
                  "tokenize=False)"]
    else:
        lines.append("text = prompt")
    args = "text=text or None" + (", images=image" if media else "")
    asked = spec.option("max_new_tokens")
    positions = context_length(spec.config)
    keep = prompt_limit(spec.config, asked)
    used = "inputs[\"input_ids\"].shape[1]" if prompt or chat else "1"
    budget = (f"min({asked}, {positions} - {used})  # {positions} positions hold prompt + new "
              "tokens" if positions and keep else str(asked))
    continues = not chat and bool(prompt) and not getattr(spec.config, "is_encoder_decoder",
                                                          False)
    reply = "f\"{prompt} {reply}\".strip()  # a captioner continues the prompt" \
        if continues and not spec.option("only_new") else "reply  # a chat model answers"
    return lines + [
        f"inputs = {spec.pre}({args}, return_tensors=\"pt\")", *to_device(spec),
        *drop_token_types(spec),
        f"max_new_tokens = {budget}",
        "with torch.inference_mode():",
        "    out = model.generate(**inputs, max_new_tokens=max_new_tokens, "
        f"do_sample={bool(spec.option('do_sample'))}, output_scores=True, "
        "return_dict_in_generate=True)",
        "new_ids = out.sequences[0, -len(out.scores):]  # some models return the prompt too",
        f"reply = {spec.part('tokenizer')}.decode(new_ids, skip_special_tokens=True).strip()",
        f"text = {reply}",
        "print(text)",
    ]


def _blip(directory: Path) -> None:
    from transformers import AutoConfig, BlipImageProcessor, BlipProcessor

    tok = bert_tokenizer(model_max_length=32)
    # BLIP starts decoding from bos (its [DEC] token; [CLS] here) and stops at [SEP].
    text = dict(vocab_size=len(tok), max_position_embeddings=32, **TINY,
                bos_token_id=tok.cls_token_id, sep_token_id=tok.sep_token_id,
                eos_token_id=tok.sep_token_id, pad_token_id=tok.pad_token_id)
    config = AutoConfig.for_model("blip", text_config=text, vision_config=VISION,
                                  projection_dim=16)
    images = BlipImageProcessor(size={"height": IMAGE, "width": IMAGE})
    save_random(directory, "AutoModelForImageTextToText", config,
                BlipProcessor(image_processor=images, tokenizer=tok))


# A minimal chat template: one user turn whose content lists images / audio / text in order.
CHAT_TEMPLATE = (
    "{% for m in messages %}{{ m['role'] }}: {% if m['content'] is string %}{{ m['content'] }}"
    "{% else %}{% for c in m['content'] %}{% if c['type'] == 'image' %}<image>\n"
    "{% elif c['type'] == 'text' %}{{ c['text'] }}{% endif %}{% endfor %}{% endif %}\n"
    "{% endfor %}{% if add_generation_prompt %}assistant:{% endif %}"
)


def _llava(directory: Path) -> None:
    from transformers import AutoConfig, CLIPImageProcessor, LlavaProcessor

    tok = bpe_tokenizer(model_max_length=128, extra_special_tokens={"image_token": "<image>"})
    text = AutoConfig.for_model(
        "llama", vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=128,
        bos_token_id=tok.eos_token_id, eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id)
    vision = AutoConfig.for_model("clip_vision_model", **VISION)
    patches = (IMAGE // VISION["patch_size"]) ** 2
    config = AutoConfig.for_model("llava", vision_config=vision, text_config=text,
                                  image_token_index=tok.convert_tokens_to_ids("<image>"),
                                  image_seq_length=patches, vision_feature_layer=-1)
    images = CLIPImageProcessor(size={"shortest_edge": IMAGE},
                                crop_size={"height": IMAGE, "width": IMAGE})
    # num_additional_image_tokens=1: the CLIP tower's CLS token, dropped by the "default" strategy.
    processor = LlavaProcessor(image_processor=images, tokenizer=tok,
                               patch_size=VISION["patch_size"],
                               vision_feature_select_strategy="default",
                               num_additional_image_tokens=1, chat_template=CHAT_TEMPLATE)
    save_random(directory, "AutoModelForMultimodalLM", config, processor)


TASKS = [
    Task("AutoModelForImageTextToText", run=generate_from_image, snippet=generate_from_snippet, recipes=[
        Recipe("image-text-to-text", "AutoModelForImageTextToText", _blip,
               "tiny BLIP captioner (vision encoder + text decoder)",
               {"image": "shapes.png", "text": "a picture of"}),
    ]),
    Task("AutoModelForMultimodalLM", run=generate_multimodal, snippet=generate_from_snippet, recipes=[
        Recipe("any-to-any", "AutoModelForMultimodalLM", _llava,
               "tiny LLaVA (CLIP vision tower + Llama) with a chat template",
               {"image": "photo.jpg", "text": "what is in the picture"}),
    ]),
]

__all__ = ["TASKS"]
