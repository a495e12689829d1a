"""Charts: label probabilities, fill-mask candidates, QA logit curves, token probabilities,
embedding similarity and PCA."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from explorer.render.audio import plot_waveform
from explorer.render.common import (
    ACCENT,
    MIN_FONT,
    MUTED,
    SECOND,
    decorate,
    display_token,
    input_audio,
    input_image,
    input_text_line,
    new_figure,
    shorten,
    sigmoid,
    softmax,
    tint,
    token_ticks,
)
from explorer.render.richtext import Piece, chain_text
from explorer.results import Answer, Classification, Embeddings, FillMask, Generation, Result

# ---------------------------------------------------------------------------- classification


def class_probabilities(result: Classification) -> tuple[list[str], np.ndarray, str]:
    """``(names, probabilities, how)`` over every label, from the kept logits.

    Softmax unless the run's own top score matches the sigmoid (a multi-label head). Without
    logits, the top labels the run kept.
    """
    logits = None if result.logits is None else np.asarray(result.logits, dtype=np.float64)
    names = list(result.label_names)
    if logits is None or logits.size != len(names) or not names:
        return [x.label for x in result.labels], np.array([x.score for x in result.labels]), "score"
    logits = logits.reshape(-1)
    soft, sig = softmax(logits), sigmoid(logits)
    how = "softmax"
    if result.labels and result.labels[0].label in names:
        i, top = names.index(result.labels[0].label), result.labels[0].score
        if abs(sig[i] - top) < abs(soft[i] - top):
            how = "sigmoid"
    return names, (sig if how == "sigmoid" else soft), how


def distinct_parts(names: Sequence[str], limit: int) -> list[str]:
    """Long labels that differ only in the middle (multiple-choice endings) cut to where they differ:
    the words all of them start and end with become "…", so shortening keeps what tells them apart."""
    words = [str(n).split() for n in names]
    if len(words) < 2 or all(len(str(n)) <= limit for n in names):
        return [str(n) for n in names]
    shortest = min(len(w) for w in words)
    head = next((i for i in range(shortest) if len({w[i] for w in words}) > 1), shortest)
    tail = next((i for i in range(shortest - head) if len({w[-1 - i] for w in words}) > 1),
                shortest - head)
    if head + tail == 0 or any(len(w) == head + tail for w in words):
        return [str(n) for n in names]
    return [" ".join((["…"] if head else []) + w[head:len(w) - tail] + (["…"] if tail else []))
            for w in words]


def bar_chart(ax: Any, names: Sequence[str], values: Sequence[float] | np.ndarray, xlabel: str,
              color: str = ACCENT, limit: float | None = 1.0) -> None:
    """Horizontal bars, first item on top, value printed at each bar's end."""
    y = np.arange(len(names))
    ax.barh(y, values, color=color, height=0.65, gid="bar")
    ax.set_yticks(y, [shorten(n, 30) for n in distinct_parts(names, 30)])
    ax.invert_yaxis()
    top = max([limit or 0.0] + [float(v) for v in values])
    ax.set_xlim(0, top * 1.18 if top > 0 else 1)
    for yi, v in zip(y, values):
        ax.text(float(v) + top * 0.01, yi, f"{float(v):.3f}", va="center", fontsize=MIN_FONT)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", alpha=0.3)


def _side_panel(fig: Figure, result: Result, wide: bool) -> tuple[Any, Any]:
    """``(input axes or None, chart axes)``: the input image / waveform beside the chart."""
    image, audio = input_image(result), input_audio(result)
    if image is None and audio is None:
        return None, fig.subplots()
    side, chart = fig.subplots(1, 2, width_ratios=[1, 1.5] if wide else [1, 1.3])
    if image is not None:
        side.imshow(image)
        side.set_axis_off()
        side.set_title(f"{getattr(result.inputs, 'image_name', None) or 'image'} "
                       f"{image.shape[1]}×{image.shape[0]}", loc="left")
    else:
        assert audio is not None  # one of the two is there
        waveform, rate = audio
        name = getattr(result.inputs, "audio_name", None) or "audio"
        plot_waveform(side, waveform, rate, f"{name} · {len(waveform) / rate:.2f} s")
        side.set_xlabel("seconds")
    return side, chart


