"""The "Code" tab: a plain transformers snippet that reproduces an explorer run, no explorer needed.

    from explorer.snippets import snippet
    print(snippet("zoo:text-classification", "text-classification", {"text": "good"}))

A snippet loads the checkpoint with the Auto classes the explorer resolved, prepares the same
inputs, runs the model under ``torch.inference_mode`` and leaves the numbers in a variable the
explorer's result also holds (``scores``, ``candidates``, ``embeddings``, ``detections``, ``text``,
...), printed at the end. Which body a task gets is data (``BODIES``, keyed by Auto class); a task
without one gets a generic body that prints the output names and shapes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from explorer.catalog import TaskSpec, get_task
from explorer.load_options import LoadOptions

# What each Auto preprocessor is called in the snippet.
_PRE_VARS = {"AutoTokenizer": "tokenizer", "AutoImageProcessor": "image_processor",
             "AutoFeatureExtractor": "feature_extractor", "AutoProcessor": "processor"}


@dataclass(frozen=True)
class Spec:
    """What a body generator knows about the run."""

    task: TaskSpec
    resolution: Any
    inputs: dict[str, Any]
    options: dict[str, Any]
    pre: str
    """The preprocessor's variable name (``tokenizer``, ``image_processor``, ...)."""
    cast: bool
    """Whether inputs must be moved to the model's device / dtype."""

    def option(self, name: str, default: Any) -> Any:
        value = self.options.get(name)
        return default if value is None else value

    @property
    def first_text(self) -> str:
        text = self.inputs.get("text")
        return text[0] if isinstance(text, (list, tuple)) else (text or "")

    @property
    def texts(self) -> list[str]:
        text = self.inputs.get("text")
        return list(text) if isinstance(text, (list, tuple)) else ([text] if text else [])


Body = Callable[[Spec], list[str]]


# ---------------------------------------------------------------------------- shared pieces


def _to_device(spec: Spec, var: str = "inputs", floats: bool = False) -> list[str]:
    """Move a batch next to the model (only when the run asked for a device or dtype)."""
    if not spec.cast:
        return []
    dtype = ", model.dtype" if floats else ""
    return [f"{var} = {var}.to(model.device{dtype})"]


def _forward(spec: Spec, out: str = "outputs", batch: str = "inputs") -> list[str]:
    return ["with torch.inference_mode():", f"    {out} = model(**{batch})"]


def _image_lines(spec: Spec) -> list[str]:
    return [f"image = Image.open({str(spec.inputs['image'])!r}).convert(\"RGB\")"]


def _audio_lines(spec: Spec, extractor: str) -> list[str]:
    return ["# mono, resampled to the rate the model was trained on",
            f"waveform, rate = librosa.load({str(spec.inputs['audio'])!r}, "
            f"sr={extractor}.sampling_rate, mono=True)"]


def _extractor(spec: Spec) -> str:
    """The audio part of the preprocessor (a processor holds a ``feature_extractor``)."""
    return f"{spec.pre}.feature_extractor" if spec.pre == "processor" else spec.pre


def _image_part(spec: Spec) -> str:
    return f"{spec.pre}.image_processor" if spec.pre == "processor" else spec.pre


def _top_labels(spec: Spec, names: str = "model.config.id2label", default_k: int = 5,
                logits: str = "logits") -> list[str]:
    multi = getattr(spec.resolution.config, "problem_type", None) == "multi_label_classification"
    k = spec.option("top_k", default_k)
    how = "sigmoid()  # multi-label head: independent scores" if multi else "softmax(-1)"
    return [f"probs = {logits}.float().{how}",
            f"top = probs.topk(min({k}, probs.numel()))",
            f"scores = {{{names}[i]: p "
            "for p, i in zip(top.values.tolist(), top.indices.tolist())}",
            "print(scores)"]


# ---------------------------------------------------------------------------- bodies


def _classify(spec: Spec) -> list[str]:
    """Sequence / image / audio classification: logits → softmax → top-k labels."""
    modality = spec.task.inputs[0]
    if modality == "image":
        lines = _image_lines(spec) + [f"inputs = {spec.pre}(images=image, return_tensors=\"pt\")"]
        lines += _to_device(spec, floats=True)
    elif modality == "audio":
        extractor = _extractor(spec)
        lines = _audio_lines(spec, extractor) + [
            f"inputs = {extractor}(waveform, sampling_rate=rate, return_tensors=\"pt\")"]
        lines += _to_device(spec, floats=True)
    else:
        pair = spec.inputs.get("text_pair")
        args = f"{spec.first_text!r}" + (f", {pair!r}" if pair else "")
        lines = [f"inputs = {spec.pre}({args}, truncation=True, return_tensors=\"pt\")"]
        lines += _to_device(spec)
    return lines + _forward(spec) + ["logits = outputs.logits[0]"] + _top_labels(spec)


