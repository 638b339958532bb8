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

    Workers (save, reload, file watch, import, export) never touch widgets: they
    post one of these, and the app runs ``then`` where widgets may be changed.
    """

    def __init__(self, then: Callable[[], None]) -> None:
        super().__init__()
        self.then = then
