"""What the screens may ask of the app: a Protocol, so screens never import the App.

The App (:class:`ctstui.tui.app.PlannerApp`) implements it; screens reach it as
``self.planner`` (:class:`ctstui.tui.screens.base.PlanScreen`).  Keeping the
screens on this interface is what keeps ``tui/`` free of import cycles.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Protocol, TypeVar

from ctstui.store.activity_store import ActivityStore

T = TypeVar("T")


class PlannerHost(Protocol):
    store: ActivityStore
    today: date
    # Bumped after every change to the plan; screens watch it to redraw.
    plan_version: int

    def change(self, run: Callable[[], T]) -> T | None:
        """Run a store change; a problem is shown and None returned."""
        ...

    def open_detail(self, activity_id: str) -> None: ...

    def schedule_save(self) -> None:
        """Save a moment from now (a change the store does not announce, e.g. a contract)."""
        ...

    def selection_changed(self) -> None:
        """The selected activity may have changed: refresh what the keys can do."""
        ...