def _fill_mask(spec: Spec) -> list[str]:
    k = spec.option("top_k", 5)
    return [
        f"text = {spec.first_text!r}",
        "for generic in (\"[MASK]\", \"<mask>\", \"[mask]\"):  "
        "# any mask spelling → this model's",
        f"    text = text.replace(generic, {spec.pre}.mask_token)",
        f"inputs = {spec.pre}(text, truncation=True, return_tensors=\"pt\")",
        *_to_device(spec),
        f"position = (inputs[\"input_ids\"][0] == {spec.pre}.mask_token_id).nonzero()[0, 0]",
        *_forward(spec),
        "logits = outputs.logits[0, position]",
        "probs = logits.float().softmax(-1)",
        f"top = probs.topk({k})",
        f"candidates = [({spec.pre}.decode([i]).strip(), p)",
        "              for p, i in zip(top.values.tolist(), top.indices.tolist())]",
        "print(candidates)",
    ]


def _pooling(spec: Spec, mask: bool) -> list[str]:
    pooling = spec.option("pooling", "mean")
    if pooling == "pooler":
        return ["embeddings = outputs.pooler_output  # the model's own pooling head"]
    lines = ["hidden = outputs.last_hidden_state"]
    if pooling == "cls":
        return lines + ["embeddings = hidden[:, 0]  # the first ([CLS]) token"]
    if mask:
        return lines + [
            "mask = inputs[\"attention_mask\"].unsqueeze(-1).to(hidden.dtype)",
            "embeddings = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)  "
            "# mean of real tokens"]
    return lines + ["embeddings = hidden.mean(dim=1)"]


def _embed(spec: Spec) -> list[str]:
    """AutoModel / AutoModelForTextEncoding: hidden states pooled into one vector per input."""
    encoder = getattr(spec.resolution.config, "is_encoder_decoder", False)
    call = ["with torch.inference_mode():",
            "    outputs = model.get_encoder()(**inputs)  # encoder-decoder: the encoder's vectors"
            if encoder else "    outputs = model(**inputs)"]
    if spec.texts:
        lines = [f"texts = {spec.texts!r}",
                 f"inputs = {spec.pre}(texts, padding=True, truncation=True, "
                 "return_tensors=\"pt\")",
                 *_to_device(spec)]
        return lines + call + _pooling(spec, mask=True) + ["print(embeddings.shape)"]
    if "image" in spec.inputs:
        lines = _image_lines(spec) + [
            f"inputs = {_image_part(spec)}(images=image, return_tensors=\"pt\")",
            *_to_device(spec, floats=True)]
    else:
        extractor = _extractor(spec)
        lines = _audio_lines(spec, extractor) + [
            f"inputs = {extractor}(waveform, sampling_rate=rate, return_tensors=\"pt\")",
            *_to_device(spec, floats=True)]
    pooled = _pooling(spec, mask=False)
    if spec.option("pooling", "mean") != "pooler":
        pooled += ["if hidden.ndim == 4:  # a conv feature map: average over space",
                   "    embeddings = hidden.mean(dim=(2, 3))"]
    return lines + call + pooled + ["print(embeddings.shape)"]


def _tokens(spec: Spec) -> list[str]:
    return [
        f"inputs = {spec.pre}({spec.first_text!r}, truncation=True, return_tensors=\"pt\")",
        *_to_device(spec), *_forward(spec),
        "probs = outputs.logits[0].float().softmax(-1)",
        f"tokens = {spec.pre}.convert_ids_to_tokens(inputs[\"input_ids\"][0])",
        "predictions = [(token, model.config.id2label[int(p.argmax())], float(p.max()))",
        "               for token, p in zip(tokens, probs)]",
        "print(predictions)",
    ]


