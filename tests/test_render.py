"""Views of every result type, drawn from real runs on the demo zoo, with checks on what is drawn.

One zoo entry per result type runs once per module (cached); each view is asserted on through the
artists it draws (bars, boxes, legend entries, heatmap shapes...) and on its HTML. Edge cases
(one or two embeddings, boxes outside the image, bad options) use results built by hand.
"""

from __future__ import annotations

import base64
import html as html_module
import io
import re
import wave
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest
from matplotlib.figure import Figure

import explorer
from explorer import render
from explorer.errors import BadInput
from explorer.render.common import (
    RANDOM_BADGE, badge_text, display_token, short_checkpoint, shorten,
)
from explorer.results import (
    RESULT_TYPES, Classification, DetectedObject, Detections, Embeddings, Result, TokenSpans,
)
from explorer.zoo import example_kwargs, recipes

# The zoo entry drawn for each result type when several produce it (cheap and telling ones).
PREFERRED = {
    "classification": "text-classification",
    "embedding": "feature-extraction",
    "answer": "question-answering",
    "generation": "text-generation",
    "detection": "object-detection",
    "segmentation": "semantic-segmentation",
    "transcript": "ctc",
    "audio": "text-to-speech",
}
_RUNS: dict[tuple, Result] = {}


# ---------------------------------------------------------------------------- helpers


def _recipe_names_for(result_type: str) -> list[str]:
    return [r.name for r in recipes() if explorer.get_task(r.auto_class).result == result_type]


def _entry_for(result_type: str, manifest: dict) -> str:
    """The zoo entry to draw ``result_type`` from: fail when a recipe should have made one,
    skip when no recipe produces this type yet."""
    found = [n for n, e in manifest.items()
             if explorer.get_task(e["auto_class"]).result == result_type]
    if not found:
        expected = _recipe_names_for(result_type)
        if expected:
            pytest.fail(f"recipes {expected} produce {result_type} results but the zoo has none")
        pytest.skip(f"no zoo recipe produces a {result_type} result yet")
    return PREFERRED[result_type] if PREFERRED.get(result_type) in found else sorted(found)[0]


def _named(entry: str, manifest: dict) -> str:
    if entry not in manifest:
        if entry in {r.name for r in recipes()}:
            pytest.fail(f"zoo recipe {entry} exists but the zoo has no entry for it")
        pytest.skip(f"no zoo recipe {entry} yet")
    return entry


def run_entry(entry: str, manifest: dict, **extra: Any) -> Result:
    """Run a zoo entry on its example (cached per module)."""
    key = (entry, tuple(sorted(extra.items())))
    if key not in _RUNS:
        spec = manifest[entry]
        _RUNS[key] = explorer.run(f"zoo:{entry}", spec["auto_class"],
                                  **example_kwargs(spec["example"]), **extra)
    return _RUNS[key]


def tagged(fig: Figure, gid: str) -> list[Any]:
    """Artists drawn with ``gid`` (renderers tag what tests count)."""
    return fig.findobj(lambda a: getattr(a, "get_gid", lambda: None)() == gid)


def legend_labels(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes if ax.get_legend() is not None
            for t in ax.get_legend().get_texts()]


def marks(html: str, cls: str) -> list[str]:
    """Inner text (tags stripped) of ``<mark class="cls">`` elements."""
    found = re.findall(rf'<mark class="{cls}"[^>]*>(.*?)</mark>', html, flags=re.S)
    return [re.sub(r"<[^>]+>.*?</[^>]+>", "", m, flags=re.S) for m in found]


def assert_self_contained(html: str) -> None:
    """No script, no stylesheet or image from the network: works offline and in Voila."""
    lowered = html.lower()
    assert "<script" not in lowered and "<link" not in lowered and "@import" not in lowered
    assert not re.search(r'(src|href)="(https?:)?//', lowered)
    for src in re.findall(r'<img[^>]+src="([^"]+)"', html):
        assert src.startswith("data:image/png;base64,")


