"""What every form dialog does the same way: check as you type, Enter moves on, the
Save and Cancel buttons run the form's ctrl+s and Escape."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from textual.screen import ModalScreen
from textual.widgets import Button, Input

Result = TypeVar("Result")


class FormDialog(ModalScreen[Result], Generic[Result]):
    """A form: subclasses give ``validate``, ``action_save`` and ``action_cancel``."""

    def validate(self) -> Any:
        raise NotImplementedError

    def action_save(self) -> None:
        raise NotImplementedError

    def action_cancel(self) -> None:
        raise NotImplementedError

    def on_input_changed(self, event: Input.Changed) -> None:
        self.validate()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        # Enter moves on to the next field, as in a paper form; ctrl+s saves.
        self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()