def _answer(spec: Spec) -> list[str]:
    limit = spec.option("max_answer_length", 30)
    return [
        f"question, context = {spec.inputs.get('question', '')!r}, "
        f"{spec.inputs.get('context', '')!r}",
        f"inputs = {spec.pre}(question, context, truncation=\"only_second\", "
        "return_offsets_mapping=True, return_tensors=\"pt\")",
        "offsets = inputs.pop(\"offset_mapping\")[0].tolist()",
        "in_context = torch.tensor([s == 1 for s in inputs.sequence_ids(0)])",
        *_to_device(spec), *_forward(spec),
        "start = outputs.start_logits[0].float().masked_fill(~in_context, "
        "-float(\"inf\")).softmax(-1)",
        "end = outputs.end_logits[0].float().masked_fill(~in_context, "
        "-float(\"inf\")).softmax(-1)",
        f"pairs = torch.outer(start, end).triu().tril({limit - 1})  "
        f"# start ≤ end, at most {limit} tokens",
        "s, e = divmod(int(pairs.argmax()), pairs.shape[1])",
        "answer, score = context[offsets[s][0]:offsets[e][1]], float(pairs[s, e])",
        "print(answer, score)",
    ]


def _generate(spec: Spec) -> list[str]:
    new = spec.option("max_new_tokens", 20)
    sample = bool(spec.option("do_sample", False))
    return [
        f"inputs = {spec.pre}({spec.first_text!r}, truncation=True, return_tensors=\"pt\")",
        *_to_device(spec),
        f"pad = {spec.pre}.pad_token_id if {spec.pre}.pad_token_id is not None else "
        f"{spec.pre}.eos_token_id",
        "with torch.inference_mode():",
        f"    out = model.generate(**inputs, max_new_tokens={new}, do_sample={sample}, "
        "pad_token_id=pad)",
        "new_ids = out[0, inputs[\"input_ids\"].shape[1]:] if not model.config.is_encoder_decoder "
        "else out[0]",
        f"text = {spec.pre}.decode(new_ids, skip_special_tokens=True)",
        "print(text)",
    ]


def _next_sentence(spec: Spec) -> list[str]:
    return [
        f"inputs = {spec.pre}({spec.first_text!r}, {spec.inputs.get('text_pair', '')!r}, "
        "truncation=True, return_tensors=\"pt\")",
        *_to_device(spec), *_forward(spec),
        "probs = outputs.logits[0].float().softmax(-1)",
        "scores = {\"is next\": float(probs[0]), \"not next\": float(probs[1])}  "
        "# BERT: index 0 = B follows A",
        "print(scores)",
    ]


def _multiple_choice(spec: Spec) -> list[str]:
    return [
        f"prompt, choices = {spec.first_text!r}, {list(spec.inputs.get('labels') or [])!r}",
        f"encoded = {spec.pre}([prompt] * len(choices), choices, truncation=True, padding=True, "
        "return_tensors=\"pt\")",
        "inputs = {k: v.unsqueeze(0) for k, v in encoded.items()}  # (1, choices, tokens)",
        *_forward(spec),
        "probs = outputs.logits[0].float().softmax(-1)",
        "scores = dict(zip(choices, probs.tolist()))",
        "print(scores)",
    ]


def _detect(spec: Spec) -> list[str]:
    threshold = spec.option("threshold", 0.5)
    return _image_lines(spec) + [
        f"inputs = {spec.pre}(images=image, return_tensors=\"pt\")",
        *_to_device(spec, floats=True), *_forward(spec),
        f"found = {spec.pre}.post_process_object_detection(",
        f"    outputs, threshold={threshold}, target_sizes=[(image.height, image.width)])[0]",
        "limits = (image.width, image.height) * 2  # boxes are clipped to the picture",
        "detections = [(model.config.id2label[int(label)], float(score),",
        "               [min(max(v, 0.0), lim) for v, lim in zip(box.tolist(), limits)])",
        "              for score, label, box in zip(found[\"scores\"], found[\"labels\"], "
        "found[\"boxes\"])]",
        "detections.sort(key=lambda d: -d[1])",
        "print(detections)",
    ]


def _zero_shot_image(spec: Spec) -> list[str]:
    template = spec.option("hypothesis_template", "This is a photo of {}.")
    labels = list(spec.inputs.get("labels") or [])
    return _image_lines(spec) + [
        f"labels = {labels!r}",
        f"inputs = {spec.pre}(text=[{template!r}.format(l) for l in labels], images=image,",
        "                   return_tensors=\"pt\", truncation=True, padding=True)",
        *_to_device(spec), *_forward(spec),
        "probs = outputs.logits_per_image[0].float().softmax(-1)",
        "scores = dict(zip(labels, probs.tolist()))",
        "print(scores)",
    ]


def _ctc(spec: Spec) -> list[str]:
    extractor = _extractor(spec)
    tokenizer = f"{spec.pre}.tokenizer" if spec.pre == "processor" else spec.pre
    return _audio_lines(spec, extractor) + [
        f"inputs = {extractor}(waveform, sampling_rate=rate, return_tensors=\"pt\")",
        *_to_device(spec, floats=True), *_forward(spec),
        "ids = outputs.logits[0].argmax(-1).tolist()  # one token per ~20 ms frame",
        f"text = {tokenizer}.decode(ids).strip()  # collapses repeats, drops the blank",
        "print(text)",
    ]


