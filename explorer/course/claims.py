"""What a lesson's text says about a demo's output, checked by the cell that shows it.

The prose of a lesson is written for the offline zoo: it says which kind of checkpoint a demo runs
(``real``, a trained ``toy``, or ``random`` weights) and, for a trained one, what it answers. A
cell then calls ``confirm`` on the result, so the text cannot silently go stale: when a zoo entry
changes kind (a toy replaces a random entry) or a trained model stops giving the answer the text
describes, the cell fails and the notebook test with it.

    review = explorer.run(CKPT["text-classification"], text=REVIEW)
    course.confirm(review, "toy", "the review is positive",
                   lambda: review.labels[0].label == "positive")
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from explorer.course.checkpoints import short

KINDS = {"real": "real weights", "toy": "a trained toy", "random": "random weights"}


class StaleText(AssertionError):
    """The lesson's text no longer matches what its demo shows."""


def kind_of(subject: Any) -> tuple[str, str, str]:
    """``(checkpoint, kind, toy headline)`` of a result or of a checkpoint (path or hub id)."""
    if isinstance(subject, str):
        import explorer

        resolution = explorer.resolve(subject)
        return subject, resolution.checkpoint_kind, resolution.toy_headline
    return subject.checkpoint, subject.checkpoint_kind, subject.toy_headline


def confirm(subject: Any, kind: str, claim: str = "",
            holds: Callable[[], bool] | None = None) -> None:
    """Check what the text says about ``subject`` (a result, or a checkpoint for cells that run
    plain transformers): that its checkpoint is ``kind`` and, unless random, that ``holds()``.

    Zoo checkpoints are held to the text: a mismatch raises ``StaleText`` naming the claim. Hub
    checkpoints (``ONLINE = True``) are not the ones the text describes: the claim is evaluated
    and reported, never raised.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; use one of: {', '.join(KINDS)}")
    if kind == "random" and holds is not None:
        raise ValueError("random weights promise no output: give no claim to check")
    checkpoint, actual, headline = kind_of(subject)
    name = short(checkpoint)
    if not name.startswith("zoo:"):
        said = f"; the text's claim {'holds' if holds() else 'does not hold'} here" if holds else ""
        print(f"{name}: {KINDS.get(actual, actual)} (the text describes the offline zoo{said})")
        return
    if actual != kind:
        raise StaleText(f"the text says {name} has {KINDS[kind]}, but it now has "
                        f"{KINDS.get(actual, actual)}{f' ({headline})' if headline else ''}: "
                        "update the lesson's text and this check")
    if kind == "random":
        print(f"{name}: random weights, as the text says: the output shows the form, not an answer")
        return
    if holds is not None and not holds():
        raise StaleText(f"the text says {claim!r} of {name}, and it is not so: update the lesson")
    print(f"{name}: {headline or KINDS[kind]}" + (f"; checked: {claim}" if claim else ""))
