"""Where the panels go: the page layout only (no observers, no model logic).

    header
    category bar
    ┌ sidebar: tasks ┐ ┌ task · checkpoint · input · options · run + result · compare ┐
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ipywidgets as w

from explorer.ui.style import esc, stylesheet

if TYPE_CHECKING:
    from explorer.ui.application import ExplorerApp


def card(*children: w.Widget, name: str = "") -> w.VBox:
    box = w.VBox(list(children), layout=w.Layout(width="100%"))
    box.add_class("ae-card")
    if name:
        box.add_class(f"ae-card-{name}")
    return box


def header_html(online: bool, zoo_entries: int) -> str:
    network = "online" if online else "offline"
    zoo = f"demo zoo: {zoo_entries} checkpoints" if zoo_entries else "demo zoo not built"
    return ('<div class="ae-header"><h1>AutoClass Explorer'
            f'<span class="ae-pill">{esc(network)}</span><span class="ae-pill">{esc(zoo)}</span>'
            "</h1><p>Pick a task, a checkpoint and an input: see which <b>transformers</b> Auto "
            "class runs, why it was picked, and what comes out.</p></div>")


def compose(app: ExplorerApp) -> w.VBox:
    """The whole page, from the app's panels."""
    catalog, ckpt, opts = app.catalog, app.checkpoints, app.options
    sidebar = card(catalog.heading(), catalog.task_list, catalog.not_runnable, name="tasks")
    sidebar.layout = w.Layout(width="300px", min_width="260px", flex="0 0 300px")
    sidebar.add_class("ae-sidebar")
    checkpoint_card = card(ckpt.heading(), ckpt.picker,
                           w.HBox([ckpt.typed, ckpt.use, ckpt.search],
                                  layout=w.Layout(width="100%", grid_gap="8px")),
                           ckpt.details, ckpt.badge, ckpt.status, name="checkpoint")
    input_card = card(app.inputs.heading(), app.inputs.box, app.inputs.unsupported,
                      name="inputs")
    options_card = card(opts.heading(), opts.run_box, opts.hint, opts.load_box, name="options")
    run_bar = w.HBox([app.controller.button, app.controller.progress, app.controller.status],
                     layout=w.Layout(align_items="center", grid_gap="14px", width="100%"))
    result_card = card(app.results.heading(), run_bar, app.result_badge, app.results.tabs,
                       name="result")
    compare_card = card(app.compare.heading(),
                        w.HBox([app.compare.picker, app.compare.button],
                               layout=w.Layout(width="100%", grid_gap="8px")),
                        app.compare.status, app.compare.columns, name="compare")
    main = w.VBox([card(app.task_card, name="task"), checkpoint_card, input_card, options_card,
                   result_card, compare_card],
                  layout=w.Layout(flex="1 1 auto", min_width="0", width="100%"))
    body = w.HBox([sidebar, main], layout=w.Layout(width="100%", grid_gap="14px",
                                                   align_items="flex-start"))
    body.add_class("ae-body")  # the stylesheet stacks it on narrow screens
    categories = w.HBox([app.catalog.categories, app.zoo_button, app.zoo_status],
                        layout=w.Layout(margin="0 0 12px", align_items="center",
                                        grid_gap="12px"))
    root = w.VBox([w.HTML(stylesheet()), app.header, categories, body],
                  layout=w.Layout(width="100%"))
    root.add_class("ae-app")
    return root
