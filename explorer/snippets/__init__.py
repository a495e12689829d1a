"""The "Code" tab: a plain transformers snippet that reproduces an explorer run, no explorer needed.

    from explorer.snippets import snippet
    print(snippet("zoo:text-classification", "text-classification", {"text": "good"}))

A snippet loads the checkpoint with the Auto classes the explorer used, prepares the same inputs,
runs the model under ``torch.inference_mode``, post-processes and decodes the way the explorer's
runner does, and prints the answer the Result tab shows (``explorer.snippets.answers`` says what
each result type prints). Which body a task gets is data: ``BODIES``, keyed by Auto class, built
from the ``TASKS`` each task family registers (``explorer/heads/<family>.py``), body beside runner;
option defaults are the ones the task declares (``explorer/options.py``), as for the runners.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from explorer.catalog import get_task
from explorer.errors import NotRunnable
from explorer.load_options import LoadOptions
from explorer.snippets.base import Body, Spec


@cache
def bodies() -> dict[str, Body]:
    """The bodies task families register beside their runners (``TASKS`` in
    ``explorer/heads/<family>.py``), keyed by Auto class."""
    from explorer.heads._registry import all_tasks

    return {task.auto_class: task.snippet for task in all_tasks()}


def __getattr__(name: str) -> Any:
    # BODIES is collected on first use: the heads modules import explorer.snippets.base, so
    # importing them while this package initialises would be circular.
    if name == "BODIES":
        return bodies()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

# The Auto class that loads each kind of preprocessor, and its name in the snippet.
_PRE_KINDS = (("ProcessorMixin", "AutoProcessor", "processor"),
              ("PreTrainedTokenizerBase", "AutoTokenizer", "tokenizer"),
              ("ImageProcessingMixin", "AutoImageProcessor", "image_processor"),
              ("FeatureExtractionMixin", "AutoFeatureExtractor", "feature_extractor"))


def _preprocessor_kind(preprocessor: Any) -> tuple[str, str]:
    """``(Auto class, variable name)`` for the preprocessor the explorer loaded."""
    bases = {cls.__name__ for cls in type(preprocessor).__mro__}
    for base, auto, name in _PRE_KINDS:
        if base in bases:
            return auto, name
    return "AutoProcessor", "processor"


_QUANTIZATION_CODE = {
    "8bit": "BitsAndBytesConfig(load_in_8bit=True)",
    "4bit": "BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type=\"nf4\")",
}


def _load_lines(auto_pre: str | None, pre: str, loader: str, how: LoadOptions,
                model_kwargs: dict[str, Any]) -> list[str]:
    extra = []
    if how.dtype != "auto":
        extra.append(f"dtype=torch.{how.dtype}")
    if how.revision:
        extra.append(f"revision={how.revision!r}")
    if how.trust_remote_code:
        extra.append("trust_remote_code=True")
    extra += [f"{k}={v!r}" for k, v in model_kwargs.items()]
    if how.big_model:  # accelerate places the modules (and hooks them); no model.to(device)
        extra.append(f"device_map={how.device_map or 'auto'!r}")
        if how.max_memory:
            extra.append(f"max_memory={how.max_memory!r}")
        if how.offload_folder:
            extra.append(f"offload_folder={how.offload_folder!r}")
        if how.quantization:
            extra.append(f"quantization_config={_QUANTIZATION_CODE[how.quantization]}")
    pre_kwargs = f", revision={how.revision!r}" if how.revision else ""
    lines = [f"{pre} = {auto_pre}.from_pretrained(checkpoint{pre_kwargs})"] if auto_pre else []
    lines += [f"model = {loader}.from_pretrained(checkpoint{''.join(', ' + k for k in extra)})",
             "model.eval()"]
    if how.device not in (None, "cpu", "auto") and not how.big_model:
        lines.append(f"model.to({how.device!r})")
    return lines


def _imports(names: list[str], body: list[str]) -> list[str]:
    code = "\n".join(body)
    lines = [m for m, used in (("import av", "av.open(" in code),
                               ("import io", "io.StringIO" in code),
                               ("import librosa", "librosa." in code),
                               ("import pandas", "pandas." in code)) if used]
    lines.append("import torch")
    if "Image." in code:
        lines.append("from PIL import Image")
    if "BitsAndBytesConfig(" in code:
        names = [*names, "BitsAndBytesConfig"]
    lines.append(f"from transformers import {', '.join(sorted(set(names)))}")
    return lines


def snippet(checkpoint: str, task: str, inputs: dict[str, Any] | None = None,
            options: dict[str, Any] | None = None, *, load_options: LoadOptions | None = None,
            output_attentions: bool = False, **load: Any) -> str:
    """Python source that reproduces ``explorer.run(checkpoint, task, **inputs, **options)`` with
    plain transformers and prints the same answer, loaded as ``load_options`` (or its fields as
    keywords: ``dtype``, ``device``, ``revision``, ``device_map``, ``max_memory``, ...). File
    inputs must be paths; ``zoo:`` names become their folders. The checkpoint's preprocessor is
    loaded (to see which kind it is); its weights are not."""
    import transformers

    from explorer.loading import _load_preprocessor
    from explorer.resolution import resolve
    from explorer.runner import split_options

    task_spec = get_task(task)
    if task_spec.runner is None:
        raise NotRunnable(f"{task_spec.auto_class} cannot run in the explorer yet, so it has no "
                          "snippet")
    how, unknown = LoadOptions.split(load_options, **load)
    if unknown:
        raise TypeError(f"snippet() got unknown load option(s): {', '.join(sorted(unknown))}")
    resolution = resolve(checkpoint, task, revision=how.revision)
    assert resolution.model_class is not None  # resolve raises when the task has no class for it
    preprocessor = _load_preprocessor(resolution, how.trust_remote_code)
    # A model that reads numbers (TimesFM) has no preprocessor to load.
    auto_pre, pre = _preprocessor_kind(preprocessor) if preprocessor is not None else (None, "")
    overrides, run_options = split_options(dict(options or {}))
    if output_attentions:
        overrides["output_attentions"] = True
    spec = Spec(task_spec=task_spec, resolution=resolution, inputs=dict(inputs or {}),
                options=run_options, pre=pre, preprocessor=preprocessor,
                model_class=getattr(transformers, resolution.model_class),
                cast=how.device not in (None, "cpu", "auto") or how.dtype != "auto")
    # AutoBackbone.from_pretrained(local folder) asks the hub first (transformers 5.23): use the
    # concrete class it picks, which loads the same model.
    loader = resolution.model_class if task_spec.auto_class == "AutoBackbone" else \
        task_spec.auto_class
    model_kwargs = dict(overrides)
    if model_kwargs.pop("output_attentions", False):
        model_kwargs.update(attn_implementation="eager", output_attentions=True)
    body = bodies()[task_spec.auto_class](spec)
    location = resolution.location if resolution.source in ("zoo", "local") else checkpoint
    where = f"  # {checkpoint}" if location != checkpoint else ""
    header = [f"# {task_spec.task} with {checkpoint}: {task_spec.auto_class} picked "
              f"{resolution.model_class}",
              "# Plain transformers (v5), no explorer needed; prints what the Result tab shows."]
    if resolution.random_weights:
        header.append("# Random-weight demo checkpoint: the numbers are meaningless.")
    loading = _load_lines(auto_pre, pre, loader, how, model_kwargs)
    lines = [*header, *_imports([n for n in (auto_pre, loader) if n], [*loading, *body]), "",
             f"checkpoint = {str(location)!r}{where}", *loading, "", *body]
    return "\n".join(lines) + "\n"


__all__ = ["BODIES", "bodies", "snippet"]
