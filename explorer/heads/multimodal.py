"""multimodal heads (filled in by the multimodal work)."""

from __future__ import annotations

from explorer.catalog import TaskSpec

SPECS: list[TaskSpec] = []
