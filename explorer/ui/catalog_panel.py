"""Panel 1: category → the tasks of that category, each with its one-line summary.

Only runnable tasks can be picked; the others are listed, greyed, as "not runnable yet".
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w
from traitlets import HasTraits, Unicode

from explorer.catalog import CATEGORIES, TaskSpec, get_task, tasks
from explorer.ui.style import esc, heading


class CatalogPanel(HasTraits):
    """``category`` and ``task`` are the panel's state; set them to drive it from code."""

    category = Unicode("nlp")
    task = Unicode("", allow_none=False)
    """The selected task's name (``spec.task``), or "" when none is selected."""

    def __init__(self, category: str = "nlp") -> None:
        super().__init__()
        self.categories = w.ToggleButtons(
            options=[(label, key) for key, label in CATEGORIES.items()], value=category,
            style={"button_width": "auto"}, tooltips=[f"{label} tasks" for label in
                                                      CATEGORIES.values()])
        self.categories.add_class("ae-categories")
        self.task_list = w.VBox(layout=w.Layout(width="100%"))
        self.not_runnable = w.HTML()
        self._buttons: dict[str, w.Button] = {}
        self.categories.observe(self._on_value_change, "value")
        self.observe(self._on_category_change, "category")
        self.observe(self._on_task_change, "task")
        self.category = category  # fires _on_category_change only when it differs
        if not self.task:
            self._on_category_change({"new": category})

    # ------------------------------------------------------------------ state → view

    def specs(self, category: str | None = None) -> list[TaskSpec]:
        """The category's tasks: runnable first (catalog order), then the others."""
        found = tasks(category or self.category)
        return [s for s in found if s.runner] + [s for s in found if not s.runner]

    def runnable(self, category: str | None = None) -> list[str]:
        return [s.task for s in self.specs(category) if s.runner]

    def _fill(self, category: str) -> None:
        items: list[Any] = []
        self._buttons = {}
        for spec in self.specs(category):
            if spec.runner is None:
                continue
            button = w.Button(description=spec.task, tooltip=spec.summary,
                              layout=w.Layout(width="100%"))
            button.add_class("ae-task")
            button.on_click(lambda _b, name=spec.task: setattr(self, "task", name))
            self._buttons[spec.task] = button
            items += [button, w.HTML(f'<div class="ae-task-summary">{esc(spec.summary)}</div>')]
        if not items:
            items = [w.HTML('<div class="ae-muted">No task of this category can run yet.</div>')]
        self.task_list.children = items
        self.not_runnable.value = _not_runnable_html([s for s in self.specs(category)
                                                      if s.runner is None])
        self._mark_selected()

    def _mark_selected(self) -> None:
        for name, button in self._buttons.items():
            if name == self.task:
                button.add_class("ae-selected")
            else:
                button.remove_class("ae-selected")

    # ------------------------------------------------------------------ observers

    def _on_value_change(self, change: dict) -> None:
        self.category = change["new"]

    def _on_category_change(self, change: dict) -> None:
        category = change["new"]
        self.categories.value = category
        self._fill(category)
        names = self.runnable(category)
        self.task = names[0] if names else ""

    def _on_task_change(self, change: dict) -> None:
        name = change["new"]
        if name:
            spec = get_task(name)
            if spec.runner is None:
                self.task = change["old"] if change["old"] else ""
                return
            if spec.category != self.category:
                self.category = spec.category  # (re-selects the category's first task)
                self.task = spec.task
                return
        self._mark_selected()

    @property
    def spec(self) -> TaskSpec | None:
        return get_task(self.task) if self.task else None

    def heading(self) -> w.HTML:
        return w.HTML(heading(1, "Task"))


def _not_runnable_html(specs: list[TaskSpec]) -> str:
    if not specs:
        return ""
    rows = "".join(f'<li title="{esc(s.summary)}">{esc(s.task)}</li>' for s in specs)
    return (f'<details class="ae-not-runnable"><summary>Not runnable yet ({len(specs)})</summary>'
            f"<ul>{rows}</ul></details>")
