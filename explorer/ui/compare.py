"""Panel 7: compare two checkpoints of the same task on the same input, side by side."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from explorer.ui import checkpoints as ck
from explorer.ui.runs import RunOutcome
from explorer.ui.style import RANDOM_BADGE, esc, heading


class ComparePanel:
    def __init__(self) -> None:
        self.picker = w.Dropdown(options=[], description="Compare with",
                                 layout=w.Layout(flex="1 1 auto"),
                                 style={"description_width": "100px"})
        self.button = w.Button(description="Compare", icon="columns",
                               tooltip="Run both checkpoints on the same input",
                               layout=w.Layout(width="130px"))
        self.left = w.HTML()
        self.right = w.HTML()
        for column in (self.left, self.right):
            column.add_class("ae-compare-col")
        # Side by side; the stylesheet stacks them on narrow screens.
        self.columns = w.HBox([self.left, self.right], layout=w.Layout(width="100%"))
        self.columns.add_class("ae-compare-cols")
        self.status = w.HTML()
        """The compare section's own progress and one-line errors."""
        self.status.add_class("ae-compare-status")
        self.choices: dict[str, ck.Choice] = {}

    def set_choices(self, choices: list[ck.Choice], exclude: str = "") -> None:
        """Offer the task's other checkpoints (the current one is left out)."""
        self.choices = {c.checkpoint: c for c in choices if c.checkpoint != exclude}
        current = self.picker.value
        self.picker.options = [(c.label, c.checkpoint) for c in self.choices.values()]
        self.picker.value = current if current in self.choices else \
            (next(iter(self.choices)) if self.choices else None)
        self.button.disabled = not self.choices

    def clear(self) -> None:
        self.left.value = self.right.value = ""

    def show(self, outcomes: tuple[RunOutcome, RunOutcome]) -> None:
        self.left.value, self.right.value = (column_html(o) for o in outcomes)

    def heading(self) -> w.HTML:
        return w.HTML(heading(6, "Compare"))


def column_html(outcome: RunOutcome) -> str:
    result: Any = outcome.result
    badge = RANDOM_BADGE if getattr(result, "random_weights", False) else ""
    return (f"<h4>{esc(outcome.request.checkpoint)} "
            f'<span class="ae-small">{esc(result.model_class)} · {outcome.seconds:.2f} s</span>'
            f"</h4>{badge}{outcome.html}")
