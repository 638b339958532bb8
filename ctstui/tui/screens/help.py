"""The help screen: every key binding, by where it applies (after any remapping)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

QUERY_HELP = (
    "Filter language (list, board and exports): free words match title, place, audience, "
    "notes; field:value for status, rag, lead, theme, kind, place, title, audience, programme, "
    "funder, month (month:2013-11, month:nov), before:/after: dates, optional:yes; quote values "
    'with spaces (kind:"peer review"); commas mean any of (status:tbc,planned); a leading - '
    "negates (-status:completed); terms AND together."
)


def binding_rows(app) -> list[tuple[str, list[tuple[str, str]]]]:
    """(section, [(keys, description)]) for the app and each screen/widget class."""
    from ctstui.tui.screens.activities import ActivitiesScreen
    from ctstui.tui.screens.board import BoardScreen, BoardView, ReviewRoundScreen
    from ctstui.tui.screens.calendar import CalendarScreen
    from ctstui.tui.screens.form import ActivityForm
    from ctstui.tui.screens.year import YearScreen, YearView
    from ctstui.tui.widgets.activity_table import ActivityTable
    from ctstui.tui.widgets.month_grid import MonthGrid

    keymap = getattr(app, "_keymap", {}) or {}
    sections = [
        ("Everywhere", type(app)),
        ("Calendar", CalendarScreen),
        ("Calendar grid", MonthGrid),
        ("Year view", YearScreen),
        ("Year view days", YearView),
        ("Activities", ActivitiesScreen),
        ("Activity table", ActivityTable),
        ("Board", BoardScreen),
        ("Board cards", BoardView),
        ("Review round", ReviewRoundScreen),
        ("Add/edit form", ActivityForm),
    ]
    out = []
    for title, cls in sections:
        rows = []
        for binding in getattr(cls, "BINDINGS", []):
            if not isinstance(binding, Binding):
                binding = Binding(*binding)
            keys = keymap.get(binding.id, binding.key) if binding.id else binding.key
            rows.append((keys.replace("_", " "), binding.description or binding.action))
        if rows:
            out.append((title, rows))
    return out


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "close", "Close", id="help.close")]

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for section, rows in binding_rows(self.app):
            table.add_row(Text(section, style="bold underline"), "")
            for keys, description in rows:
                table.add_row(keys, description)
            table.add_row("", "")
        with VerticalScroll(id="help", classes="dialog wide"):
            yield Static(Text("ctstui keys", style="bold"))
            yield Static(table)
            yield Static(Text(QUERY_HELP), classes="hint")
            yield Static(
                Text(
                    "ctrl+p opens the command palette (go to month, new activity, filter, "
                    "export .ics, review round, theme). Keys can be remapped in "
                    '~/.config/ctstui/keymap.json ({"binding id": "keys"}).'
                ),
                classes="hint",
            )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#help").focus()

    def action_close(self) -> None:
        self.dismiss(None)