def classification_figure(result: Classification, top_k: int | None = None, full: bool = False) -> Figure:
    """Top-k labels as bars (``full=True``: every label, in id order, top-k highlighted); the
    input image or waveform beside them."""
    names, probs, how = class_probabilities(result)
    k = max(1, min(top_k or len(result.labels) or 5, len(names)))
    order = np.argsort(-probs)[:k]
    rows = len(names) if full and len(names) <= 40 else k
    fig = new_figure(9.5, max(2.6, 1.5 + 0.3 * rows))
    _, ax = _side_panel(fig, result, wide=full)
    xlabel = "probability (sigmoid, multi-label)" if how == "sigmoid" else "probability"
    if full and len(names) <= 40:
        bar_chart(ax, names, probs, xlabel, color=tint(ACCENT, 0.45))
        for patch_index in order:
            ax.patches[patch_index].set_facecolor(ACCENT)
    elif full:
        # Many labels (ImageNet): the whole distribution as bars over label ids.
        colors = np.where(np.isin(np.arange(len(names)), order), ACCENT, tint(ACCENT, 0.4))
        ax.bar(np.arange(len(names)), probs, color=colors, width=1.0, gid="bar")
        for i in order:
            ax.annotate(shorten(names[i], 18), (i, probs[i]), xytext=(2, 2),
                        textcoords="offset points", fontsize=MIN_FONT)
        ax.set_xlabel("label id")
        ax.set_ylabel(xlabel)
    else:
        bar_chart(ax, [names[i] for i in order], probs[order], xlabel)
    title = f"top {k} of {len(names)} labels" if not full else f"all {len(names)} labels"
    text = input_text_line(result) if input_image(result) is None and input_audio(result) is None \
        else None
    ax.set_title(f"{text}\n{title}" if text else title, loc="left")  # what was classified, by eye
    return decorate(fig, result)


# ---------------------------------------------------------------------------- fill-mask


def _around(text: str, at: int, length: int, room: int = 55) -> tuple[str, str]:
    before, after = text[:at], text[at + length:]
    if len(before) > room:
        before = "…" + before[-room:]
    if len(after) > room:
        after = after[:room] + "…"
    return before, after


def fill_mask_figure(result: FillMask, top_k: int | None = None) -> Figure:
    """The sentence with the mask marked, and the candidates' probabilities as bars."""
    candidates = list(result.candidates)[: top_k or None]
    fig = new_figure(9, 2.2 + 0.32 * max(len(candidates), 1))
    ax = fig.subplots()
    bar_chart(ax, [c.token or "(empty)" for c in candidates], [c.score for c in candidates],
              "probability at the mask position")
    mask = result.mask_token or "[MASK]"
    at = result.text.find(mask)
    if at >= 0:
        before, after = _around(result.text, at, len(mask))
        best = candidates[0].token if candidates else "?"
        pieces = [Piece(before), Piece(f"{mask} → {best}", tint(ACCENT, 0.45), weight="bold",
                                       gid="mask"), Piece(after)]
    else:
        pieces = [Piece(shorten(result.text, 110))]
    chain_text(ax, pieces, 0.0, 1.04)
    return decorate(fig, result)


# ---------------------------------------------------------------------------- answer


def _token_axis(ax: Any, tokens: Sequence[str] | None, n: int) -> None:
    if tokens is not None and len(tokens) == n:
        token_ticks(ax, "x", [display_token(t) for t in tokens])
    else:
        ax.set_xlabel("token position")


def _clean_token(token: str) -> str:
    return token.replace("##", "").replace("\u0120", "").replace("\u2581", "").strip().lower()


def answer_token_span(tokens: Sequence[str] | None, answer: str) -> tuple[int, int] | None:
    """``(first, last)`` token index of the answer, matched from the end (the context follows the
    question), ignoring sub-word markers and spaces; None when it cannot be found."""
    target = "".join(answer.lower().split())
    if not tokens or not target:
        return None
    cleaned = [_clean_token(t) for t in tokens]
    for first in range(len(cleaned) - 1, -1, -1):
        joined = ""
        for last in range(first, len(cleaned)):
            joined += cleaned[last]
            if joined == target:
                return first, last
            if not target.startswith(joined):
                break
    return None


def answer_logits_figure(result: Answer) -> Figure:
    """Start and end logits over the tokens; the best of each marked."""
    start = None if result.start_logits is None else np.asarray(result.start_logits).reshape(-1)
    end = None if result.end_logits is None else np.asarray(result.end_logits).reshape(-1)
    n = max(len(start) if start is not None else 0, len(end) if end is not None else 0)
    fig = new_figure(float(np.clip(0.2 * n + 2.5, 7, 14)), 4.2)
    ax = fig.subplots()
    if n == 0:
        ax.text(0.5, 0.5, "this model gives no start/end logits", ha="center",
                transform=ax.transAxes, color=MUTED)
        ax.set_axis_off()
        return decorate(fig, result)
    same = start is not None and end is not None and np.argmax(start) == np.argmax(end)
    for values, name, colour in ((start, "start", ACCENT), (end, "end", SECOND)):
        if values is None:
            continue
        x = np.arange(len(values))
        ax.plot(x, values, marker="o", markersize=3, color=colour, label=f"{name} logit",
                linewidth=1.2, gid=f"{name}-logits")
        best = int(np.argmax(values))
        if same and name == "end":
            continue  # one label for both, not two drawn over each other
        ax.annotate("max start and end" if same else f"max {name}", (best, values[best]),
                    xytext=(0, 8), textcoords="offset points", ha="center", fontsize=MIN_FONT,
                    color=colour)
    span = answer_token_span(result.tokens, result.answer)
    if span is not None:
        ax.axvspan(span[0] - 0.4, span[1] + 0.4, color=tint(ACCENT, 0.2), zorder=0, gid="answer",
                   label="answer tokens")
    _token_axis(ax, result.tokens, n)
    ax.set_ylabel("logit")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    ax.set_title(f"answer: “{shorten(result.answer, 60)}” (score {result.score:.3f})",
                 loc="left")
    return decorate(fig, result)


