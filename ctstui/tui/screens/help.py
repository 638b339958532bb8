"""The help screen: every key binding, read from the live bindings (after any remapping).

Nothing here names a screen: the keys of the screen help was opened from come
from Textual's ``active_bindings``; the rest from every planner class that
declares ``BINDINGS`` (:func:`ctstui.tui.keymap.binding_classes`), so a new
screen's keys are listed without anyone editing this file.
"""

from __future__ import annotations

import re

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Static

from ctstui.tui.keymap import binding_classes, own_bindings

QUERY_HELP = (
    "Filter language (list, board and exports): free words match title, place, audience, "
    "notes; field:value for status, rag, lead, theme, kind, place, title, audience, programme, "
    "funder, month (month:2013-11, month:nov), before:/after: dates, optional:yes; quote values "
    'with spaces (kind:"peer review"); commas mean any of (status:tbc,planned); a leading - '
    "negates (-status:completed); terms AND together."
)

Row = tuple[str, str, str, bool]  # keys as shown, description, binding id, usable now


def section_title(cls: type) -> str:
    """ "ReviewRoundScreen" -> "Review round", "MonthGrid" -> "Month grid"."""
    name = cls.__name__.removesuffix("Screen") or cls.__name__
    words = re.findall(r"[A-Z][a-z0-9]*|[a-z0-9]+", name)
    return " ".join(words).capitalize()


def keys_shown(app: App, keys: str) -> str:
    """ "question_mark" -> "?", "left_square_bracket,pageup" -> "[ pgup", "ctrl+z" -> "^z"."""
    return " ".join(app.get_key_display(Binding(key.strip(), "")) for key in keys.split(","))


def class_rows(app: App, cls: type[DOMNode], keymap: dict[str, str]) -> list[Row]:
    rows = []
    for binding in own_bindings(cls):
        keys = keymap.get(binding.id, binding.key) if binding.id else binding.key
        rows.append(
            (keys_shown(app, keys), binding.description or binding.action, binding.id or "", True)
        )
    return rows


def here_rows(app: App, screen: Screen) -> list[Row]:
    """The keys that work on ``screen`` now (its widgets' too), the App's left out."""
    grouped: dict[str, tuple[list[str], Binding, bool]] = {}
    for key, active in screen.active_bindings.items():
        node, binding = active.node, active.binding
        if node is app or not binding.id:
            continue  # the App's keys have their own section; Textual's own have no id
        ident = binding.id
        keys, _, enabled = grouped.get(ident, ([], binding, active.enabled))
        keys.append(key)
        grouped[ident] = (keys, binding, enabled and active.enabled)
    return [
        (
            keys_shown(app, ",".join(keys)),
            binding.description or binding.action,
            binding.id or "",
            enabled,
        )
        for keys, binding, enabled in grouped.values()
    ]


def binding_sections(app: App, screen: Screen) -> list[tuple[str, list[Row]]]:
    """(section title, rows): this screen's keys, the App's, then every other place's."""
    user_keymap = getattr(app, "user_keymap", None)
    keymap: dict[str, str] = user_keymap.bindings if user_keymap is not None else {}
    sections = [(f"Here ({section_title(type(screen))})", here_rows(app, screen))]
    sections.append(("Everywhere", class_rows(app, type(app), keymap)))
    classes = [c for c in binding_classes() if not issubclass(c, App)]
    modes = [m for m in getattr(app, "MODES", {}).values() if isinstance(m, type)]
    classes.sort(key=lambda c: modes.index(c) if c in modes else len(modes))
    for cls in classes:
        sections.append((section_title(cls), class_rows(app, cls, keymap)))
    return [(title, rows) for title, rows in sections if rows]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "close", "Close", id="help.close")]

    def __init__(self, under: Screen | None = None) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        table.add_column(style="dim", no_wrap=True)
        under = self.under or self.app.screen
        for section, rows in binding_sections(self.app, under):
            table.add_row(Text(section, style="bold underline"), "", "")
            for keys, description, ident, enabled in rows:
                table.add_row(
                    Text(keys), Text(description, style="" if enabled else "dim"), Text(ident)
                )
            table.add_row("", "", "")
        with VerticalScroll(id="help", classes="dialog wide"):
            yield Static(Text("ctstui keys  (key · what it does · binding id)", style="bold"))
            yield Static(table)
            yield Static(Text(QUERY_HELP), classes="hint")
            yield Static(
                Text(
                    "ctrl+p opens the command palette (go to month, new activity, filter, "
                    "import, export .ics, review round, light/dark theme). Keys can be remapped "
                    'in ~/.config/ctstui/keymap.json: {"binding id": "keys"}, such as '
                    '{"app.new": "a"}.'
                ),
                classes="hint",
            )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#help").focus()

    def action_close(self) -> None:
        self.dismiss(None)
