"""What every main screen shares: the store, today, and the selected activity."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from textual.screen import Screen

from ctstui.domain.model import Activity
from ctstui.store.activity_store import ActivityStore

if TYPE_CHECKING:
    from ctstui.tui.app import PlannerApp


class PlanScreen(Screen):
    """A main screen (mode).  It redraws from the store in :meth:`refresh_plan`."""

    stale = False

    @property
    def planner(self) -> PlannerApp:
        return self.app  # type: ignore[return-value]

    @property
    def store(self) -> ActivityStore:
        return self.planner.store

    @property
    def today(self) -> date:
        return self.planner.today

    def selected_activity(self) -> Activity | None:
        """The activity that status keys, edit and delete act on (None: nothing)."""
        return None

    def refresh_plan(self) -> None:
        """Redraw from the store (called after every change while shown)."""

    def on_screen_resume(self) -> None:
        if self.stale:
            self.stale = False
            self.refresh_plan()
