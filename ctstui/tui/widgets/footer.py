"""A footer that always keeps the keys a person needs to find their way: help and quit.

Textual's footer lists the focused widget's keys first and the App's last, so on
a narrow terminal ``? Help`` and ``q Quit`` fall off the right edge.  This one
drops the least needed keys instead (the last of the others), and lays itself
out again when the terminal is resized.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer

# Actions whose keys stay on screen however narrow it is.
ESSENTIAL = frozenset({"help", "quit_saving", "cancel", "close", "save", "command_palette"})
# Keys with other ways in (arrows, the palette, help) go first when room runs out.
DROP_FIRST = frozenset({"month", "today", "goto", "year", "sort_next", "redo", "undo"})
KEY_PADDING = 3  # a footer key is drawn " k Description " (and a space between)


def _cells(key) -> int:
    return len(getattr(key, "key_display", "")) + len(getattr(key, "description", "")) + KEY_PADDING


def _action(key) -> str:
    return getattr(key, "action", "").removeprefix("app.").split("(")[0]


def _essential(key) -> bool:
    return _action(key) in ESSENTIAL


class PlanFooter(Footer):
    def __init__(self) -> None:
        super().__init__()
        self._laid_out_for = 0

    def compose(self) -> ComposeResult:
        keys = list(super().compose())
        width = self.size.width or self.app.size.width
        self._laid_out_for = width
        total = sum(_cells(k) for k in keys)
        for droppable in (lambda k: _action(k) in DROP_FIRST, lambda k: not _essential(k)):
            for key in reversed(list(keys)):
                if total <= width:
                    break
                if droppable(key):
                    keys.remove(key)
                    total -= _cells(key)
        yield from keys

    async def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._laid_out_for:
            await self.recompose()
