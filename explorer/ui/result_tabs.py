"""Panel 6: the result in tabs: the rendered view, "Why this class", the code, the data.

The tab bodies are HTML built by pure functions (``why_html``, ``code_html``, ``data_html``) so
they can be tested without a browser.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from explorer.render.device_map import placement_html
from explorer.ui.runs import RunOutcome
from explorer.ui.style import esc, heading

TITLES = ("Result", "Why this class", "Code", "Data")

# Config fields worth showing when present (sizes, labels, audio / image settings).
CONFIG_FIELDS = ("model_type", "architectures", "hidden_size", "d_model", "n_embd",
                 "num_hidden_layers", "n_layer", "encoder_layers", "decoder_layers",
                 "num_attention_heads", "n_head", "intermediate_size", "vocab_size",
                 "max_position_embeddings", "n_positions", "num_labels", "image_size",
                 "patch_size", "num_channels", "sampling_rate", "is_encoder_decoder", "dtype")
_EMPTY = '<div class="ae-muted">Run a checkpoint to see {what} here.</div>'


class ResultTabs:
    def __init__(self) -> None:
        self.result = w.HTML()
        self.result.add_class("ae-result")
        self.why = w.HTML()
        self.code = w.HTML()
        self.data = w.HTML()
        self.tabs = w.Tab(children=[self.result, self.why, self.code, self.data],
                          layout=w.Layout(width="100%"))
        for index, title in enumerate(TITLES):
            self.tabs.set_title(index, title)
        self.outcome: RunOutcome | None = None
        self.clear()

    def clear(self) -> None:
        """Back to the empty tabs (the request on screen has no result yet)."""
        self.outcome = None
        self.result.value = _EMPTY.format(what="its result")
        self.why.value = _EMPTY.format(what="which classes were picked and why")
        self.code.value = _EMPTY.format(what="plain transformers code for the run")
        self.data.value = _EMPTY.format(what="the result as JSON")

    def show(self, outcome: RunOutcome) -> None:
        self.outcome = outcome
        self.result.value = outcome.html
        self.why.value = why_html(outcome)
        self.code.value = code_html(outcome)
        self.data.value = data_html(outcome.result)
        self.tabs.selected_index = 0

    def heading(self) -> w.HTML:
        return w.HTML(heading(5, "Result"))


def _rows(pairs: list[tuple[str, Any]]) -> str:
    body = "".join(f"<tr><td>{esc(k)}</td><td>{v}</td></tr>" for k, v in pairs)
    return f"<table>{body}</table>"


def _mb(count: int) -> str:
    return f"{count / 2**20:.2f} MB" if count >= 2**20 else f"{count / 2**10:.1f} KB"


def config_summary(config: Any) -> list[tuple[str, Any]]:
    raw = config.to_dict() if hasattr(config, "to_dict") else {}
    return [(k, f"<code>{esc(raw[k])}</code>") for k in CONFIG_FIELDS if raw.get(k) is not None]


def why_html(outcome: RunOutcome) -> str:
    """Resolution trace, classes, config summary and load report of a run."""
    loaded = outcome.loaded
    res, report = loaded.resolution, loaded.report
    from explorer.catalog import get_task

    trace = "".join(f"<li>{esc(line)}</li>" for line in res.trace)
    others = [get_task(t).task for t in res.auto_classes if t != loaded.spec.auto_class]
    classes = [
        ("task", f"<code>{esc(loaded.spec.task)}</code> → "
                 f"<code>{esc(loaded.spec.auto_class)}</code>"),
        ("model class", f"<code>{esc(res.model_class)}</code>"),
        ("config class", f"<code>{esc(res.config_class)}</code>"),
        ("preprocessor", f"<code>{esc(res.preprocessor_auto_class)}</code> → "
                         f"<code>{esc(res.preprocessor_class)}</code>"),
        ("checkpoint", f"<code>{esc(res.checkpoint)}</code> ({esc(res.source)})"),
        ("can also serve", " ".join(f'<span class="ae-chip">{esc(t)}</span>' for t in others)
         or "—"),
    ]
    new = report.newly_initialized
    shown_new = ": " + ", ".join(f"<code>{esc(n)}</code>" for n in new[:12]) + \
        (" …" if len(new) > 12 else "") if new else " (every weight came from the checkpoint)"
    load = [
        ("parameters", f"{report.parameters:,}"), ("memory", _mb(report.bytes)),
        ("dtype / device", f"{esc(report.dtype)} / {esc(report.device)}"),
        ("load time", f"{report.seconds:.2f} s"),
        ("preprocessing", esc(report.preprocessing)),
        ("newly initialised", f"{len(new)} weights{shown_new}"),
        ("unused from checkpoint", f"{len(report.unexpected)} weights"),
    ]
    warnings = "".join(f'<div class="ae-small">⚠ {esc(x)}</div>' for x in report.warnings)
    return (f'<div class="ae-why"><h4>How the Auto class was resolved</h4><ol>{trace}</ol>'
            f"<h4>Classes</h4>{_rows(classes)}"
            f"<h4>Config</h4>{_rows(config_summary(loaded.config))}"
            f"<h4>Load report</h4>{_rows(load)}{warnings}{placement_html(report.placement)}"
            "</div>")


def code_html(outcome: RunOutcome) -> str:
    """The Code tab: a plain transformers snippet that reproduces the run."""
    from explorer.snippets import snippet

    try:
        code = snippet(outcome.request.checkpoint, outcome.request.task, outcome.request.inputs,
                       outcome.request.options, **outcome.request.load)
    except Exception as exc:  # a snippet problem must not hide the result
        code = f"# no snippet for this run: {type(exc).__name__}: {exc}"
    return ('<div class="ae-small" style="margin-bottom:6px">The same run with plain '
            "<code>transformers</code>, no explorer: copy it into a notebook.</div>"
            f'<pre class="ae-code">{esc(code)}</pre>')


def data_html(result: Any) -> str:
    """The result's ``to_dict()`` as readable JSON (long lists and texts are cut by the view)."""
    from explorer.render import data_json

    return data_json(result)
