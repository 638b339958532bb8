"""The funder contract form: funder, period, targets (one per line), notes.

The fields are checked by :func:`ctstui.report.contracts.read_form` as you
type, with the same rules and messages as ``ctstui contract``.  ctrl+s saves,
Escape cancels (nothing is changed).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Input, Label, Static, TextArea

from ctstui.domain.model import FunderContract
from ctstui.report.contracts import FORM_FIELDS, FORM_LABELS, form_values, read_form
from ctstui.tui.dialogs.form_base import FormDialog
from ctstui.tui.look import plain

PLACEHOLDERS = {"funder": "Arts Council England", "from": "2019-04-01", "to": "2020-03-31"}
TARGETS_HINT = (
    "One target a line: [LABEL =] COUNT QUERY, e.g. "
    'Library peer challenges = 7 kind:"peer challenge" theme:libraries'
)


class ContractForm(FormDialog[FunderContract | None]):
    """Returns the checked contract (not yet stored), or None when cancelled."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="contract_form.save"),
        Binding("escape", "cancel", "Cancel", id="contract_form.cancel"),
    ]

    DEFAULT_CSS = """
    ContractForm #field-targets { height: 6; width: 1fr; background: $boost; }
    """

    def __init__(self, contract: FunderContract | None) -> None:
        super().__init__()
        self.base = contract
        self.values = form_values(contract)

    def compose(self) -> ComposeResult:
        heading = "Edit funder contract" if self.base else "New funder contract"
        with VerticalScroll(id="contract-form", classes="dialog wide"):
            yield Label(heading, classes="dialog-title")
            for name in FORM_FIELDS:
                with Horizontal(classes="form-row"):
                    yield Label(FORM_LABELS[name], classes="form-label")
                    if name == "targets":
                        yield TextArea(self.values[name], id="field-targets", soft_wrap=False)
                    else:
                        yield Input(
                            value=self.values[name],
                            placeholder=PLACEHOLDERS.get(name, ""),
                            compact=True,
                            select_on_focus=False,
                            id=f"field-{name}",
                        )
                if name == "targets":
                    yield Static(plain(TARGETS_HINT), classes="form-error hint")
                yield Static("", id=f"error-{name}", classes="form-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#field-funder", Input).focus()
        self.validate()

    def current_values(self) -> dict[str, str]:
        values = {}
        for name in FORM_FIELDS:
            if name == "targets":
                values[name] = self.query_one("#field-targets", TextArea).text
            else:
                values[name] = self.query_one(f"#field-{name}", Input).value
        return values

    def validate(self) -> FunderContract | None:
        contract, errors = read_form(
            self.current_values(), self.base.id if self.base is not None else None
        )
        for name in FORM_FIELDS:
            message = self.query_one(f"#error-{name}", Static)
            error = errors.get(name)
            message.update(plain(f"⚠ {error}", "bold red") if error else "")
            message.display = bool(error)
        self.query_one("#save", Button).disabled = contract is None
        return contract

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self.validate()

    def action_save(self) -> None:
        contract = self.validate()
        if contract is None:
            self.notify("Fix the marked fields first.", severity="warning")
            return
        self.dismiss(contract)

    def action_cancel(self) -> None:
        self.dismiss(None)
