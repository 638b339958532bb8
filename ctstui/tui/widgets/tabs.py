"""The row of mode tabs (1 Calendar, 2 Activities, 3 Board, 4 Report); click to switch."""

from __future__ import annotations

from textual.widgets import Tab, Tabs

MODES = (
    ("calendar", "1 Calendar"),
    ("activities", "2 Activities"),
    ("board", "3 Board"),
    ("report", "4 Report"),
)


class ModeTabs(Tabs, can_focus=False):
    """Shows which screen is current; keys 1-4 or a click switch screens."""

    def __init__(self, active: str) -> None:
        super().__init__(
            *[Tab(label, id=f"tab-{mode}") for mode, label in MODES], active=f"tab-{active}"
        )
        self.mode = active

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        event.stop()
        mode = (event.tab.id or "").removeprefix("tab-")
        if mode and mode != self.mode:
            self.app.switch_mode(mode)
