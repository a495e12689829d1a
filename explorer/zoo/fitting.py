"""What every training recipe shares: the training loops, saving a checkpoint, the held-out
sample's size, and running a saved toy through the explorer.

Two loops, both AdamW with warm-up, linear decay and gradient clipping at 1:

- ``fit_pool`` draws batches of indices into a pool prepared once (rendered scenes, spoken
  clips): ``loss(indices)`` scores one batch. ``fit_in_cycles`` runs it several times, each with a
  fresh optimiser (warm restarts).
- ``fit_batches`` asks ``batch(rng)`` for each step's tensors (the text world, generated afresh
  every step), and uses CUDA when there is one.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from explorer.zoo.training import Progress

log = logging.getLogger(__name__)

Batch = Callable[[random.Random], dict]
"""``batch(rng)``: one training step's model inputs, labels included."""
Cycles = tuple[tuple[int, float], ...]
"""``(steps, peak learning rate)`` runs, one after the other."""


def single_thread_torch() -> Any:
    """``torch``, set to one thread: the training machine is shared, one thread each."""
    import torch

    torch.set_num_threads(1)
    return torch


def fit_pool(model: Any, loss: Callable[[Any], Any], size: int, *, steps: int, lr: float,
             seed: int, progress: Progress, batch: int = 16) -> None:
    """Train ``model`` for ``steps`` steps on batches of ``batch`` indices drawn (seeded) from a
    pool of ``size``; ``loss(indices)`` scores a batch."""
    torch = single_thread_torch()
    generator = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    warm = max(1, min(200, steps // 10))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / warm) * max(0.02, 1 - s / steps))
    model.train()
    running = 0.0
    for step in range(steps):
        value = loss(torch.randint(size, (batch,), generator=generator))
        value.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        optimiser.zero_grad()
        schedule.step()
        running = 0.98 * running + 0.02 * value.item() if step else value.item()
        if (step + 1) % 100 == 0 or step + 1 == steps:
            progress(step + 1, steps)
            log.info("step %d/%d loss %.4f", step + 1, steps, running)
    model.eval()


def cycles_for(cycles: Cycles, steps: int | None) -> Cycles:
    """The recipe's ``cycles``; with ``steps`` given (a smoke run), one run at the first rate."""
    return ((steps, cycles[0][1]),) if steps else cycles


def fit_in_cycles(model: Any, loss: Callable[[Any], Any], size: int, cycles: Cycles, *,
                  seed: int, progress: Progress, batch: int = 16) -> int:
    """``fit_pool`` once per cycle, each with a fresh AdamW and the same seeded batch order (a
    warm restart); ``progress`` counts over all cycles. Returns the steps taken."""
    total = sum(n for n, _ in cycles)
    done = 0
    for n, lr in cycles:
        def cycle_progress(d: int, _t: int, before: int = done) -> None:
            progress(before + d, total)

        fit_pool(model, loss, size, steps=n, lr=lr, seed=seed, progress=cycle_progress,
                 batch=batch)
        done += n
    return total


def fit_batches(model: Any, batch: Batch, *, steps: int, seed: int, progress: Progress,
                lr: float = 1e-3) -> None:
    """Train ``model`` on ``batch(rng)`` for ``steps`` steps (CUDA when present)."""
    import torch
    from transformers import get_linear_schedule_with_warmup

    torch.manual_seed(seed)
    rng = random.Random(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model.to(device).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    schedule = get_linear_schedule_with_warmup(optimizer, max(1, steps // 20), steps)
    for step in range(steps):
        loss = model(**{k: v.to(device) for k, v in batch(rng).items()}).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
        progress(step + 1, steps)
    model.cpu().eval()


def save_checkpoint(out: Path, model: Any, processor: Any) -> None:
    """``save_pretrained`` the model and its processor (or tokenizer) into ``out``."""
    model.save_pretrained(out)
    processor.save_pretrained(out)


def held_out_count(steps: int, full: int) -> int:
    """How many held-out examples to measure on: a smoke run (a handful of steps) takes 8."""
    return full if steps >= 100 else 8


def explorer_runner(out: Path, auto_class: str) -> Callable[..., Any]:
    """``run(options=None, **inputs)`` on the saved checkpoint, through the explorer's runner."""
    from explorer.inputs import make_inputs
    from explorer.loading import load
    from explorer.runner import run_loaded

    loaded = load(str(out), auto_class, use_cache=False)
    return lambda options=None, **inputs: run_loaded(loaded, make_inputs(**inputs), options or {})
