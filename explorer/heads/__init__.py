"""Task heads: what each Auto model class is for, and how to run it.

One module per family of tasks (``_*.py``: helpers they share). Each exposes ``SPECS: list[TaskSpec]``; a spec's ``runner`` takes a
``RunContext`` and returns a typed ``Result``. See README.md here for adding a task.
"""
