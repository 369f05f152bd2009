"""Papermill's engine for ccua's warm kernels (:mod:`ccua._kernels`).

Apart from the kernels so that starting them (jupyter_client alone) does not wait for
papermill's imports: ``ccua run`` starts its kernels first and imports this meanwhile.
"""

from __future__ import annotations

from typing import Any

from jupyter_core.utils import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger as papermill_logger
from papermill.utils import merge_kwargs, remove_args


class WarmClient(PapermillNotebookClient):
    """Papermill's client, preparing a reused kernel before the first cell (silently) and
    closing its channels after the last (it does not own the kernel, which lives on)."""

    ccua_prepare: str | None = None

    async def async_start_new_kernel_client(self) -> Any:
        kc = await super().async_start_new_kernel_client()
        if self.ccua_prepare:
            msg_id = kc.execute(
                self.ccua_prepare, silent=True, store_history=False, allow_stdin=False
            )
            reply = await self.async_wait_for_reply(msg_id)
            content = (reply or {}).get("content", {})
            if content.get("status") != "ok":
                raise RuntimeError(
                    f"warm kernel could not be prepared: "
                    f"{content.get('ename')}: {content.get('evalue')}"
                )
        return kc

    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    def execute(self, **kwargs: Any) -> Any:
        try:
            return super().execute(**kwargs)
        finally:
            kc: Any = getattr(self, "kc", None)
            if not self.owns_km and kc is not None:
                kc.stop_channels()
                self.kc = None


class WarmEngine(NBClientEngine):
    """Papermill's nbclient engine, executing in a given (warm) kernel manager."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man: Any,
        kernel_name: str,
        log_output: bool = False,
        stdout_file: Any = None,
        stderr_file: Any = None,
        start_timeout: int = 60,
        execution_timeout: Any = None,
        **kwargs: Any,
    ) -> Any:
        km = kwargs.pop("km")
        prepare = kwargs.pop("ccua_prepare", None)
        kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
        final = merge_kwargs(
            kwargs,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=papermill_logger,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        client = WarmClient(nb_man, km=km, **final)
        client.ccua_prepare = prepare
        return client.execute()


ENGINE = "ccua-warm"
papermill_engines.register(ENGINE, WarmEngine)


__all__ = ["ENGINE", "WarmClient", "WarmEngine"]
