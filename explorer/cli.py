"""The ``explorer`` command: tasks, resolve, estimate, run, code, zoo.

Every failure the user can fix prints ``error: <what went wrong and what to do>`` on stderr and
exits with status 2, without a traceback (``--debug`` or EXPLORER_DEBUG=1 prints the traceback of a bug).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="explorer", description="See what the transformers Auto classes do.")
    parser.add_argument("--debug", action="store_true",
                        help="print the full traceback of an internal error (a bug)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("tasks", help="list the catalog of Auto classes")
    p.add_argument("--category", choices=["nlp", "vision", "audio", "multimodal", "base"])
    p.add_argument("--json", action="store_true", help="print one JSON document")

    p = sub.add_parser("resolve", help="what a checkpoint is, which classes apply, and why")
    p.add_argument("checkpoint", help="local folder, zoo:<task>, or hub id")
    p.add_argument("--task", help="Auto class or hub task tag")
    p.add_argument("--revision")
    p.add_argument("--trust-remote-code", action="store_true")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("estimate", help="memory a checkpoint needs, per dtype, before loading")
    p.add_argument("checkpoint", help="local folder, zoo:<task>, or hub id")
    p.add_argument("--task", help="Auto class or hub task tag")
    p.add_argument("--revision")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("run", help="load a checkpoint and run a task on an input",
                       **_option_help())
    _run_arguments(p)
    p.add_argument("--render", metavar="FILE", help="write the view to FILE (.png or .html)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                   help="print the full traceback of an internal error (a bug)")

    p = sub.add_parser("code", help="print the plain transformers code of a run (the Code tab)",
                       **_option_help())
    _run_arguments(p)

    p = sub.add_parser("zoo", help="build and list the offline demo checkpoints (real, trained "
                                   "toys, tiny random ones)")
    p.add_argument("directory", nargs="?", help="where (default: $EXPLORER_ZOO or ~/.cache/...)")
    p.add_argument("--only", action="append", help="build only this entry (repeatable)")
    p.add_argument("--force", action="store_true", help="rebuild entries that exist")
    p.add_argument("--json", action="store_true")
    return parser


def _run_arguments(p: argparse.ArgumentParser) -> None:
    """The checkpoint, task, inputs, options and load choices of a run (``run`` and ``code``)."""
    p.add_argument("checkpoint", help="local folder, zoo:<task>, or hub id")
    p.add_argument("--task", help="Auto class or hub task tag (default: what the config names)")
    p.add_argument("--text", action="append", help="input text (repeat for several)")
    p.add_argument("--text-pair", help="second text (NLI, next-sentence prediction)")
    p.add_argument("--question")
    p.add_argument("--context")
    p.add_argument("--image", "--video", dest="image",
                   help="image file, or a clip (animated GIF, MP4, WebM) for video models")
    p.add_argument("--audio", help="audio file (any rate / channels)")
    p.add_argument("--labels", help="comma-separated candidate labels or choices")
    p.add_argument("--table", help="CSV file with a header row")
    p.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                   help="task option, e.g. top_k=3, threshold=0.2, out_indices=1,2 (all of them "
                        "below; `explorer tasks` says which a task reads)")
    p.add_argument("--dtype", default="auto", choices=["auto", "float32", "float16", "bfloat16"])
    p.add_argument("--device", help="cpu, cuda or mps (default: picked)")
    p.add_argument("--revision")
    p.add_argument("--output-attentions", action="store_true", help="keep attention maps")
    p.add_argument("--allow-pickle", action="store_true",
                   help="allow pickle weights (can run code: only for sources you trust)")
    p.add_argument("--trust-remote-code", action="store_true")
    big = p.add_argument_group("big models (accelerate)")
    big.add_argument("--memory-budget", metavar="SIZE",
                     help="refuse a plain load over SIZE, e.g. 2GiB (default: "
                          "EXPLORER_MEMORY_BUDGET_GB, else half this machine's memory, ≤ 8 GiB)")
    big.add_argument("--device-map", metavar="MAP",
                     help="auto, balanced, sequential, or a JSON {module: device} map")
    big.add_argument("--max-memory", metavar="DEV=SIZE,...",
                     help="caps per device for --device-map, e.g. cpu=2GiB,0=20GiB")
    big.add_argument("--offload-folder", metavar="DIR", help="where weights placed on disk go")
    big.add_argument("--quantization", choices=["8bit", "4bit"],
                     help="bitsandbytes quantization (CUDA only)")


def _option_help() -> dict[str, Any]:
    """The options' one-line descriptions, from their declarations, under ``--help``."""
    from explorer.options import help_text

    lines = "\n".join(f"  {line}" for line in help_text().splitlines())
    return {"epilog": f"task options (--option KEY=VALUE):\n{lines}",
            "formatter_class": argparse.RawDescriptionHelpFormatter}


