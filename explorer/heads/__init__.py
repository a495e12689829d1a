"""Task runners: how to run each Auto model class.

One module per family of tasks (``_*.py``: helpers they share), named like the family's data in
``explorer/catalog/``. Each exposes ``RUNNERS: dict[str, Callable]`` keyed by Auto class; a runner
takes a ``RunContext`` and returns a typed ``Result``. Beside them, ``SNIPPETS`` (the Code-tab
bodies) and ``RECIPES`` (the zoo's demo checkpoints and example inputs). The catalog imports a
family module only when one of its tasks runs. See README.md here for adding a task.
"""
