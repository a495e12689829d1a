"""The kernel manager Voila uses for the dashboard (voila.json names it).

With preheated kernels (``VoilaConfiguration.preheat_kernel``) a kernel runs the dashboard notebook
and then waits, idle, in Voila's pool until a page takes it. Jupyter's culler measures idleness
from the kernel's last activity, so a kernel that waited longer than ``cull_idle_timeout`` could be
culled in the moment between a page taking it and the page's browser connecting: the page would
then show a dead app. This manager starts a kernel's idle clock when it leaves the pool; closed
pages' kernels are still culled as configured (one culling interval later at most).
"""

from __future__ import annotations

from jupyter_core.utils import ensure_async
from jupyter_server._tz import utcnow
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager


class PoolAwareKernelManager(AsyncMappingKernelManager):
    """``AsyncMappingKernelManager`` whose culler counts idle time from when a kernel is first seen
    outside the preheated pool (Voila never asks to cull pooled kernels)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._seen: set[str] = set()

    async def cull_kernel_if_idle(self, kernel_id: str) -> None:
        if kernel_id not in self._seen:
            self._seen.add(kernel_id)
            self._kernels[kernel_id].last_activity = utcnow()
            return
        await super().cull_kernel_if_idle(kernel_id)

    async def shutdown_kernel(  # type: ignore[override]  # base typed synchronous
            self, kernel_id: str, *args: object, **kwargs: object) -> None:
        self._seen.discard(kernel_id)
        await ensure_async(super().shutdown_kernel(kernel_id, *args, **kwargs))
