"""Both this planner and another program changed the same activity: theirs and mine.

Shown only for activities changed on both sides (the rest merge by themselves).
The answer is "mine" (write mine over theirs, after a confirmation), "theirs"
(take their version of these, keep my other changes) or None (decide later).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Static

from ctstui.domain.model import Activity
from ctstui.tui.look import plain


@dataclass
class Conflict:
    """One activity as this planner has it (mine) and as the file has it (theirs).

    None: deleted on that side.
    """

    activity_id: str
    mine: Activity | None
    theirs: Activity | None

    @property
    def title(self) -> str:
        either = self.mine or self.theirs
        return either.title if either else self.activity_id


def _value(value: object) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return "/".join(str(v) for v in value)
    return str(value)


def side_by_side(conflict: Conflict) -> Table:
    """Field | theirs | mine, for the fields that differ."""
    table = Table(box=None, padding=(0, 2), show_edge=False, expand=True)
    table.add_column("Field", style="bold", no_wrap=True)
    table.add_column("Theirs (in the file)", ratio=1, overflow="fold")
    table.add_column("Mine (not saved)", ratio=1, overflow="fold")
    mine, theirs = conflict.mine, conflict.theirs
    if mine is None or theirs is None:
        gone = Text("deleted", style="italic")
        table.add_row(
            "Activity",
            gone if theirs is None else plain("kept (and changed)"),
            gone if mine is None else plain("kept (and changed)"),
        )
        return table
    for name, (my_value, their_value) in mine.diff(theirs).items():
        table.add_row(name, plain(_value(their_value)), plain(_value(my_value)))
    if len(mine.reviews) != len(theirs.reviews) or mine.reviews != theirs.reviews:
        table.add_row(
            "RAG reviews",
            plain(f"{len(theirs.reviews)} review(s)"),
            plain(f"{len(mine.reviews)} review(s)"),
        )
    return table


class ConflictScreen(ModalScreen[str | None]):
    BINDINGS = [
        Binding("k", "choose('mine')", "Keep mine", id="conflict.mine"),
        Binding("t", "choose('theirs')", "Take theirs", id="conflict.theirs"),
        Binding("escape", "choose('')", "Decide later", id="conflict.later"),
    ]

    def __init__(self, conflicts: list[Conflict]) -> None:
        super().__init__()
        self.conflicts = conflicts

    def compose(self) -> ComposeResult:
        count = len(self.conflicts)
        with VerticalScroll(id="conflict", classes="dialog wide"):
            yield Static(
                plain(
                    f"Another program saved the plan and changed {count} activit"
                    f"{'y' if count == 1 else 'ies'} you changed too (not saved yet). "
                    "Your other changes merge by themselves.",
                ),
                classes="dialog-text",
            )
            for conflict in self.conflicts:
                yield Static(plain(conflict.title), classes="section")
                yield Static(side_by_side(conflict), classes="conflict-fields")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Keep mine (k)", variant="warning", id="mine")
                yield Button("Take theirs (t)", variant="primary", id="theirs")
                yield Button("Decide later (esc)", id="later")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#theirs", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_choose("" if event.button.id == "later" else str(event.button.id))

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice or None)