def _speech_seq2seq(spec: Spec) -> list[str]:
    extractor = _extractor(spec)
    new = spec.option("max_new_tokens", 64)
    timestamps = ", return_timestamps=True" if spec.option("return_timestamps", False) else ""
    language = spec.option("language", "")
    lang = f", language={language!r}" if language else ""
    tokenizer = f"{spec.pre}.tokenizer" if spec.pre == "processor" else spec.pre
    return _audio_lines(spec, extractor) + [
        f"inputs = {extractor}(waveform, sampling_rate=rate, return_tensors=\"pt\")",
        *_to_device(spec, floats=True),
        "with torch.inference_mode():",
        f"    out = model.generate(**inputs, max_new_tokens={new}{timestamps}{lang})",
        "sequence = out[\"sequences\"][0] if isinstance(out, dict) else out[0]",
        f"text = {tokenizer}.decode(sequence, skip_special_tokens=True).strip()",
        "print(text)",
    ]


def _generic(spec: Spec) -> list[str]:
    """Any other task: prepare whichever inputs were given, run, show what comes out."""
    lines: list[str] = []
    call: list[str] = []
    if "table" in spec.inputs:
        return _table_question(spec)
    text = spec.first_text or spec.inputs.get("question")
    if text:
        call.append(f"text={text!r}")
    elif spec.inputs.get("labels"):
        call.append(f"text={list(spec.inputs['labels'])!r}")  # the candidate labels
    if "image" in spec.inputs:
        lines += _image_lines(spec)
        call.append("images=image")
    if "audio" in spec.inputs:
        lines += _audio_lines(spec, _extractor(spec))
        call.append("audio=waveform, sampling_rate=rate" if spec.pre == "processor"
                    else "waveform, sampling_rate=rate")
    call.append('return_tensors="pt"')
    lines.append(f"inputs = {spec.pre}({', '.join(call)})")
    if spec.task.result in ("generation", "transcript"):
        return lines + ["with torch.inference_mode():",
                        "    out = model.generate(**inputs)",
                        f"print({spec.pre}.batch_decode(out, skip_special_tokens=True))"]
    return lines + _forward(spec) + [
        "print({name: tuple(value.shape) for name, value in outputs.items() "
        "if hasattr(value, \"shape\")})"]


def _table_question(spec: Spec) -> list[str]:
    table = spec.inputs["table"]
    source = f"pandas.read_csv({str(table)!r}, dtype=str)" if Path(str(table)).is_file() else \
        f"pandas.read_csv(io.StringIO({str(table)!r}), dtype=str)"
    return [f"table = {source}",
            f"inputs = {spec.pre}(table=table, queries=[{spec.inputs.get('question', '')!r}], "
            "truncation=True, return_tensors=\"pt\")",
            *_forward(spec),
            "print({name: tuple(value.shape) for name, value in outputs.items() "
            "if hasattr(value, \"shape\")})"]


BODIES: dict[str, Body] = {
    "AutoModelForSequenceClassification": _classify,
    "AutoModelForImageClassification": _classify,
    "AutoModelForAudioClassification": _classify,
    "AutoModelForMaskedLM": _fill_mask,
    "AutoModel": _embed,
    "AutoModelForTextEncoding": _embed,
    "AutoModelForTokenClassification": _tokens,
    "AutoModelForQuestionAnswering": _answer,
    "AutoModelForCausalLM": _generate,
    "AutoModelForSeq2SeqLM": _generate,
    "AutoModelForNextSentencePrediction": _next_sentence,
    "AutoModelForMultipleChoice": _multiple_choice,
    "AutoModelForObjectDetection": _detect,
    "AutoModelForZeroShotImageClassification": _zero_shot_image,
    "AutoModelForCTC": _ctc,
    "AutoModelForSpeechSeq2Seq": _speech_seq2seq,
}


# ---------------------------------------------------------------------------- assembly


_QUANTIZATION_CODE = {
    "8bit": "BitsAndBytesConfig(load_in_8bit=True)",
    "4bit": "BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type=\"nf4\")",
}


