"""A text report to read before something is applied (an import's dry run)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Static

from ctstui.tui.look import plain, plain_lines


class PreviewScreen(ModalScreen[bool]):
    """Shows ``report`` (untrusted text, never markup); True when the user applies it."""

    BINDINGS = [
        Binding("a", "answer(True)", "Apply", id="preview.apply"),
        Binding("escape", "answer(False)", "Cancel", id="preview.cancel"),
    ]

    def __init__(self, title: str, report: str, *, confirm: str = "Apply") -> None:
        super().__init__()
        self.heading = title
        self.report = report
        self.confirm = confirm

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="preview", classes="dialog wide"):
            yield Static(plain(self.heading, "bold"), classes="dialog-title")
            yield Static(plain_lines(self.report), id="preview-report")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.confirm} (a)", variant="primary", id="apply")
                yield Button("Cancel (esc)", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        # The report is read from its top; arrows scroll it (sideways too), a applies.
        self.query_one("#preview").focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "apply")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)
