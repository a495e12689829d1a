"""Zoo recipes for this category."""
from __future__ import annotations

from explorer.zoo import Recipe

RECIPES: list[Recipe] = []
