"""audio heads (filled in by the audio work)."""

from __future__ import annotations

from explorer.catalog import TaskSpec

SPECS: list[TaskSpec] = []
