"""Task runners: how to run each Auto model class.

One module per family of tasks (``_*.py``: helpers they share), named like the family's data in
``explorer/catalog/``. Each exposes ``TASKS``: one ``Task`` (``_registry.py``) per Auto class,
naming its runner (takes a ``RunContext``, returns a typed ``Result``), its Code-tab snippet body
and its zoo recipe(s) with their example inputs. The catalog imports a family module only when one
of its tasks runs. See README.md here for adding a task.
"""
