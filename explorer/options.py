"""Task option defaults, written once: the runners (``ctx.option(name)``) and the Code-tab
snippets both read them here.

    from explorer.options import default
    default("top_k")                                    # 5
    default("top_k", "AutoModelForObjectDetection")     # 100
"""

from __future__ import annotations

from typing import Any

DEFAULTS: dict[str, Any] = {
    "top_k": 5,
    "threshold": 0.5,
    "max_new_tokens": 20,
    "do_sample": False,
    "only_new": False,
    "chat_template": True,
    "max_answer_length": 30,
    "pooling": "mean",
    "hypothesis_template": "This is a photo of {}.",
    "return_timestamps": False,
    "language": "",
    "seed": 0,
    "mask_ratio": 0.5,
}

# Where a task's default differs from the one above (keyed by Auto class).
TASK_DEFAULTS: dict[str, dict[str, Any]] = {
    "AutoModelForObjectDetection": {"top_k": 100},
    "AutoModelForKeypointDetection": {"threshold": 0.0, "top_k": 200},
    "AutoModelForZeroShotObjectDetection": {"threshold": 0.1},
    "AutoModelForVisualQuestionAnswering": {"max_new_tokens": 10},
    "AutoModelForDocumentQuestionAnswering": {"max_answer_length": 15},
    "AutoModelForSpeechSeq2Seq": {"max_new_tokens": 64},
}


def default(name: str, task: str | None = None) -> Any:
    """The default of option ``name`` (for the Auto class ``task`` when it has its own)."""
    own = TASK_DEFAULTS.get(task or "", {})
    if name in own:
        return own[name]
    if name not in DEFAULTS:
        raise KeyError(f"option {name!r} has no default in explorer.options.DEFAULTS")
    return DEFAULTS[name]


__all__ = ["DEFAULTS", "TASK_DEFAULTS", "default"]
