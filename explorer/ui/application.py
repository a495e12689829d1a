"""The explorer app: the panels wired together. Every model step goes through the explorer API
(``explorer.ui.runs.execute``); this module only moves values between panels.

    import explorer
    explorer.app()          # in a notebook cell, or the single cell of notebooks/dashboard.ipynb
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from explorer.catalog import TaskSpec, get_task
from explorer.errors import OverBudget
from explorer.ui import checkpoints as ck
from explorer.ui import layout
from explorer.ui.catalog_panel import CatalogPanel
from explorer.ui.checkpoint_panel import CheckpointPanel
from explorer.ui.compare import ComparePanel
from explorer.ui.inputs_panel import INPUT_CONTROLS, InputsPanel
from explorer.ui.options_panel import OptionsPanel
from explorer.ui.result_tabs import ResultTabs
from explorer.ui.run_controller import RunController
from explorer.ui.runs import RunOutcome, RunRequest, execute, one_line
from explorer.ui.style import RANDOM_BADGE, esc

_INPUT_KEYS = set(INPUT_CONTROLS) | {"sampling_rate"}


def task_html(spec: TaskSpec | None) -> str:
    if spec is None:
        return '<div class="ae-muted">Pick a task on the left.</div>'
    chips = "".join(f'<span class="ae-chip">{esc(k)}</span>' for k in spec.inputs)
    return (f'<div class="ae-task-card"><h3>{esc(spec.task)}</h3>'
            f'<div class="ae-muted">{esc(spec.summary)}</div>'
            f'<div class="ae-small" style="margin-top:6px"><code>{esc(spec.auto_class)}</code>'
            f" · input: {chips} · result: <code>{esc(spec.result)}</code></div></div>")


class ExplorerApp:
    """The dashboard. Display it (it is the last expression of a cell) or use ``.widget``."""

    def __init__(self, category: str | None = None, task: str | None = None,
                 checkpoint: str | None = None, threaded: bool = True,
                 online: bool | None = None) -> None:
        self.online = ck.hub_online() if online is None else online
        if not self.online and not ck.offline_forced():
            ck.go_offline()  # no later call waits on network timeouts
        self.catalog = CatalogPanel(category or "nlp")
        self.checkpoints = CheckpointPanel(online=self.online)
        self.options = OptionsPanel()
        self.inputs = InputsPanel()
        self.results = ResultTabs()
        self.compare = ComparePanel()
        self.controller = RunController(threaded=threaded, explain=self.explain)
        self.controller.guard(self.compare.button, blockable=True)
        self.task_card = w.HTML()
        self.result_badge = w.HTML()
        self.header = w.HTML()
        self.zoo_button = w.Button(description="Build the missing demo checkpoints", icon="cubes",
                                   tooltip="Build the offline random-weight checkpoints (≈30 s)",
                                   layout=w.Layout(width="auto"))
        self.zoo_status = w.HTML()
        self.controller.guard(self.zoo_button)
        self._view = 0
        """Bumped whenever the request on screen changes: an outcome of an older one is dropped."""
        self._refresh_header()
        self.widget = layout.compose(self)
        self.catalog.observe(self._on_task_change, "task")
        self.checkpoints.observe(self._on_checkpoint_change, "checkpoint")
        self.checkpoints.observe(self._on_usable_change, ["checkpoint", "note"])
        self.inputs.on_change(self._on_input_change)
        self.compare.picker.observe(lambda _c: setattr(self.compare.status, "value", ""), "value")
        self.controller.button.on_click(self._on_run_click)
        self.compare.button.on_click(self._on_compare_click)
        self.zoo_button.on_click(self._on_zoo_click)
        if task:
            self.catalog.task = get_task(task).task  # a hub tag or an Auto class name
        self._on_task_change({"new": self.catalog.task})
        if checkpoint:
            self.checkpoints.use_typed(checkpoint)
        self._on_usable_change({})

    # ------------------------------------------------------------------ display

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def _refresh_header(self) -> None:
        entries = len(ck._manifest())
        self.header.value = layout.header_html(self.online, entries)
        missing = ck.missing_zoo_entries()
        self.zoo_button.description = f"Build the missing demo checkpoints ({len(missing)})"
        self.zoo_button.layout.display = "" if missing else "none"

    # ------------------------------------------------------------------ requests

    @property
    def spec(self) -> TaskSpec | None:
        return self.catalog.spec

    def request(self, checkpoint: str | None = None) -> RunRequest:
        """What a run of the current selection would ask for (raises ValueError with one line
        when something is missing)."""
        spec = self.spec
        if spec is None:
            raise ValueError("pick a task first")
        chosen = checkpoint or self.checkpoints.checkpoint
        if not chosen:
            raise ValueError(self.checkpoints.note or "pick a checkpoint first")
        load, options = self.options.values()
        return RunRequest(chosen, spec.task, self.inputs.values(), options, load)

    def run(self) -> bool:
        """Run the current selection (what the Run button does). False when nothing started."""
        if self.controller.busy:
            return False
        try:
            request = self.request()
        except ValueError as exc:
            self.controller.fail(str(exc))
            return False
        self._clear_result()  # a failed run must not leave the previous request's views
        view = self._view

        def done(outcome: RunOutcome) -> str | None:
            if view != self._view:
                return _dropped(request)
            self._show_outcome(outcome)
            return None

        return self.controller.submit(lambda step: self._execute_or_offer(request, step), done)

    def _execute_or_offer(self, request: RunRequest, step: Any) -> RunOutcome:
        """Run; over the memory budget, set the offloading options for the next Run."""
        try:
            return execute(request, step)
        except OverBudget as exc:
            if exc.offload is not None:
                self.options.offer_offload(exc.offload, str(exc))
            raise

    def compare_with(self, other: str | None = None) -> bool:
        """Run the selection and ``other`` (default: the compare picker's) on the same input."""
        other = other or self.compare.picker.value
        choice = self.compare.choices.get(other or "") or ck.typed_choice(other or "")
        if self.controller.busy:
            return False
        try:
            if not other:
                raise ValueError("pick a second checkpoint to compare with")
            if not choice.offline and not self.online:
                raise ValueError(ck.offline_message(choice))
            first = self.request()
        except ValueError as exc:
            self.controller.fail(str(exc), self.compare.status)
            return False
        second = first.with_checkpoint(other)
        self.compare.clear()
        view = self._view

        def job(step: Any) -> tuple[RunOutcome, RunOutcome]:
            return execute(first, step), execute(second, step)

        def done(outcomes: tuple[RunOutcome, RunOutcome]) -> str | None:
            if view != self._view:
                return _dropped(first)
            self.compare.show(outcomes)
            return None

        return self.controller.submit(job, done, label="comparison", status=self.compare.status)

    def explain(self, exc: BaseException) -> str:
        """An error as one line that names what is on screen (fields, options), not CLI flags."""
        from explorer.errors import BadOption, MissingInput

        if isinstance(exc, MissingInput) and exc.kinds:
            fields = " and ".join(f"“{_field_title(kind)}”" for kind in exc.kinds)
            what = "field" if len(exc.kinds) == 1 else "fields"
            return (f"{exc.task} needs {', '.join(exc.kinds)} input: fill in the {fields} {what} "
                    "under Input")
        if isinstance(exc, BadOption):
            label = self.options.label(exc.option)
            return (f"option “{label}” should be {exc.expected} (it reads {exc.value!r}): fix it "
                    "under Options, or empty it for the default")
        return one_line(exc)

    def _clear_result(self) -> None:
        self.results.clear()
        self.result_badge.value = ""

    def _new_request(self) -> None:
        """The request on screen changed: views and status lines of the old one go."""
        self._view += 1
        self._clear_result()
        self.compare.clear()
        self.compare.status.value = ""
        if not self.controller.busy:
            self.controller.status.value = ""

    def _show_outcome(self, outcome: RunOutcome) -> None:
        self.results.show(outcome)
        # The checkpoint panel already shows the badge for random checkpoints; a real checkpoint
        # whose head was newly initialised gets it here, next to its result.
        shown = self.checkpoints.random_weights
        self.result_badge.value = RANDOM_BADGE if outcome.result.random_weights and not shown \
            else ""

    # ------------------------------------------------------------------ observers

    def _on_task_change(self, change: dict) -> None:
        self._new_request()
        spec = self.spec
        self.task_card.value = task_html(spec)
        self.options.set_task(spec)
        self.inputs.set_task(spec)
        self.compare.set_choices([])  # a new task starts from its own first other checkpoint
        self.checkpoints.set_task(spec)  # selects the first checkpoint → _on_checkpoint_change

    def _on_checkpoint_change(self, change: dict) -> None:
        self._new_request()
        checkpoint = change["new"]
        choice = self.checkpoints.choice
        self.compare.set_choices(list(self.checkpoints.choices.values()), exclude=checkpoint)
        if not checkpoint or choice is None:
            return
        self.inputs.set_task(self.spec, self.checkpoints.resolution)
        entry = ck.zoo_entry(checkpoint)
        if entry is not None:
            from explorer.zoo import example_kwargs

            example = example_kwargs(entry.get("example") or {})
            self.inputs.prefill({k: v for k, v in example.items() if k in _INPUT_KEYS})
            self.options.prefill({k: v for k, v in example.items() if k not in _INPUT_KEYS})
        else:
            self.inputs.prefill_empty()
        self.options.show_revision(choice.source in ("cache", "curated", "hub", "typed"))

    def _on_input_change(self) -> None:
        """An edited input makes the last run's error line out of date."""
        if self.controller.error and not self.controller.busy:
            self.controller.error = ""
            self.controller.status.value = ""

    def _on_usable_change(self, _change: dict) -> None:
        picked = self.checkpoints
        self.controller.blocked = "" if picked.checkpoint else \
            (picked.note or "pick a checkpoint first")

    def _on_run_click(self, _button: w.Button) -> None:
        self.run()

    def _on_compare_click(self, _button: w.Button) -> None:
        self.compare_with()

    def _on_zoo_click(self, _button: w.Button) -> None:
        def job(step: Any) -> int:
            from explorer.zoo import build_zoo

            missing = ck.missing_zoo_entries()
            for index, name in enumerate(missing):
                step(2, f"building zoo:{name} ({index + 1} of {len(missing)})")
                build_zoo(only=[name])
            return len(missing)

        def done(built: int) -> str:
            self._refresh_header()
            self._on_task_change({"new": self.catalog.task})
            return f"{built} demo checkpoints built"

        self.controller.submit(job, done, label="zoo build", status=self.zoo_status)


def _dropped(request: RunRequest) -> str:
    return (f"not shown: it was for {request.task} · {request.checkpoint}, and the selection "
            "changed since")


def _field_title(kind: str) -> str:
    """The on-screen title of an input kind's field ("Text", "Image", "Question")."""
    from explorer.ui.inputs_panel import INPUT_CONTROLS

    control = INPUT_CONTROLS.get(kind)
    title = getattr(control, "title", "") or kind
    return title.split(" — ")[0].split(" (")[0]
