"""Render every view of every result type into one folder, with an index.html to review them.

    python scripts/gallery.py                      # one zoo entry per result type → ./gallery
    python scripts/gallery.py --all --out /tmp/g   # every zoo checkpoint
    EXPLORER_ZOO=/tmp/zoo python scripts/gallery.py  # reuse a built zoo

Runs offline on the demo zoo (built into a temporary folder unless EXPLORER_ZOO / --zoo names
one). Each run keeps attention weights where the model gives them, so the attention views show
too. Writes ``<entry>--<view>.png`` for figure views, ``<entry>--<view>.html`` for text views,
``<entry>.html`` (the full ``to_html``) and ``index.html`` (everything on one page, with the time
each view took).
"""

from __future__ import annotations

import argparse
import html
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

# The entry shown for a result type when several zoo checkpoints produce it.
PREFERRED = {
    "classification": "image-classification",
    "embedding": "all-MiniLM-L6-v2",
    "answer": "question-answering",
    "generation": "text-generation",
    "detection": "object-detection",
    "segmentation": "image-segmentation",
    "transcript": "automatic-speech-recognition",
    "audio": "text-to-speech",
    "image": "image-to-image",
}


def pick_entries(manifest: dict, every: bool) -> list[tuple[str, str]]:
    """``(entry name, result type)`` to render: all entries, or one per result type."""
    from explorer import get_task

    typed = [(name, get_task(entry["auto_class"]).result) for name, entry in manifest.items()]
    if every:
        return sorted(typed, key=lambda t: (t[1], t[0]))
    chosen: dict[str, str] = {}
    for name, kind in typed:
        if kind not in chosen or PREFERRED.get(kind) == name:
            chosen[kind] = name
    return sorted(((name, kind) for kind, name in chosen.items()), key=lambda t: t[1])


def run_entry(name: str, entry: dict) -> Any:
    """Run a zoo entry on its example, with attention weights when the model can give them."""
    import explorer
    from explorer.zoo import example_kwargs

    kwargs = example_kwargs(entry.get("example") or {})
    try:
        return explorer.run(f"zoo:{name}", entry["auto_class"], output_attentions=True, **kwargs)
    except Exception:  # some models cannot return attentions: run without
        return explorer.run(f"zoo:{name}", entry["auto_class"], **kwargs)


def render_entry(result: Any, name: str, out: Path) -> list[dict]:
    """Write every view of ``result``; returns what was written, with timings."""
    from explorer import render
    from explorer.render.common import figure_png

    written = []
    for view in render.views(result):
        started = time.perf_counter()
        drawn = render.render(result, view)
        if isinstance(drawn, str):
            path = out / f"{name}--{view}.html"
            path.write_text(render.page(result, drawn), encoding="utf-8")
        else:
            path = out / f"{name}--{view}.png"
            path.write_bytes(figure_png(drawn))
        written.append({"view": view, "file": path.name,
                        "seconds": round(time.perf_counter() - started, 3)})
    started = time.perf_counter()
    html_doc = render.to_html(result)
    seconds = round(time.perf_counter() - started, 3)
    (out / f"{name}.html").write_text(render.page(result, html_doc), encoding="utf-8")
    written.append({"view": "to_html", "file": f"{name}.html", "seconds": seconds,
                    "html": html_doc})
    return written


def index_page(sections: list[dict]) -> str:
    esc = html.escape
    toc = "".join(f'<li><a href="#{esc(s["name"])}">{esc(s["type"])}: {esc(s["name"])}</a></li>'
                  for s in sections)
    parts = []
    for s in sections:
        views = []
        for w in s["written"]:
            if w["view"] == "to_html":
                continue
            link = f'<a href="{esc(w["file"])}">{esc(w["view"])}</a> ({w["seconds"]:.2f} s)'
            if w["file"].endswith(".png"):
                views.append(f'<figure style="margin:8px 0">{link}<br><img src="{esc(w["file"])}"'
                             ' style="max-width:100%;border:1px solid #ddd"></figure>')
            else:
                views.append(f"<div>{link} (text view, shown in to_html)</div>")
        full = next(w for w in s["written"] if w["view"] == "to_html")
        error = f'<pre style="color:#b00020">{esc(s["error"])}</pre>' if s.get("error") else ""
        parts.append(
            f'<section id="{esc(s["name"])}" style="margin:28px 0;border-top:3px solid #0072B2;'
            f'padding-top:8px"><h2 style="margin:4px 0">{esc(s["type"])} — '
            f'{esc(s["name"])}</h2>{error}<h3>to_html ({full["seconds"]:.2f} s, '
            f'<a href="{esc(full["file"])}">own page</a>)</h3>{full["html"]}'
            f'<h3>views</h3>{"".join(views)}</section>')
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>explorer view gallery</title>"
            "</head><body style='font-family:sans-serif;margin:20px;background:#fafafa'>"
            f"<h1>AutoClass Explorer — view gallery</h1><ol>{toc}</ol>{''.join(parts)}"
            "</body></html>\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="gallery", help="folder to write into (default ./gallery)")
    parser.add_argument("--zoo", default=os.environ.get("EXPLORER_ZOO"),
                        help="zoo folder (default $EXPLORER_ZOO, else a fresh temporary build)")
    parser.add_argument("--all", action="store_true", help="every zoo entry, not one per type")
    parser.add_argument("--only", nargs="*", help="just these zoo entries")
    args = parser.parse_args(argv)

    from explorer import get_task
    from explorer.zoo import build_zoo

    tmp = None if args.zoo else tempfile.TemporaryDirectory(prefix="explorer-zoo-")
    zoo = Path(args.zoo or tmp.name)  # type: ignore[union-attr]
    os.environ["EXPLORER_ZOO"] = str(zoo)
    manifest = build_zoo(zoo)["entries"]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    entries = [(n, t) for n, t in pick_entries(manifest, args.all) if not args.only
               or n in args.only]
    sections, failed = [], 0
    for name, kind in entries:
        if get_task(manifest[name]["auto_class"]).runner is None:
            print(f"{kind:14s} {name:34s} skipped: no runner yet")
            continue
        started = time.perf_counter()
        try:
            result = run_entry(name, manifest[name])
            written = render_entry(result, name, out)
            sections.append({"name": name, "type": kind, "written": written})
            took = ", ".join(f"{w['view']} {w['seconds']:.2f}s" for w in written)
            print(f"{kind:14s} {name:34s} {time.perf_counter() - started:5.1f}s  ({took})")
        except Exception as exc:  # keep going: the gallery shows what broke
            failed += 1
            print(f"{kind:14s} {name:34s} FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
            sections.append({"name": name, "type": kind, "error": f"{type(exc).__name__}: {exc}",
                             "written": [{"view": "to_html", "file": "", "seconds": 0,
                                          "html": ""}]})
    (out / "index.html").write_text(index_page(sections), encoding="utf-8")
    (out / "timings.json").write_text(json.dumps(
        {s["name"]: {w["view"]: w["seconds"] for w in s["written"]} for s in sections}, indent=1))
    print(f"wrote {len(sections)} entries to {out / 'index.html'}" +
          (f" ({failed} failed)" if failed else ""))
    if tmp is not None:
        tmp.cleanup()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