def _options(pairs: Sequence[str]) -> dict[str, Any]:
    """``--option KEY=VALUE`` pairs, each value as its option's declared type (a one-line error
    when it is not); a key no task reads stays text, and the run says which options apply."""
    from explorer.errors import BadInput
    from explorer.options import OPTIONS

    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            raise BadInput(f"--option needs KEY=VALUE, got {pair!r}")
        out[key] = OPTIONS[key].coerce(value) if key in OPTIONS else value
    return out


def _print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def _cmd_tasks(args: argparse.Namespace) -> None:
    from explorer.catalog import CATEGORIES, tasks

    specs = tasks(args.category)
    if args.json:
        _print_json([s.to_dict() for s in specs])
        return
    for category, title in CATEGORIES.items():
        group = [s for s in specs if s.category == category]
        if not group:
            continue
        print(f"\n{title}")
        for s in group:
            mark = "" if s.runner else "  (not runnable yet)"
            options = ", ".join(o.name if o.default is None else f"{o.name}={o.default!r}"
                                for o in s.options)
            print(f"  {s.task:32} {s.auto_class:42} {len(s.model_types):4} types  "
                  f"in: {','.join(s.inputs) or '-'}  → {s.result}{mark}"
                  + (f"  options: {options}" if options else ""))


def _cmd_resolve(args: argparse.Namespace) -> None:
    from explorer.resolution import resolve

    res = resolve(args.checkpoint, args.task, revision=args.revision,
                  trust_remote_code=args.trust_remote_code)
    if args.json:
        _print_json(res.to_dict())
        return
    d = res.to_dict()
    print(f"{d['checkpoint']}  ({d['source']}: {d['location']})")
    print(f"  model_type    {d['model_type']}  →  {d['config_class']}")
    print(f"  architectures {', '.join(d['architectures']) or '-'}")
    print(f"  task          {d['task']}  →  {d['model_class']}")
    print(f"  preprocessor  {d['preprocessor_auto_class']}  →  {d['preprocessor']}")
    print(f"  can serve     {', '.join(d['tasks'])}")
    if d["random_weights"]:
        print("  RANDOM WEIGHTS: a demo checkpoint; its outputs are meaningless")
    elif d["toy_headline"]:
        print(f"  {d['toy_headline']}")
    print("why:")
    for line in d["trace"]:
        print(f"  - {line}")


def _device_map(text: str | None) -> Any:
    """``auto`` etc. as given; a JSON object for an explicit map."""
    from explorer.errors import BadInput

    if not text or not text.strip().startswith("{"):
        return text
    try:
        return json.loads(text)
    except ValueError:
        raise BadInput(f"--device-map {text!r} is not valid JSON; write e.g. "
                       '\'{"model.embed": 0, "model.layers": "cpu", "lm_head": "disk"}\'') from None


def _load_options(args: argparse.Namespace) -> Any:
    from explorer.load_options import LoadOptions

    return LoadOptions(dtype=args.dtype, device=args.device, revision=args.revision,
                       allow_pickle=args.allow_pickle, trust_remote_code=args.trust_remote_code,
                       memory_budget=args.memory_budget, device_map=_device_map(args.device_map),
                       max_memory=args.max_memory, offload_folder=args.offload_folder,
                       quantization=args.quantization)


def _cmd_estimate(args: argparse.Namespace) -> None:
    from explorer.load_options import default_budget
    from explorer.memory import estimate, human

    found = estimate(args.checkpoint, args.task, revision=args.revision)
    budget = default_budget()
    if args.json:
        _print_json({**found.to_dict(), "budget_bytes": budget})
        return
    print(f"{found.checkpoint}  ({found.source})")
    print(f"  parameters     {found.parameters:,}  (stored as {found.stored_dtype}, "
          f"{human(found.stored_bytes)})")
    for dtype, count in found.per_dtype.items():
        fits = "fits" if count * 1.2 <= budget else "over budget: offload or quantize"
        print(f"  {dtype:14} {human(count):>11}   + {human(count * 0.2)} to run  ({fits})")
    print(f"  largest layer  {found.largest_layer} ({human(found.largest_layer_bytes)}): "
          "the block one device must hold whole")
    print(f"  budget         {human(budget)} (EXPLORER_MEMORY_BUDGET_GB, or half this "
          "machine's memory up to 8 GiB)")