def alternatives_figure(result: Answer) -> Figure:
    """Candidate answers with scores (VQA label sets, table aggregations)."""
    # ``alternatives`` are the *other* answers: the chosen one goes on top, in the strong colour.
    rows = [(a.label, a.score) for a in result.alternatives if a.label != result.answer]
    rows.insert(0, (result.answer or "(empty)", result.score))
    fig = new_figure(8, 1.8 + 0.32 * len(rows))
    _, ax = _side_panel(fig, result, wide=False)
    bar_chart(ax, [r[0] for r in rows], [r[1] for r in rows], "score", color=tint(ACCENT, 0.45))
    ax.patches[0].set_facecolor(ACCENT)
    ax.set_title(f"answer: “{shorten(result.answer, 40)}” and the other candidates", loc="left")
    return decorate(fig, result)


def answer_table(result: Answer) -> dict[str, list[str]] | None:
    """The table a table-QA answer came from (kept on the run's inputs), or None."""
    inputs = getattr(result, "inputs", None)
    return getattr(inputs, "table", None) if inputs is not None else None


def answer_cells(answer: str) -> tuple[str, set[str]]:
    """``("SUM", {"3", "4"})`` from a table answer ``"SUM > 3, 4"`` (operator "" when none)."""
    operator, sep, cells = answer.partition(" > ")
    if not sep:
        operator, cells = "", answer
    return operator, {c.strip() for c in cells.split(",") if c.strip()}


def table_answer_figure(result: Answer, max_rows: int = 12) -> Figure:
    """Table QA: the table with the selected cells highlighted, then the aggregation operator's
    scores under their own header."""
    table = answer_table(result) or {}
    columns = list(table)
    rows = [[str(table[c][i]) for c in columns] for i in range(len(next(iter(table.values()), [])))]
    shown = rows[:max_rows]
    _, selected = answer_cells(result.answer)
    fig = new_figure(8, 2.6 + 0.34 * (len(shown) + 1) + 0.34 * len(result.alternatives))
    table_ax, agg_ax = fig.subplots(2, 1, height_ratios=[0.8 * len(shown) + 1.2,
                                                          max(len(result.alternatives), 1) + 1])
    table_ax.set_axis_off()
    drawn = table_ax.table(cellText=[[shorten(v, 22) for v in row] for row in shown],
                           colLabels=[shorten(c, 22) for c in columns], loc="upper left",
                           cellLoc="left")
    drawn.auto_set_font_size(False)
    drawn.set_fontsize(MIN_FONT)
    drawn.scale(1, 1.4)
    for (r, _), cell in drawn.get_celld().items():
        if r == 0:
            cell.set_text_props(fontweight="bold")
        elif cell.get_text().get_text() in selected:
            cell.set_facecolor(tint(ACCENT, 0.45))
    more = f" (first {max_rows} of {len(rows)} rows)" if len(rows) > max_rows else ""
    table_ax.set_title(f"answer: “{shorten(result.answer, 50)}”: selected cells highlighted{more}",
                       loc="left")
    if result.alternatives:
        bar_chart(agg_ax, [a.label for a in result.alternatives],
                  [a.score for a in result.alternatives], "probability",
                  color=tint(ACCENT, 0.45))
        agg_ax.patches[0].set_facecolor(ACCENT)
        agg_ax.set_title("aggregation operator (applied to the selected cells)", loc="left")
    else:
        agg_ax.set_axis_off()
    return decorate(fig, result)


def answer_figure(result: Answer) -> Figure:
    """The figure that fits: logit curves for extractive QA, the table and its aggregation for
    table QA, else the scored alternatives."""
    if answer_table(result) is not None:
        return table_answer_figure(result)
    if result.start_logits is not None or not result.alternatives:
        return answer_logits_figure(result)
    return alternatives_figure(result)


