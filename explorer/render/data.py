"""The Data tab: a result's ``to_dict()`` as readable JSON in HTML.

Short lists of numbers stay on one line (a box, a shape), long ones show their first values and
how many more; lines break only between items, never inside a word, and the block keeps single
line spacing whatever the page's CSS.
"""

from __future__ import annotations

import json
from typing import Any

from explorer.render.common import esc
from explorer.results import Result

WIDTH = 96
"""Characters per line before a list of scalars breaks (between items)."""
MAX_NUMBERS = 12
"""Values of a long numeric list that are shown before "… N more"."""
MAX_CHARS = 2000
"""Characters of a long text (a pasted book) shown before "… N more characters"."""
PRE_STYLE = ("white-space:pre;overflow-x:auto;font-family:ui-monospace,Menlo,Consolas,monospace;"
             "font-size:13px;line-height:1.35;margin:0;padding:8px 10px;background:#fafafa;"
             "border:1px solid #ddd;border-radius:4px;color:#111")


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, float, str))


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _inline(items: list[str], indent: int) -> str:
    """``[a, b, c]``, broken between items where a line would pass ``WIDTH``."""
    lines, line = [], "["
    for i, item in enumerate(items):
        piece = item + ("," if i < len(items) - 1 else "]")
        if len(line) + len(piece) + 1 > WIDTH - indent and line != "[":
            lines.append(line.rstrip())
            line = " " * (indent + 1)
        line += piece + (" " if i < len(items) - 1 else "")
    lines.append(line)
    return "\n".join(lines)


def format_json(value: Any, indent: int = 0) -> str:
    """JSON text of ``value`` with lists of scalars kept inline and long numeric lists cut."""
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{pad}{json.dumps(str(k), ensure_ascii=False)}: "
                 f"{format_json(v, indent + 2)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        if all(_scalar(v) for v in value):
            shown = value[:MAX_NUMBERS] if all(_number(v) for v in value) else value
            items = [_dumps(v) for v in shown]
            if len(shown) < len(value):
                items.append(f"\"… {len(value) - len(shown)} more\"")
            return _inline(items, indent + 1)
        return "[\n" + ",\n".join(f"{pad}{format_json(v, indent + 2)}" for v in value) + \
            "\n" + " " * indent + "]"
    return _dumps(value)


def _dumps(value: Any) -> str:
    """One scalar; floats to 6 decimals (enough to compare, short enough to read)."""
    if isinstance(value, str) and len(value) > MAX_CHARS:
        value = f"{value[:MAX_CHARS]}… ({len(value) - MAX_CHARS:,} more characters)"
    return json.dumps(round(value, 6) if isinstance(value, float) else value, ensure_ascii=False)


def data_json(result: Result) -> str:
    """The result's data (``to_dict()``) as an HTML ``<pre>`` block of readable JSON."""
    return (f'<pre class="explorer-data" style="{PRE_STYLE}">'
            f"{esc(format_json(result.to_dict()))}</pre>")
