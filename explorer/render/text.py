"""Text views: entity spans, the answer in its context, the masked sentence, generated tokens,
output tables. Each comes as HTML (what notebooks show) and as a figure (what PNG files hold)."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from explorer.render.common import (
    ACCENT,
    MUTED,
    esc,
    html_legend,
    html_section,
    html_table,
    label_colors,
    plural,
    rgb,
    tint,
)
from explorer.render.richtext import Block, Piece, text_figure
from explorer.results import Answer, FillMask, Generation, RawOutput, TokenSpans, Transcript

TEXT_STYLE = "white-space:pre-wrap;font-size:15px;line-height:2.0;margin:4px 0"
MARK_STYLE = "padding:1px 4px;border-radius:4px;background:{bg}"


def _mark(text: str, background: str, tip: str, tag: str = "", cls: str = "explorer-span") -> str:
    label = (f'<span style="font-size:10px;font-weight:700;margin-left:5px;color:#333;'
             f'vertical-align:middle">{esc(tag)}</span>') if tag else ""
    return (f'<mark class="{cls}" title="{esc(tip)}" style="{MARK_STYLE.format(bg=background)}">'
            f"{esc(text)}{label}</mark>")


def _spans(text: str, spans: list[tuple[int, int, Any]]) -> list[tuple[str, Any]]:
    """Cut ``text`` into ``(piece, span or None)`` runs; overlapping spans after the first are
    dropped, spans are clipped to the text."""
    runs: list[tuple[str, Any]] = []
    at = 0
    for start, end, span in sorted(spans, key=lambda s: (s[0], s[1])):
        start, end = max(start, at), min(end, len(text))
        if end <= start:
            continue
        if start > at:
            runs.append((text[at:start], None))
        runs.append((text[start:end], span))
        at = end
    if at < len(text):
        runs.append((text[at:], None))
    return runs


# ---------------------------------------------------------------------------- tokens (NER)


def _entity_runs(result: TokenSpans) -> tuple[list[tuple[str, Any]], dict[str, str]]:
    colors = label_colors([e.label for e in result.entities])
    runs = _spans(result.text, [(e.start, e.end, e) for e in result.entities])
    return runs, colors


def tokens_body(result: TokenSpans) -> str:
    runs, colors = _entity_runs(result)
    parts = [esc(t) if e is None else
             _mark(t, tint(colors[e.label], 0.45), f"{e.label} {e.score:.3f}", e.label,
                   "explorer-entity") for t, e in runs]
    body = f'<div style="{TEXT_STYLE}">{"".join(parts)}</div>'
    if not result.entities:
        body += f'<div style="color:{MUTED}">no entities found (every token got the O label)</div>'
    return body + (html_legend({k: tint(v, 0.45) for k, v in colors.items()}) if colors else "")


def tokens_figure(result: TokenSpans) -> Figure:
    runs, colors = _entity_runs(result)
    pieces = []
    for text, entity in runs:
        if entity is None:
            pieces.append(Piece(text))
        else:
            pieces.append(Piece(text, tint(colors[entity.label], 0.45), gid="entity"))
            pieces.append(Piece(f"{entity.label} ", color=colors[entity.label], weight="bold",
                                scale=0.7))
    legend = [Piece(f" {label} ", tint(c, 0.45), scale=0.8) for label, c in colors.items()]
    blocks = [Block(None, pieces)]
    if legend:
        blocks.append(Block("labels", [p for chip in legend for p in (chip, Piece("  "))]))
    return text_figure(result, blocks, subtitle=plural(len(result.entities), "entity", "entities"))


# ---------------------------------------------------------------------------- answer


def _answer_runs(result: Answer) -> list[tuple[str, Any]]:
    if result.context and result.start is not None and result.end is not None:
        return _spans(result.context, [(result.start, result.end, True)])
    return [(result.context, None)] if result.context else []


def answer_body(result: Answer) -> str:
    parts = []
    if result.question:
        parts.append(html_section("question", f'<div style="font-size:15px">'
                                              f"{esc(result.question)}</div>"))
    parts.append(html_section("answer", f'<div style="font-size:18px;font-weight:600">'
                                        f'{esc(result.answer) or "(empty)"} <span style="font-size:'
                                        f'12px;color:{MUTED};font-weight:400">score '
                                        f"{result.score:.3f}</span></div>"))
    runs = _answer_runs(result)
    if runs:
        text = "".join(esc(t) if s is None else
                       _mark(t, tint(ACCENT, 0.4), f"answer {result.score:.3f}", "",
                             "explorer-answer") for t, s in runs)
        parts.append(html_section("context", f'<div style="{TEXT_STYLE}">{text}</div>'))
    table = getattr(result.inputs, "table", None) if result.inputs is not None else None
    if table:
        columns = list(table)
        cells = [[table[c][i] for c in columns] for i in range(len(table[columns[0]]))]
        parts.append(html_section("table", html_table(cells, columns)))
    if result.alternatives:
        rows = [(a.label, f"{a.score:.3f}") for a in result.alternatives]
        header = ("aggregation operator", "probability") if table else ("answer", "score")
        parts.append(html_section("aggregation" if table else "alternatives",
                                  html_table(rows, header)))
    return "".join(parts)


# ---------------------------------------------------------------------------- fill-mask


def fill_mask_body(result: FillMask) -> str:
    mask = result.mask_token or "[MASK]"
    best = result.candidates[0].token if result.candidates else "?"
    text = result.text
    at = text.find(mask) if mask else -1
    if at < 0:
        sentence = esc(text)
    else:
        marked = _mark(f"{mask} → {best}", tint(ACCENT, 0.4), "top candidate", "",
                       "explorer-mask")
        sentence = esc(text[:at]) + marked + esc(text[at + len(mask):])
    rows = [(c.token, f"{c.score:.3f}", c.sequence) for c in result.candidates]
    return (html_section("sentence", f'<div style="{TEXT_STYLE}">{sentence}</div>')
            + html_section("candidates", html_table(rows, ("token", "probability", "sentence"))))


# ---------------------------------------------------------------------------- generation


def _prob_color(p: float) -> tuple[str, str]:
    """Background / text colour for a token of probability ``p``: pale = unsure, deep = sure."""
    amount = 0.1 + 0.8 * float(np.clip(p, 0.0, 1.0))
    bg = tint(ACCENT, amount)
    r, g, b = rgb(bg)
    return bg, ("#ffffff" if 0.299 * r + 0.587 * g + 0.114 * b < 0.55 else "#111111")


def _generated(result: Generation) -> list[tuple[str, float | None]]:
    tokens = list(result.generated_tokens)
    scores = list(result.token_scores) + [None] * (len(tokens) - len(result.token_scores))
    return list(zip(tokens, scores)) if tokens else [(result.text, None)]


def generation_body(result: Generation) -> str:
    parts = []
    if result.prompt:
        parts.append(html_section("prompt", f'<div style="{TEXT_STYLE};color:{MUTED}">'
                                            f"{esc(result.prompt)}</div>"))
    spans = []
    for token, p in _generated(result):
        if p is None:
            spans.append(esc(token))
            continue
        bg, fg = _prob_color(p)
        spans.append(f'<span class="explorer-token" title="p = {p:.3f}" style="background:{bg};'
                     f'color:{fg};border-radius:3px;padding:1px 1px">{esc(token)}</span>')
    parts.append(html_section("generated", f'<div style="{TEXT_STYLE}">{"".join(spans)}</div>'))
    if result.token_scores:
        scale = "".join(f'<span style="background:{_prob_color(p)[0]};color:{_prob_color(p)[1]};'
                        f'padding:0 6px;font-size:11px">{p:.1f}</span>'
                        for p in (0.0, 0.25, 0.5, 0.75, 1.0))
        parts.append(f'<div style="font-size:11px;color:{MUTED}">token probability: {scale}'
                     f" &nbsp; mean {np.mean(result.token_scores):.3f}</div>")
    if result.text and result.generated_tokens:
        parts.append(html_section("full text", f'<div style="{TEXT_STYLE};font-size:13px">'
                                               f"{esc(result.text)}</div>"))
    return "".join(parts)


def generation_figure(result: Generation) -> Figure:
    pieces = []
    for token, p in _generated(result):
        if p is None:
            pieces.append(Piece(token))
        else:
            bg, fg = _prob_color(p)
            pieces.append(Piece(token.replace("\n", "⏎"), bg, color=fg, gid="token"))
    blocks = [Block("prompt", [Piece(result.prompt, color=MUTED)])] if result.prompt else []
    blocks.append(Block("generated (shade = token probability)", pieces))
    return text_figure(result, blocks, subtitle=plural(len(result.generated_tokens), "new token"))


# ---------------------------------------------------------------------------- raw outputs


def raw_body(result: RawOutput) -> str:
    rows = [(name, " × ".join(str(d) for d in shape) or "scalar")
            for name, shape in result.outputs.items()]
    return html_section("outputs", html_table(rows, ("output", "shape")))


def raw_figure(result: RawOutput) -> Figure:
    blocks = [Block("outputs", [p for name, shape in result.outputs.items() for p in (
        Piece(f"{name}", weight="bold"),
        Piece(f"  {' × '.join(str(d) for d in shape) or 'scalar'}\n", color=MUTED))])]
    return text_figure(result, blocks, subtitle=plural(len(result.outputs), "output"))


# ---------------------------------------------------------------------------- transcript text


def transcript_body(result: Transcript) -> str:
    parts = [html_section("transcript", f'<div style="{TEXT_STYLE}">'
                                        f'{esc(result.text) or "(empty)"}</div>')]
    timed = [c for c in result.chunks if c.start is not None]
    if timed:
        rows = [(f"{c.start:.2f}", "" if c.end is None else f"{c.end:.2f}", c.text) for c in timed]
        parts.append(html_section("chunks", html_table(rows, ("start s", "end s", "text"))))
    return "".join(parts)
