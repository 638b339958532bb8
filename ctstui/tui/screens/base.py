"""What every main screen shares: the store, today, the selected activity, redrawing."""

from __future__ import annotations

from datetime import date
from typing import cast

from textual.screen import Screen

from ctstui.domain.model import Activity
from ctstui.store.activity_store import ActivityStore
from ctstui.tui.host import PlannerHost


class PlanScreen(Screen):
    """A main screen (mode).  It redraws from the store in :meth:`refresh_plan`.

    It watches the App's ``plan_version``: after a change it redraws at once
    when it is in the current screen stack, else it marks itself stale and
    redraws when it is shown again.
    """

    stale = False
    _watching = False

    @property
    def planner(self) -> PlannerHost:
        return cast(PlannerHost, self.app)

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

    def plan_version_changed(self, _version: int) -> None:
        if self in self.app.screen_stack:
            self.refresh_plan()
        else:
            self.stale = True

    def on_screen_resume(self) -> None:
        if not self._watching:  # first shown: from now on, follow the plan's changes
            self._watching = True
            self.watch(self.app, "plan_version", self.plan_version_changed, init=False)
        if self.stale:
            self.stale = False
            self.refresh_plan()
