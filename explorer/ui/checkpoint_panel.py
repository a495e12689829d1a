"""Panel 2: pick a checkpoint for the task: zoo, local, cache, curated hub ids, typed, hub search.

Offline entries are marked; an online-only entry picked without a network, or a typed checkpoint
that cannot serve the task, gives one clear line instead of a checkpoint.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w
from traitlets import Any as AnyTrait
from traitlets import Bool, HasTraits, Unicode

from explorer.catalog import TaskSpec
from explorer.errors import ExplorerError
from explorer.ui import checkpoints as ck
from explorer.ui.style import RANDOM_BADGE, esc, heading, message, toy_badge


class CheckpointPanel(HasTraits):
    """``checkpoint`` is the usable selection ("" while none is usable); ``note`` the one line."""

    checkpoint = Unicode("")
    random_weights = Bool(False)
    resolution = AnyTrait(None, allow_none=True)
    """``explorer.Resolution`` of a zoo / local selection (others resolve at run time)."""
    note = Unicode("")
    """One line for the user: why the selection cannot be used, or what was found."""

    def __init__(self, online: bool | None = None) -> None:
        super().__init__()
        self.online = ck.hub_online() if online is None else online
        self.spec: TaskSpec | None = None
        self.choices: dict[str, ck.Choice] = {}
        self._refilling = False
        self.picker = w.Dropdown(options=[], description="Checkpoint",
                                 layout=w.Layout(width="100%"),
                                 style={"description_width": "88px"})
        self.typed = w.Text(placeholder="or type a hub id (org/name) or a local folder, then Enter",
                            description="Other", layout=w.Layout(flex="1 1 auto"),
                            style={"description_width": "88px"}, continuous_update=False)
        self.use = w.Button(description="Use", tooltip="Check this checkpoint and select it",
                            layout=w.Layout(width="72px"))
        self.search = w.Button(description="Search the hub", icon="search",
                               tooltip="Most downloaded hub models with this task's tag",
                               layout=w.Layout(width="160px",
                                               display="" if self.online else "none"))
        self.badge = w.HTML()
        self.status = w.HTML()
        self.details = w.HTML()
        self.picker.observe(self._on_value_change, "value")
        self.typed.observe(self._on_typed_change, "value")
        self.use.on_click(lambda _b: self.use_typed(self.typed.value))
        self.search.on_click(lambda _b: self.search_hub())
        self.observe(self._on_note_change, "note")

    # ------------------------------------------------------------------ filling

    def set_task(self, spec: TaskSpec | None) -> None:
        """Offer the checkpoints that can serve ``spec`` and select the first usable one (the
        zoo's); with none usable, the reason stays in ``note``."""
        self.spec = spec
        found = ck.choices_for(spec) if spec is not None else []
        self._set_choices(found)
        if spec is not None and not self.checkpoint and not self.note:
            self.note = _nothing_offline(spec)

    def _usable(self, choice: ck.Choice) -> bool:
        return choice.offline or self.online

    def _set_choices(self, found: list[ck.Choice], select: str | None = None) -> None:
        self.choices = {c.checkpoint: c for c in found}
        if select not in self.choices:
            select = next((c.checkpoint for c in found if self._usable(c)), None)
        self._refilling = True  # one _select below, not one per intermediate picker value
        try:
            self.picker.options = [(c.label, c.checkpoint) for c in found]
            self.picker.value = select
        finally:
            self._refilling = False
        self._select(self.picker.value)

    def add_choices(self, extra: list[ck.Choice], select: str | None = None) -> None:
        """Append choices (hub search results, typed checkpoints) and optionally select one."""
        self._set_choices(ck.dedupe([*self.choices.values(), *extra]), select or self.picker.value)

    # ------------------------------------------------------------------ selecting

    def _select(self, value: str | None) -> None:
        choice = self.choices.get(value or "")
        # Cleared first so observers always hear about a (re)selection, even of the same name.
        self.resolution, self.checkpoint, self.random_weights = None, "", False
        self.badge.value = ""
        self.details.value = ""
        self.note = ""
        if choice is None:
            return
        if not choice.offline and not self.online:
            self.note = ck.offline_message(choice)
            return
        if choice.source in ("zoo", "local") and self.spec is not None:
            # Local folders resolve in milliseconds; hub and cache entries resolve at run time
            # (resolving them here could wait on the network).
            try:
                from explorer.resolution import resolve

                self.resolution = resolve(choice.checkpoint, self.spec.task)
            except ExplorerError as exc:
                self.note = str(exc)
                return
        random = choice.random_weights or bool(self.resolution and self.resolution.random_weights)
        self.random_weights = random
        toy = "" if random or self.resolution is None else self.resolution.toy_headline
        self.badge.value = RANDOM_BADGE if random else toy_badge(toy) if toy else ""
        self.checkpoint = choice.checkpoint
        self.details.value = _details_html(choice, self.resolution)

    def use_typed(self, text: str) -> bool:
        """Check a typed checkpoint against the task; select it when it can serve it."""
        text = (text or "").strip()
        if not text:
            self.note = "type a hub id such as org/name, a local folder, or zoo:<task>"
            return False
        if self.spec is None:
            self.note = "pick a task first"
            return False
        choice = ck.typed_choice(text)
        if not choice.offline and not self.online:
            self.note = ck.offline_message(choice) + \
                (f" (Run still uses {self.checkpoint})" if self.checkpoint else "")
            return False
        try:
            ck.check_serves(text, self.spec.task, self.online)
        except ExplorerError as exc:
            self.note = str(exc) + (f" (Run still uses {self.checkpoint})" if self.checkpoint
                                    else "")
            return False
        self.add_choices([choice], select=choice.checkpoint)
        return True

    def search_hub(self) -> None:
        if self.spec is None:
            return
        if not ck.hub_online():
            self.note = "the hub cannot be reached; the search needs a connection"
            return
        try:
            found = ck.hub_search(self.spec)
        except Exception as exc:  # network errors of any kind: one line, keep the panel alive
            self.note = f"hub search failed ({type(exc).__name__}); try again or type a hub id"
            return
        self.add_choices(found)
        self.status.value = message(f"{len(found)} hub models tagged {self.spec.task} added to "
                                    "the list", "info")

    # ------------------------------------------------------------------ observers

    def _on_value_change(self, change: dict) -> None:
        if not self._refilling:
            self._select(change["new"])

    def _on_typed_change(self, change: dict) -> None:
        if change["new"].strip():
            self.use_typed(change["new"])
        elif self.checkpoint:
            self.note = ""  # the typed id's error goes with it

    def _on_note_change(self, change: dict) -> None:
        self.status.value = message(change["new"], "error")

    @property
    def choice(self) -> ck.Choice | None:
        return self.choices.get(self.checkpoint)

    def heading(self) -> w.HTML:
        return w.HTML(heading(2, "Checkpoint"))


def _nothing_offline(spec: TaskSpec) -> str:
    """Why a task has no usable checkpoint, and what to do."""
    if ck.zoo_recipe_for(spec):
        return (f"the demo zoo has no {spec.task} checkpoint yet (built by an older version?): "
                "click “Build the missing demo checkpoints” above, or run `explorer zoo`")
    return f"no offline checkpoint for {spec.task}; type a hub id or a local folder"


def _details_html(choice: ck.Choice, resolution: Any) -> str:
    where = {"zoo": "offline demo zoo", "local": "local folder", "cache": "local HF cache",
             "curated": "Hugging Face Hub", "hub": "Hugging Face Hub", "typed": "Hugging Face Hub"}
    parts = [f'<span class="ae-chip">{esc(where.get(choice.source, choice.source))}</span>',
             f'<span class="ae-chip">{"offline" if choice.offline else "online"}</span>']
    if resolution is not None:
        parts.append(f"<code>{esc(resolution.model_type)}</code> → "
                     f"<code>{esc(resolution.model_class)}</code>")
        if resolution.preprocessor_class:
            parts.append(f"+ <code>{esc(resolution.preprocessor_class)}</code>")
    memory = memory_html(resolution) if resolution is not None else ""
    return f'<div class="ae-small">{" ".join(parts)}</div>{memory}'


def memory_html(resolution: Any) -> str:
    """Memory before loading: parameters, bytes per dtype against the budget, the largest layer
    and the headroom to run; one line saying why when it cannot be estimated."""
    from explorer.load_options import default_budget
    from explorer.memory import INFERENCE_OVERHEAD, estimate, human

    try:
        found = estimate(resolution)
    except ExplorerError as exc:
        return f'<div class="ae-small ae-muted">memory: not estimated ({esc(exc)})</div>'
    budget = default_budget()
    cells = []
    for count in found.per_dtype.values():
        over = count * (1 + INFERENCE_OVERHEAD) > budget
        mark = ';color:#B00020" title="over the memory budget: offload or quantize' \
            if over else ""
        cells.append(f'<td style="padding:0 12px 0 0{mark}">{esc(human(count))}</td>')
    head = "".join(f'<th style="padding:0 12px 0 0;text-align:left">{esc(d)}</th>'
                   for d in found.per_dtype)
    return (f'<div class="ae-small ae-memory">memory before loading ({esc(found.source)}): '
            f"<b>{found.parameters:,}</b> parameters, stored as {esc(found.stored_dtype)}"
            f'<table class="ae-memory-table"><tr>{head}</tr><tr>{"".join(cells)}</tr></table>'
            f"largest layer <code>{esc(found.largest_layer)}</code> "
            f"({esc(human(found.largest_layer_bytes))}) · running needs about "
            f"{INFERENCE_OVERHEAD:.0%} more · budget {esc(human(budget))}</div>")