# ---------------------------------------------------------------------------- generation


def generation_probs_figure(result: Generation) -> Figure:
    """The probability of each generated token, in order."""
    tokens, scores = list(result.generated_tokens), list(result.token_scores)
    n = min(len(tokens), len(scores))
    fig = new_figure(float(np.clip(0.28 * n + 2.5, 6, 14)), 3.8)
    ax = fig.subplots()
    ax.bar(np.arange(n), scores[:n], color=ACCENT, gid="bar")
    _token_axis(ax, [repr(t)[1:-1] for t in tokens[:n]], n)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("probability")
    ax.grid(axis="y", alpha=0.3)
    ax.set_title(f"{n} generated tokens, mean probability "
                 f"{np.mean(scores[:n]) if n else float('nan'):.3f}", loc="left")
    return decorate(fig, result)


# ---------------------------------------------------------------------------- embeddings


def cosine_matrix(vectors: np.ndarray) -> np.ndarray:
    v = np.asarray(vectors, dtype=np.float64).reshape(len(vectors), -1)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    unit = v / np.where(norms == 0, 1.0, norms)
    return np.clip(unit @ unit.T, -1.0, 1.0)


def pca_2d(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(n, 2)`` coordinates on the first two principal axes and their explained-variance
    ratios (numpy SVD). Fewer than 3 inputs leave the missing axes at 0."""
    v = np.asarray(vectors, dtype=np.float64).reshape(len(vectors), -1)
    centred = v - v.mean(axis=0, keepdims=True)
    coords = np.zeros((len(v), 2))
    ratios = np.zeros(2)
    if len(v) < 2 or not np.any(centred):
        return coords, ratios
    u, s, _ = np.linalg.svd(centred, full_matrices=False)
    k = min(2, len(s))
    coords[:, :k] = u[:, :k] * s[:k]
    total = float(np.sum(s ** 2)) or 1.0
    ratios[:k] = s[:k] ** 2 / total
    return coords, ratios


def embedding_figure(result: Embeddings) -> Figure:
    """Cosine similarity between every pair of inputs (n × n) and a 2-D PCA map of the vectors."""
    vectors = np.asarray(result.vectors, dtype=np.float64)
    vectors = vectors.reshape(len(vectors), -1)
    n = len(vectors)
    labels = list(result.labels) + [f"#{i}" for i in range(len(result.labels), n)]
    fig = new_figure(11, 4.8)
    heat_ax, pca_ax = fig.subplots(1, 2, width_ratios=[1.1, 1])
    sims = cosine_matrix(vectors)
    im = heat_ax.imshow(sims, vmin=-1, vmax=1, cmap="RdBu_r", gid="similarity",
                        interpolation="nearest")
    short = [shorten(label, 24) for label in labels[:n]]
    if n <= 30:
        heat_ax.set_xticks(range(n), short, rotation=35, ha="right")
        heat_ax.set_yticks(range(n), short)
    if n <= 12:
        for i in range(n):
            for j in range(n):
                heat_ax.text(j, i, f"{sims[i, j]:.2f}", ha="center", va="center", fontsize=MIN_FONT,
                             color="white" if abs(sims[i, j]) > 0.6 else "black")
    heat_ax.set_title(f"cosine similarity ({n}×{n})", loc="left")
    fig.colorbar(im, ax=heat_ax, fraction=0.046, pad=0.02)
    coords, ratios = pca_2d(vectors)
    pca_ax.scatter(coords[:, 0], coords[:, 1], s=40, color=ACCENT, zorder=3, gid="points")
    for (x, y), label in zip(coords, short):
        pca_ax.annotate(label, (x, y), xytext=(5, 4), textcoords="offset points", fontsize=MIN_FONT)
    span = float(np.max(np.abs(coords))) if n > 1 else 1.0
    span = span or 1.0
    pca_ax.set_xlim(-span * 1.5, span * 1.5)
    pca_ax.set_ylim(-span * 1.5, span * 1.5)
    pca_ax.axhline(0, color="#dddddd", linewidth=0.8, zorder=0)
    pca_ax.axvline(0, color="#dddddd", linewidth=0.8, zorder=0)
    pca_ax.set_xlabel(f"PC1 ({ratios[0]:.0%} of variance)")
    pca_ax.set_ylabel(f"PC2 ({ratios[1]:.0%} of variance)")
    why = {1: " — one input: nothing to compare", 2: " — two inputs: one axis"}.get(n, "")
    pca_ax.set_title(f"PCA of {n} vectors{why}", loc="left")
    dim = vectors.shape[1]
    return decorate(fig, result, f"{dim}-d vectors, {result.pooling} pooling, model output "
                                 f"{' × '.join(map(str, result.shape))}")
