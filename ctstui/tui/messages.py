"""Messages posted to the app from other threads (store listeners, workers)."""

from __future__ import annotations

from collections.abc import Callable

from textual.message import Message

from ctstui.store.activity_store import StoreEvent


class PlanChanged(Message):
    """The store changed (posted by the app's store listener, any thread)."""

    def __init__(self, event: StoreEvent) -> None:
        super().__init__()
        self.event = event


class WorkerDone(Message):
    """A worker thread's result, handled on the UI thread by running ``then``.

    Workers (load, save, reload, file watch, import, export) never touch widgets:
    they post one of these, and the app runs ``then`` (awaited if it is a
    coroutine) where widgets may be changed.
    """

    def __init__(self, then: Callable[[], object]) -> None:
        super().__init__()
        self.then = then