def assert_titled(fig: Figure, result: Result) -> None:
    title = fig._suptitle.get_text()  # type: ignore[union-attr]
    assert explorer.get_task(result.task).task in title
    assert short_checkpoint(result.checkpoint) in title
    assert result.model_class in title
    assert badge_text(fig) == (f"⚠ {RANDOM_BADGE}" if result.random_weights else None)


# ---------------------------------------------------------------------------- every type


def test_every_result_type_has_views() -> None:
    assert set(RESULT_TYPES) <= set(render.REGISTRY)
    for result_type, entry in render.REGISTRY.items():
        assert entry.figure in entry.views, f"{result_type}: PNG view {entry.figure} is unknown"


@pytest.mark.parametrize("result_type", sorted(RESULT_TYPES))
def test_every_view_of_a_real_run(result_type: str, manifest: dict, tmp_path: Path) -> None:
    """Default view, every other view, to_html and save(.png/.html) for one zoo run per type."""
    result = run_entry(_entry_for(result_type, manifest), manifest)
    assert result.type == result_type
    for view in render.views(result):
        drawn = render.render(result, view)
        if isinstance(drawn, Figure):
            assert_titled(drawn, result)
        else:
            assert result.model_class in drawn
            assert ("explorer-random-badge" in drawn) == result.random_weights
            assert_self_contained(drawn)
    html = render.to_html(result)
    assert_self_contained(html)
    assert result.model_class in html and short_checkpoint(result.checkpoint) in html
    assert ("explorer-random-badge" in html) == result.random_weights
    assert result._repr_html_() == html
    png = render.save(result, tmp_path / f"{result_type}.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = render.save(result, tmp_path / f"{result_type}.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and html in page
    CHECKS[result_type](result, manifest)


# ---------------------------------------------------------------------------- per type


def check_classification(result: Result, manifest: dict) -> None:
    fig = render.render(result)
    bars = tagged(fig, "bar")
    assert len(bars) == len(result.labels)
    widths = [b.get_width() for b in bars]
    assert widths == sorted(widths, reverse=True)
    assert np.allclose(widths, [x.score for x in result.labels], atol=1e-5)
    assert len(tagged(render.render(result, top_k=1), "bar")) == 1
    assert len(tagged(render.render(result, full=True), "bar")) == len(result.label_names)


def check_tokens(result: Result, manifest: dict) -> None:
    html = render.render(result)
    assert isinstance(html, str)
    spans = marks(html, "explorer-entity")
    assert spans == [e.text for e in result.entities]
    for entity in result.entities:
        assert f'title="{entity.label} {entity.score:.3f}"' in html
    chips = re.findall(r'class="explorer-legend-chip"[^>]*>.*?</span>([^<]+)</span>', html)
    assert sorted(chips) == sorted({e.label for e in result.entities})
    fig = render.render(result, "figure")
    assert len(tagged(fig, "entity")) == len(result.entities)


def check_answer(result: Result, manifest: dict) -> None:
    html = render.render(result)
    assert marks(html, "explorer-answer") == ([result.answer] if result.answer else [])
    assert result.context[result.start:result.end] == result.answer
    fig = render.render(result, "logits")
    (start,) = tagged(fig, "start-logits")
    (end,) = tagged(fig, "end-logits")
    assert np.allclose(start.get_ydata(), result.start_logits)
    assert np.allclose(end.get_ydata(), result.end_logits)
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks == [shorten(display_token(t), 14) for t in result.tokens]
    if result.answer.strip():
        assert len(tagged(fig, "answer")) == 1  # the answer's tokens are shaded


def check_fill_mask(result: Result, manifest: dict) -> None:
    fig = render.render(result)
    bars = tagged(fig, "bar")
    assert [round(b.get_width(), 6) for b in bars] == [round(c.score, 6)
                                                       for c in result.candidates]
    assert len(tagged(render.render(result, top_k=2), "bar")) == 2
    (mask,) = tagged(fig, "mask")
    assert result.mask_token in mask.get_text() and result.candidates[0].token in mask.get_text()
    assert len(marks(render.render(result, "text"), "explorer-mask")) == 1


def check_generation(result: Result, manifest: dict) -> None:
    html = render.render(result)
    shaded = re.findall(r'<span class="explorer-token" title="p = ([0-9.]+)"', html)
    assert len(shaded) == len(result.generated_tokens) == len(result.token_scores) > 0
    assert [float(p) for p in shaded] == [round(p, 3) for p in result.token_scores]
    assert len(tagged(render.render(result, "figure"), "token")) == len(result.generated_tokens)
    bars = tagged(render.render(result, "probs"), "bar")
    assert np.allclose([b.get_height() for b in bars], result.token_scores)


def _check_embedding_figure(result: Result) -> np.ndarray:
    fig = render.render(result)
    n = len(result.vectors)
    (heat,) = tagged(fig, "similarity")
    sims = np.asarray(heat.get_array())
    assert sims.shape == (n, n)
    assert np.allclose(np.diag(sims), 1.0, atol=1e-5) and np.allclose(sims, sims.T, atol=1e-6)
    (points,) = tagged(fig, "points")
    assert len(points.get_offsets()) == n
    return sims


def check_embedding(result: Result, manifest: dict) -> None:
    _check_embedding_figure(result)


def check_detection(result: Result, manifest: dict) -> None:
    w, h = result.image_size
    for threshold in (None, 0.0, 1.01):
        fig = render.render(result) if threshold is None else render.render(result,
                                                                             threshold=threshold)
        limit = result.threshold if threshold is None else threshold
        shown = [o for o in result.objects if o.score >= limit]
        boxes = tagged(fig, "box")
        assert len(boxes) == len(shown)
        for box in boxes:
            x, y, bw, bh = box.get_x(), box.get_y(), box.get_width(), box.get_height()
            assert 0 <= x <= x + bw <= w and 0 <= y <= y + bh <= h
        assert sorted(legend_labels(fig)) == sorted({o.label for o in shown})


def check_segmentation(result: Result, manifest: dict) -> None:
    fig = render.render(result)
    (overlay,) = tagged(fig, "overlay")
    rgba = np.asarray(overlay.get_array())
    image = result.inputs.image
    assert rgba.shape == (image.height, image.width, 4)
    covered = rgba[..., 3] > 0
    assert covered.any() == bool(result.segments)
    expected = ({s.label for s in result.segments} if result.kind == "semantic"
                else {s.id for s in result.segments})
    assert len(legend_labels(fig)) == min(len(expected), 20) + (len(expected) > 20)


def check_depth(result: Result, manifest: dict) -> None:
    fig = render.render(result)
    (depth,) = tagged(fig, "depth")
    assert np.asarray(depth.get_array()).shape == result.depth.shape
    assert len(fig.axes) == 3  # image, depth, colour bar
    assert np.isclose(depth.get_clim()[0], result.min, atol=1e-4)


def check_keypoints(result: Result, manifest: dict) -> None:
    fig = render.render(result)
    (points,) = tagged(fig, "keypoints")
    assert len(points.get_offsets()) == len(result.keypoints)
    assert len(tagged(fig, "edge")) == len(result.edges)
    assert not tagged(render.render(result, threshold=1.01), "keypoints")


def check_transcript(result: Result, manifest: dict) -> None:
    fig = render.render(result, "frames" if result.frame_tokens else None)
    mel = [im for ax in fig.axes for im in ax.get_images()]
    assert mel and np.asarray(mel[0].get_array()).shape[0] == 64  # mel bands
    assert len(tagged(fig, "chunk")) == len([c for c in result.chunks if c.start is not None])
    if result.frame_tokens:
        assert len(tagged(fig, "frame")) == len(result.frame_tokens)
    html = render.render(result, "text")
    assert html_module.escape(result.text)[:20] in html


def check_frames(result: Result, manifest: dict) -> None:
    fig = render.render(result)
    assert len(tagged(fig, "span")) == len(result.spans)
    assert sorted(legend_labels(fig)) == sorted({s.label for s in result.spans})


def check_feature_maps(result: Result, manifest: dict) -> None:
    fig = render.render(result, channels=3)
    strips = tagged(fig, "channels")
    assert len(strips) == len(result.maps)
    for strip, fmap in zip(strips, result.maps):
        array = np.asarray(strip.get_array())
        k = min(3, fmap.shape[0])
        assert array.shape[0] == fmap.shape[-2]
        assert np.isfinite(array[0]).sum() == k * fmap.shape[-1]  # k tiles, blank gaps between
    titles = " ".join(ax.get_title(loc="left") for ax in fig.axes)
    for stage in result.stages:
        assert " × ".join(map(str, result.shapes[stage])) in titles


def check_image(result: Result, manifest: dict) -> None:
    fig = render.render(result)
    shapes = [np.asarray(im.get_array()).shape[:2] for ax in fig.axes for im in ax.get_images()]
    image = result.inputs.image
    assert shapes == [(image.height, image.width), result.image.shape[:2]]


def check_audio(result: Result, manifest: dict) -> None:
    html = render.to_html(result)
    if result.kind == "waveform":
        (data,) = re.findall(r'<audio class="explorer-audio"[^>]*src="data:audio/wav;base64,'
                             r'([^"]+)"', html)
        with wave.open(io.BytesIO(base64.b64decode(data))) as wav:
            assert wav.getframerate() == result.sampling_rate
            assert wav.getnframes() == result.array.size
    else:
        images = [im for ax in render.render(result).axes for im in ax.get_images()]
        assert np.asarray(images[0].get_array()).T.shape == result.array.shape


def check_raw(result: Result, manifest: dict) -> None:
    html = render.render(result)
    rows = re.findall(r"<tr><td[^>]*>([^<]+)</td>", html)
    assert rows == list(result.outputs)


def check_recognition(result: Result, manifest: dict) -> None:
    fig = render.render(result)
    (ax,) = fig.axes
    (picture,) = ax.get_images()
    image = result.inputs.image
    assert np.asarray(picture.get_array()).shape[:2] == (image.height, image.width)
    (read,) = [t for t in ax.texts if t.get_gid() == "recognised"]
    what = "table structure" if result.structure else "text"
    assert read.get_text().startswith(f"{what}: ")
    shown = read.get_text().replace("\n", " ")
    assert (result.text or "(nothing read)")[:20] in shown
    assert all(len(line) <= 56 for line in read.get_text().splitlines())  # wrapped, not cut off
    html = render.to_html(result)
    assert html_module.escape(result.text or "(nothing read)") in html


CHECKS: dict[str, Callable[[Result, dict], None]] = {
    "classification": check_classification, "tokens": check_tokens, "answer": check_answer,
    "fill_mask": check_fill_mask, "generation": check_generation, "embedding": check_embedding,
    "detection": check_detection, "segmentation": check_segmentation, "depth": check_depth,
    "keypoints": check_keypoints, "transcript": check_transcript, "frames": check_frames,
    "feature_maps": check_feature_maps, "image": check_image, "audio": check_audio,
    "raw": check_raw, "recognition": check_recognition,
}


# ---------------------------------------------------------------------------- more real runs


def test_real_embeddings_put_similar_sentences_together(manifest: dict) -> None:
    """all-MiniLM-L6-v2 has real weights: no badge, and cat/kitten beat cat/stock markets."""
    result = run_entry(_named("all-MiniLM-L6-v2", manifest), manifest)
    assert not result.random_weights
    sims = _check_embedding_figure(result)
    assert sims[0, 1] > sims[0, 2] and sims[0, 1] > sims[1, 2]
    assert badge_text(render.render(result)) is None
    assert "explorer-random-badge" not in render.to_html(result)


@pytest.mark.parametrize("entry,input_kind", [("image-classification", "image"),
                                              ("audio-classification", "audio")])
def test_classification_shows_its_input(entry: str, input_kind: str, manifest: dict) -> None:
    result = run_entry(_named(entry, manifest), manifest)
    fig = render.render(result)
    assert len(tagged(fig, "bar")) == len(result.labels)
    side = fig.axes[0]
    if input_kind == "image":
        (thumb,) = side.get_images()
        image = result.inputs.image
        assert np.asarray(thumb.get_array()).shape[:2] == (image.height, image.width)
    else:
        assert side.get_xlabel() == "seconds" and side.get_xlim()[1] == pytest.approx(
            len(result.inputs.audio) / result.inputs.sampling_rate, rel=1e-3)
        assert '<audio class="explorer-audio"' in render.to_html(result)


@pytest.mark.parametrize("entry", ["text-classification", "next-sentence-prediction"])
def test_text_classification_shows_what_it_read(entry: str, manifest: dict) -> None:
    result = run_entry(_named(entry, manifest), manifest)
    (chart,) = render.render(result).axes
    title = chart.get_title(loc="left")
    assert f"“{result.inputs.text[0]}”" in title and title.endswith("labels")
    if result.inputs.text_pair:
        assert f"B “{result.inputs.text_pair}”" in title


def test_text_attention_by_layer_and_head(manifest: dict) -> None:
    result = run_entry("text-classification", manifest, output_attentions=True)
    assert {"attention", "attention_grid"} <= set(render.views(result))
    n = len(result.tokens)
    fig = render.render(result, view="attention", layer=0, head=1)
    (heat,) = tagged(fig, "attention")
    assert np.allclose(heat.get_array(), result.attentions[0][1])
    assert np.asarray(heat.get_array()).shape == (n, n)
    ax = heat.axes
    assert [t.get_text() for t in ax.get_xticklabels()] == [shorten(display_token(t), 14)
                                                            for t in result.tokens]
    (mean,) = tagged(render.render(result, "attention", layer=-1, head="mean"), "attention")
    assert np.allclose(mean.get_array(), result.attentions[-1].mean(axis=0))
    layers, heads = len(result.attentions), result.attentions[0].shape[0]
    grid = render.render(result, "attention_grid")
    assert len(tagged(grid, "attention")) == min(layers, 4) * min(heads, 4)
    assert "attention (last layer" in render.to_html(result)
    with pytest.raises(BadInput, match="out of range"):
        render.render(result, "attention", layer=layers)
    with pytest.raises(BadInput, match="out of range"):
        render.render(result, "attention", head=heads)


def test_vit_attention_is_drawn_over_the_image(manifest: dict) -> None:
    result = run_entry(_named("image-classification", manifest), manifest,
                       output_attentions=True)
    fig = render.render(result, "attention")
    (overlay,) = tagged(fig, "overlay")
    image = result.inputs.image
    assert np.asarray(overlay.get_array()).shape == (image.height, image.width)
    (grid,) = tagged(fig, "attention")
    side = np.asarray(grid.get_array()).shape
    assert side[0] == side[1] and side[0] ** 2 < result.attentions[-1].shape[-1]


def test_no_attention_view_without_attentions(manifest: dict) -> None:
    result = run_entry("text-classification", manifest)
    assert "attention" not in render.views(result)
    with pytest.raises(BadInput, match="output_attentions=True"):
        render.render(result, "attention")


# ---------------------------------------------------------------------------- hand-made results


def _made(cls: type, **fields: Any) -> Any:
    base = dict(task="AutoModel", checkpoint="/tmp/some/dir/tiny-model", model_class="BertModel",
                random_weights=False)
    return cls(**{**base, **fields})


@pytest.mark.parametrize("n", [1, 2])
def test_embeddings_of_one_or_two_inputs(n: int) -> None:
    vectors = np.arange(n * 4, dtype=np.float32).reshape(n, 4) + 1
    result = _made(Embeddings, shape=(n, 3, 4), pooling="mean",
                   labels=tuple(f"text {i}" for i in range(n)), vectors=vectors)
    fig = render.render(result)
    (heat,) = tagged(fig, "similarity")
    assert np.asarray(heat.get_array()).shape == (n, n)
    (points,) = tagged(fig, "points")
    offsets = np.asarray(points.get_offsets())
    assert offsets.shape == (n, 2) and np.all(np.isfinite(offsets))
    assert np.allclose(offsets[:, 1], 0)  # one or two inputs span at most one axis
    assert "tiny-model" in fig._suptitle.get_text()  # a path shows as its folder name


def test_boxes_are_clipped_and_filtered() -> None:
    objects = (DetectedObject("cat", 0.9, (-20.0, -5.0, 50.0, 300.0)),
               DetectedObject("dog", 0.6, (10.0, 10.0, 20.0, 20.0)),
               DetectedObject("cat", 0.2, (0.0, 0.0, 5.0, 5.0)))
    result = _made(Detections, task="AutoModelForObjectDetection", image_size=(64, 48),
                   objects=objects, threshold=0.5, random_weights=True)
    fig = render.render(result)
    boxes = tagged(fig, "box")
    assert len(boxes) == 2
    assert max(b.get_y() + b.get_height() for b in boxes) == 48
    assert min(b.get_x() for b in boxes) == 0
    assert sorted(legend_labels(fig)) == ["cat", "dog"]
    assert len(tagged(render.render(result, threshold=0.95), "box")) == 0
    assert badge_text(fig) == f"⚠ {RANDOM_BADGE}"


def test_html_escapes_the_text() -> None:
    text = "<script>alert(1)</script> & Paris"
    result = _made(TokenSpans, task="AutoModelForTokenClassification", text=text,
                   entities=(explorer.results.Entity("Paris", "LOC", 0.9, 28, 33),),
                   notes=("newly initialised: <classifier>",))
    html = render.to_html(result)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert marks(html, "explorer-entity") == ["Paris"]
    assert "newly initialised: &lt;classifier&gt;" in html


def test_bad_views_options_and_files(tmp_path: Path) -> None:
    logits = np.array([0.1, 2.0, -1.0], dtype=np.float32)
    result = _made(Classification, task="AutoModelForSequenceClassification",
                   labels=(explorer.results.Label("b", 0.8),), logits=logits,
                   label_names=("a", "b", "c"))
    with pytest.raises(BadInput, match="views: bars"):
        render.render(result, "nope")
    with pytest.raises(BadInput, match="it takes: top_k, full"):
        render.render(result, colour="red")
    with pytest.raises(BadInput, match=r"\.png, \.svg, \.pdf or \.html"):
        render.save(result, tmp_path / "x.txt")
    assert render.save(result, tmp_path / "x.svg").read_text().lstrip().startswith("<?xml")
    assert render.options(result) == {"top_k": None, "full": False}


def test_register_refuses_to_replace_and_unknown_types_fall_back() -> None:
    with pytest.raises(ValueError, match="already has views"):
        render.register("classification", {"bars": lambda r: ""})

    class Odd(Result):
        type = "odd-new-type"

    html = render.to_html(_made(Odd))
    assert "odd-new-type" in html and "<table" in html


@pytest.mark.parametrize("entry", [r.name for r in recipes()])
def test_every_zoo_entry_renders(entry: str, manifest: dict) -> None:
    """Each zoo checkpoint's result draws its default view and a self-contained to_html."""
    result = run_entry(_named(entry, manifest), manifest)
    drawn = render.render(result)
    if isinstance(drawn, Figure):
        assert_titled(drawn, result)
    html = render.to_html(result)
    assert_self_contained(html)
    assert ("explorer-random-badge" in html) == result.random_weights


def test_visual_answer_is_shown_with_the_other_candidates(manifest: dict) -> None:
    result = run_entry(_named("visual-question-answering", manifest), manifest)
    fig = render.render(result, "alternatives")
    bars = tagged(fig, "bar")
    others = [a for a in result.alternatives if a.label != result.answer]
    assert len(bars) == len(others) + 1
    assert bars[0].get_width() == pytest.approx(result.score)
    assert len(fig.axes[0].get_images()) == 1  # the image the question was about


def test_a_view_that_fails_shows_one_line_and_the_data_in_notebooks(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    result = _made(Classification, task="AutoModelForSequenceClassification",
                   labels=(explorer.results.Label("b", 0.8),),
                   logits=np.array([0.1, 2.0], dtype=np.float32), label_names=("a", "b"))

    def broken(_: Any) -> str:
        raise ValueError("no font\nsecond line")

    monkeypatch.setattr(render, "to_html", broken)
    shown = result._repr_html_()
    assert "could not draw this classification result</b>: no font</p>" in shown
    assert "second line" not in shown and "&quot;label&quot;: &quot;b&quot;" in shown


# ------------------------------------------------------------------------ readable when projected


def _texts(fig: Figure) -> list[Any]:
    """Every visible, non-empty text artist once the figure is drawn (tick labels exist then)."""
    from matplotlib.text import Text

    fig.canvas.draw()
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


@pytest.mark.parametrize("result_type", sorted(RESULT_TYPES))
def test_no_text_below_the_minimum_size(result_type: str, manifest: dict) -> None:
    from explorer.render.common import MIN_FONT

    result = run_entry(_entry_for(result_type, manifest), manifest)
    for view in render.figure_views(result):
        small = [(t.get_text()[:20], t.get_fontsize()) for t in _texts(render.render(result, view))
                 if t.get_fontsize() < MIN_FONT - 1e-6]
        assert not small, f"{result_type} {view}: text under {MIN_FONT} pt: {small[:5]}"


def test_a_long_token_axis_is_thinned() -> None:
    from explorer.render.common import MAX_TICK_LABELS
    from explorer.results import Generation

    tokens = tuple(f" word{i}" for i in range(70))
    result = _made(Generation, task="AutoModelForCausalLM", text="".join(tokens),
                   generated_tokens=tokens, token_scores=tuple(np.linspace(0.1, 0.9, 70)))
    fig = render.render(result, "probs")
    labels = [t for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert 0 < len(labels) <= MAX_TICK_LABELS


def test_detection_labels_never_cover_each_other() -> None:
    boxes = [(10.0 + i, 12.0 + i, 60.0 + i, 50.0 + i) for i in range(6)]  # six boxes, one place
    objects = tuple(DetectedObject("circle", 0.9 - 0.1 * i, box) for i, box in enumerate(boxes))
    result = _made(Detections, task="AutoModelForObjectDetection", image_size=(96, 64),
                   objects=objects, threshold=0.0)
    fig = render.render(result)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    extents = [t.get_window_extent(renderer) for t in tagged(fig, "label")]
    assert 1 <= len(extents) < len(objects)
    assert not any(a.overlaps(b) for i, a in enumerate(extents) for b in extents[i + 1:])
    left_off = len(objects) - len(extents)
    assert f"{left_off} label{'s' if left_off > 1 else ''} left off" in \
        fig.axes[0].get_title(loc="left")


def test_table_answers_show_the_table_and_the_aggregation(manifest: dict) -> None:
    result = run_entry(_named("table-question-answering", manifest), manifest)
    fig = render.render(result, "figure")
    table_ax, agg_ax = fig.axes[:2]
    cells = [c.get_text().get_text() for c in table_ax.tables[0].get_celld().values()]
    assert {"shape", "colour", "size", "circle"} <= set(cells)  # inventory.csv
    assert agg_ax.get_title(loc="left").startswith("aggregation operator")
    assert sorted(t.get_text() for t in agg_ax.get_yticklabels()) == \
        sorted(a.label for a in result.alternatives)
    html = render.to_html(result)
    assert ">aggregation<" in html and ">shape<" in html


def test_data_tab_is_readable_json(manifest: dict) -> None:
    import json

    result = run_entry(_named("all-MiniLM-L6-v2", manifest) if "all-MiniLM-L6-v2" in manifest
                       else _named("feature-extraction", manifest), manifest)
    block = render.data_json(result)
    assert block.startswith('<pre class="explorer-data"') and "white-space:pre;" in block
    text = html_module.unescape(re.sub(r"<[^>]+>", "", block))
    data = json.loads(text)  # still JSON: long lists end in a "… N more" item
    dim = result.vectors.shape[1]
    assert data["vectors"][0][-1] == f"… {dim - 12} more" and len(data["vectors"][0]) == 13
    assert '"shape": [' + ", ".join(map(str, result.shape)) + "]" in text  # short lists inline
    assert "\n\n" not in text


def test_rendering_in_two_threads_leaves_the_users_rcparams_alone() -> None:
    import threading

    import matplotlib

    objects = tuple(DetectedObject("cat", 0.9, (2.0, 2.0, 30.0, 30.0)) for _ in range(2))
    result = _made(Detections, task="AutoModelForObjectDetection", image_size=(64, 48),
                   objects=objects, threshold=0.0)
    before = matplotlib.rcParams["font.size"]
    matplotlib.rcParams["font.size"] = 17.0  # a user's own setting
    try:
        snapshot = dict(matplotlib.rcParams)
        errors: list[BaseException] = []

        def draw() -> None:
            try:
                for _ in range(4):
                    render.to_png(result)
            except BaseException as exc:  # collected: a thread's failure must fail the test
                errors.append(exc)

        threads = [threading.Thread(target=draw) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors
        changed = {k for k, v in dict(matplotlib.rcParams).items() if snapshot[k] != v}
        assert not changed, changed
    finally:
        matplotlib.rcParams["font.size"] = before


def test_long_choices_keep_the_words_that_tell_them_apart() -> None:
    from explorer.render.charts import distinct_parts

    choices = ["the small blue square is right of the big red circle.",
               "the small blue square is left of the big red circle.",
               "the small green square is right of the big red circle."]
    assert distinct_parts(choices, 30) == ["… blue square is right …", "… blue square is left …",
                                           "… green square is right …"]
    assert distinct_parts(["positive", "negative"], 30) == ["positive", "negative"]
    # Nothing shared, or one label wholly shared by the others: left as it is.
    assert distinct_parts(["a b c", "a b c d e f g h i j k l m n o p"], 10) == [
        "a b c", "a b c d e f g h i j k l m n o p"]


def test_long_token_axes_show_characters_between_blanks() -> None:
    """VITS puts a blank between characters; thinned tick labels must not all land on blanks."""
    from matplotlib.figure import Figure as Fig

    from explorer.render.common import MAX_TICK_LABELS, token_ticks

    labels = [c for ch in "the cat sat on the mat and then it sat on a rug" for c in ("<pad>", ch)]
    assert len(labels) > 2 * MAX_TICK_LABELS
    ax = Fig().add_subplot()
    token_ticks(ax, "y", labels)
    shown = [t.get_text() for t in ax.get_yticklabels()]
    assert len(shown) <= MAX_TICK_LABELS
    assert sum(label != "<pad>" for label in shown) >= len(shown) // 3


def test_a_one_token_answer_gets_one_label_for_its_start_and_end(manifest: dict) -> None:
    """The trained QA toy's answer is one word: its start and end peak on the same token."""
    result = run_entry("question-answering", manifest)
    start, end = np.argmax(result.start_logits), np.argmax(result.end_logits)
    assert start == end
    ax = render.render(result, "logits").axes[0]
    labels = [t.get_text() for t in ax.texts]
    assert labels.count("max start and end") == 1
    assert "max start" not in labels and "max end" not in labels
