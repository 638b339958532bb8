"""The add/edit form: validated fields, the date resolved live as you type."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, Select, Static

from ctstui.domain.dates import PlanYear
from ctstui.domain.draft import FORM_FIELDS, form_values, read_draft
from ctstui.domain.model import Activity, Kind, Status, Theme
from ctstui.tui.dialogs.form_base import FormDialog
from ctstui.tui.dialogs.prompts import ConfirmScreen
from ctstui.tui.look import plain
from ctstui.tui.widgets.footer import PlanFooter

LABELS = {
    "title": "Title",
    "when": "Date",
    "status": "Status",
    "kind": "Kind",
    "theme": "Theme",
    "place": "Place",
    "days": "Days",
    "leads": "Lead(s)",
    "audience": "Audience",
    "places": "Places",
    "link": "Business plan",
    "programme": "Programme",
    "funder": "Funder",
    "notes": "Notes",
}
PLACEHOLDERS = {
    "title": "Libraries peer review Solihull",
    "when": "21 May, 14/15 May, W/b 18 November, Feb / March, Mid Feb…",
    "days": "2",
    "leads": "JW/LC",
    "audience": "Sport PHs (15)",
    "places": "15",
}
CHOICES = {"status": Status, "kind": Kind, "theme": Theme}


class ActivityForm(FormDialog[Activity | None]):
    """Returns the edited activity (not yet stored), or None when cancelled."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="form.save"),
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
    ]

    def __init__(self, activity: Activity | None, plan_year: PlanYear) -> None:
        super().__init__()
        self.base = activity
        self.plan_year = plan_year
        self.values = form_values(activity or Activity(title=""))

    def compose(self) -> ComposeResult:
        heading = "Edit activity" if self.base else "New activity"
        with VerticalScroll(id="form", classes="dialog wide"):
            yield Label(f"{heading}  (plan year {self.plan_year})", classes="dialog-title")
            for name in FORM_FIELDS:
                with Horizontal(classes="form-row"):
                    yield Label(LABELS[name], classes="form-label")
                    if name in CHOICES:
                        yield Select(
                            [(m.value, m.value) for m in CHOICES[name]],
                            value=self.values[name],
                            allow_blank=False,
                            compact=True,
                            id=f"field-{name}",
                        )
                    else:
                        yield Input(
                            value=self.values[name],
                            placeholder=PLACEHOLDERS.get(name, ""),
                            compact=True,
                            select_on_focus=False,  # a stray key must not wipe a field
                            id=f"field-{name}",
                        )
                yield Static("", id=f"error-{name}", classes="form-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")
        yield PlanFooter()

    def on_mount(self) -> None:
        self.query_one("#field-title", Input).focus()
        self.validate()

    def current_values(self) -> dict[str, str]:
        values = {}
        for name in FORM_FIELDS:
            widget = self.query_one(f"#field-{name}")
            value = widget.value  # type: ignore[attr-defined]
            values[name] = value if isinstance(value, str) else ""
        return values

    def validate(self):
        draft = read_draft(self.current_values(), self.base, self.plan_year)
        for name in FORM_FIELDS:
            message = self.query_one(f"#error-{name}", Static)
            error = draft.errors.get(name)
            if error:
                message.update(plain(f"⚠ {error}", "bold red"))
            elif name == "when" and draft.window:
                message.update(plain(f"→ {draft.window}", "green"))
            else:
                message.update("")
            message.display = bool(error) or (name == "when" and bool(draft.window))
        self.query_one("#save", Button).disabled = bool(draft.errors)
        if draft.status_from_date is not None:
            # "June TBC": the status the date says is the one saved; show it.
            status = self.query_one("#field-status", Select)
            if status.value != draft.status_from_date.value:
                status.value = draft.status_from_date.value
        return draft

    def on_select_changed(self, event: Select.Changed) -> None:
        self.validate()

    def action_save(self) -> None:
        draft = self.validate()
        if draft.activity is None:
            self.notify("Fix the marked fields first.", severity="warning")
            return
        self.dismiss(draft.activity)

    def action_cancel(self) -> None:
        """Escape always cancels; it asks first when typed text would be lost."""
        if self.current_values() == self.values:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        what = "the new activity" if self.base is None else "your changes"
        self.app.push_screen(
            ConfirmScreen(f"Discard {what}?", yes="Discard", no="Keep editing"), answered
        )
