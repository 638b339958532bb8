"""Small modal screens: confirm, one-line prompt, and the list of a day's activities."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ctstui.domain.model import Activity
from ctstui.tui.look import activity_label, plain, plain_lines, safe
from ctstui.tui.widgets.footer import PlanFooter


class ConfirmScreen(ModalScreen[bool]):
    """Yes/No.  Enter or y confirms, Escape or n declines."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str, *, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question = question
        self.labels = (yes, no)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(plain_lines(self.question), classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.labels[0], variant="primary", id="yes")
                yield Button(self.labels[1], id="no")
        yield PlanFooter()

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class PromptScreen(ModalScreen[str | None]):
    """A one-line prompt.  Enter accepts; Escape gives None (the caller decides)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(
        self,
        question: str,
        *,
        value: str = "",
        placeholder: str = "",
        check: Callable[[str], str | None] | None = None,
        hint: Callable[[str], str] | None = None,
    ) -> None:
        super().__init__()
        self.question = question
        self.value = value
        self.placeholder = placeholder
        self.check = check  # returns an error message, or None when the text is fine
        self.hint = hint  # live reading of the text (e.g. the resolved date window)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(plain_lines(self.question), classes="dialog-text")
            yield Input(value=self.value, placeholder=self.placeholder, id="prompt-input")
            yield Static("", id="prompt-hint", classes="hint")
        yield PlanFooter()

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._update_hint(self.value)

    def on_input_changed(self, event: Input.Changed) -> None:
        self._update_hint(event.value)

    def _update_hint(self, value: str) -> None:
        hint = self.query_one("#prompt-hint", Static)
        error = self.check(value) if self.check and value else None
        if error:
            hint.update(plain(error, "bold red"))
        elif self.hint and value:
            hint.update(plain(self.hint(value)))
        else:
            hint.update("")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if self.check:
            error = self.check(event.value)
            if error:
                self.query_one("#prompt-hint", Static).update(plain(error, "bold red"))
                return
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChooseActivityScreen(ModalScreen[str | None]):
    """A list of activities (a day's, say); Enter gives the chosen id."""

    BINDINGS = [Binding("escape", "cancel", "Close", id="choose.close")]

    def __init__(self, heading: str, activities: list[Activity], *, today) -> None:
        super().__init__()
        self.heading = heading
        self.activities = activities
        self.today = today

    def compose(self) -> ComposeResult:
        from ctstui.domain.model import schedule_risk

        with Vertical(classes="dialog wide"):
            yield Label(plain(self.heading), classes="dialog-title")
            if not self.activities:
                yield Static("Nothing planned on this day.", classes="hint")
            options = [
                Option(
                    Text.assemble(
                        activity_label(a, at_risk=schedule_risk(a, self.today) is not None),
                        ("  " + safe(a.when.text), "dim"),
                    ),
                    id=a.id,
                )
                for a in self.activities
            ]
            yield OptionList(*options, id="choose-list")
        yield PlanFooter()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
