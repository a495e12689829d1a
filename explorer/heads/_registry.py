"""One registration entry per task: the runner, the Code-tab snippet body and the zoo recipe(s) of
one Auto class, declared together in ``TASKS`` at the end of ``explorer/heads/<family>.py``.

The catalog (runners), ``explorer.snippets`` (bodies) and ``explorer.zoo`` (recipes) all read
them through ``family_tasks`` / ``all_tasks``, which import a family module only when called.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from explorer.results import Result
    from explorer.runner import RunContext
    from explorer.snippets.base import Body
    from explorer.zoo import Recipe


@dataclass(frozen=True)
class Task:
    """How one Auto class runs, shows its code and gets a demo checkpoint."""

    auto_class: str
    run: Callable[[RunContext], Result]
    snippet: Body
    """The Code-tab body: plain transformers that prints what the Result tab shows."""
    recipes: Sequence[Recipe]
    """The zoo's demo checkpoint(s) for this Auto class, each with its example input."""

    def __post_init__(self) -> None:
        for recipe in self.recipes:
            if recipe.auto_class != self.auto_class:
                raise ValueError(f"recipe {recipe.name!r} builds {recipe.auto_class}, "
                                 f"not {self.auto_class}: register it with that task")


def family_tasks(family: str) -> list[Task]:
    """The tasks ``explorer/heads/<family>.py`` registers (imports that module)."""
    tasks: list[Task] = importlib.import_module(f"explorer.heads.{family}").TASKS
    return tasks


def all_tasks() -> list[Task]:
    """Every registered task, family by family in ``FAMILIES`` order."""
    from explorer.catalog import FAMILIES

    return [task for family in FAMILIES for task in family_tasks(family)]
