"""Messages that widgets post up to their screens and the app."""

from __future__ import annotations

from textual.message import Message

from ctstui.store.activity_store import StoreEvent


class PlanChanged(Message):
    """The store changed (posted by the app's store listener, any thread)."""

    def __init__(self, event: StoreEvent) -> None:
        super().__init__()
        self.event = event