def _load_lines(spec: Spec, loader: str, how: LoadOptions, output_attentions: bool) -> list[str]:
    model_kwargs = []
    if how.dtype != "auto":
        model_kwargs.append(f"dtype=torch.{how.dtype}")
    if how.revision:
        model_kwargs.append(f"revision={how.revision!r}")
    if how.trust_remote_code:
        model_kwargs.append("trust_remote_code=True")
    if output_attentions:
        model_kwargs.append("attn_implementation=\"eager\", output_attentions=True")
    if how.big_model:  # accelerate places the modules (and hooks them); no model.to(device)
        model_kwargs.append(f"device_map={how.device_map or 'auto'!r}")
        if how.max_memory:
            model_kwargs.append(f"max_memory={how.max_memory!r}")
        if how.offload_folder:
            model_kwargs.append(f"offload_folder={how.offload_folder!r}")
        if how.quantization:
            model_kwargs.append(f"quantization_config={_QUANTIZATION_CODE[how.quantization]}")
    pre_kwargs = f", revision={how.revision!r}" if how.revision else ""
    extra = "".join(", " + k for k in model_kwargs)
    lines = [f"{spec.pre} = {spec.resolution.preprocessor_auto_class or 'AutoProcessor'}"
             f".from_pretrained(checkpoint{pre_kwargs})",
             f"model = {loader}.from_pretrained(checkpoint{extra})",
             "model.eval()"]
    if how.device not in (None, "cpu") and not how.big_model:
        lines.append(f"model.to({how.device!r})")
    return lines


def _imports(spec: Spec, loader: str, body: list[str]) -> list[str]:
    names = sorted({spec.resolution.preprocessor_auto_class or "AutoProcessor", loader})
    lines = ["import torch"]
    code = "\n".join(body)
    if "librosa." in code:
        lines.insert(0, "import librosa")
    if "pandas." in code:
        lines.insert(0, "import pandas")
    if "io.StringIO" in code:
        lines.insert(0, "import io")
    if "Image.open" in code:
        lines.append("from PIL import Image")
    if "BitsAndBytesConfig(" in code:
        names.append("BitsAndBytesConfig")
    lines.append(f"from transformers import {', '.join(names)}")
    return lines


def snippet(checkpoint: str, task: str, inputs: dict[str, Any] | None = None,
            options: dict[str, Any] | None = None, *, load_options: LoadOptions | None = None,
            output_attentions: bool = False, **load: Any) -> str:
    """Python source that reproduces ``explorer.run(checkpoint, task, **inputs, **options)`` with
    plain transformers, loaded as ``load_options`` (or its fields as keywords: ``dtype``,
    ``device``, ``revision``, ``device_map``, ``max_memory``, ...). File inputs must be paths;
    ``zoo:`` names become their folders."""
    from explorer.resolution import resolve

    how, unknown = LoadOptions.split(load_options, **load)
    if unknown:
        raise TypeError(f"snippet() got unknown load option(s): {', '.join(sorted(unknown))}")
    resolution = resolve(checkpoint, task, revision=how.revision)
    spec_task = get_task(task)
    pre_auto = resolution.preprocessor_auto_class or "AutoProcessor"
    spec = Spec(task=spec_task, resolution=resolution, inputs=dict(inputs or {}),
                options=dict(options or {}), pre=_PRE_VARS.get(pre_auto, "processor"),
                cast=how.device not in (None, "cpu") or how.dtype != "auto")
    # AutoBackbone.from_pretrained(local folder) asks the hub first (transformers 5.23): use the
    # concrete class it picks, which loads the same model.
    loader = resolution.model_class if spec_task.auto_class == "AutoBackbone" else \
        spec_task.auto_class
    body = BODIES.get(spec_task.auto_class, _generic)(spec)
    location = resolution.location if resolution.source in ("zoo", "local") else checkpoint
    where = f"  # {checkpoint}" if location != checkpoint else ""
    header = [
        f"# {spec_task.task} with {checkpoint}: {spec_task.auto_class} picked "
        f"{resolution.model_class}",
        "# Plain transformers (v5), no explorer needed.",
    ]
    if resolution.random_weights:
        header.append("# Random-weight demo checkpoint: the numbers are meaningless.")
    loading = _load_lines(spec, loader, how, output_attentions)
    lines = [*header, *_imports(spec, loader, [*loading, *body]), "",
             f"checkpoint = {str(location)!r}{where}", *loading, "", *body]
    return "\n".join(lines) + "\n"


def snippet_for(request: Any) -> str:
    """The snippet of a ``explorer.ui.runs.RunRequest``."""
    return snippet(request.checkpoint, request.task, request.inputs, request.options,
                   **request.load)


__all__ = ["BODIES", "snippet", "snippet_for"]