def _cmd_run(args: argparse.Namespace) -> None:
    from explorer.runner import run

    result = run(
        args.checkpoint, args.task, text=args.text, text_pair=args.text_pair,
        question=args.question, context=args.context, labels=args.labels, image=args.image,
        audio=args.audio, table=args.table, load_options=_load_options(args),
        options=_options(args.option), output_attentions=args.output_attentions or None,
    )
    if args.render:
        from explorer.render import save

        save(result, args.render)
    if args.json:
        _print_json(result.to_dict())
        return
    data = result.to_dict()
    print(f"{data['type']}: {data['task']} → {data['model_class']}  ({data['checkpoint']})")
    if data.get("random_weights"):
        print("  RANDOM WEIGHTS: output is meaningless")
    elif data.get("toy_headline"):
        print(f"  {data['toy_headline']}")
    skip = {"type", "task", "model_class", "checkpoint", "random_weights", "notes", "vectors",
            "checkpoint_kind", "toy_headline"}
    for key, value in data.items():
        if key not in skip:
            text = json.dumps(value, ensure_ascii=False)
            print(f"  {key}: {text[:400]}{'…' if len(text) > 400 else ''}")
    for note in data.get("notes", []):
        print(f"  note: {note}")
    if args.render:
        print(f"  view written to {args.render}")


def _cmd_code(args: argparse.Namespace) -> None:
    from pathlib import Path

    from explorer.errors import BadInput
    from explorer.resolution import resolve
    from explorer.snippets import snippet

    task = args.task
    if not task:
        spec = resolve(args.checkpoint, revision=args.revision).spec
        if spec is None:
            raise BadInput(f"{args.checkpoint}'s config names no task; pick one with --task")
        task = spec.task
    inputs: dict[str, Any] = {k: v for k, v in (
        ("text", args.text), ("text_pair", args.text_pair), ("question", args.question),
        ("context", args.context), ("table", args.table)) if v is not None}
    if args.labels:
        inputs["labels"] = [label.strip() for label in args.labels.split(",") if label.strip()]
    for kind in ("image", "audio", "table"):  # files: absolute, so the code runs from anywhere
        path = getattr(args, kind)
        if path is not None:
            inputs[kind] = str(Path(path).expanduser().resolve()) if Path(path).exists() else path
    sys.stdout.write(snippet(args.checkpoint, task, inputs, _options(args.option),
                             load_options=_load_options(args),
                             output_attentions=args.output_attentions))


def _cmd_zoo(args: argparse.Namespace) -> None:
    import time

    from explorer.resolution import zoo_dir
    from explorer.zoo import build_zoo, zoo_kind

    started = time.perf_counter()
    manifest = build_zoo(args.directory, only=args.only, force=args.force)
    where = args.directory or zoo_dir()
    if args.json:
        _print_json({"directory": str(where), **manifest})
        return
    for name, entry in sorted(manifest["entries"].items()):
        print(f"  {name:32} {entry['auto_class']:42} {zoo_kind(entry)}")
    print(f"{len(manifest['entries'])} checkpoints in {where} "
          f"({time.perf_counter() - started:.1f} s)")


_COMMANDS = {"tasks": _cmd_tasks, "resolve": _cmd_resolve, "estimate": _cmd_estimate,
             "run": _cmd_run, "code": _cmd_code, "zoo": _cmd_zoo}


_RUNS_MODELS = ("run", "code", "zoo")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from explorer.errors import ExplorerError, InternalError

    debug = args.debug or bool(os.environ.get("EXPLORER_DEBUG"))
    try:
        if args.command in _RUNS_MODELS:  # quiet for the whole command, warnings of a run too
            from explorer.quiet import quiet_transformers

            with quiet_transformers():
                _COMMANDS[args.command](args)
        else:
            _COMMANDS[args.command](args)
    except ExplorerError as exc:
        if debug and isinstance(exc, InternalError) and exc.__cause__ is not None:
            import traceback

            traceback.print_exception(exc.__cause__, file=sys.stderr)
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: still one line, with a way to get the traceback
        if debug:
            raise
        first = (str(exc).strip().splitlines() or [""])[0][:300]
        print(f"error: unexpected {type(exc).__name__}: {first} (run with --debug for the "
              "traceback and please report it)", file=sys.stderr)
        return EXIT_USAGE
    return 0
