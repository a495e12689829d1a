"""vision heads (filled in by the vision work)."""

from __future__ import annotations

from explorer.catalog import TaskSpec

SPECS: list[TaskSpec] = []
