"""Funder contracts as data the user types: reading targets, checking a contract.

One definition of what a well-formed contract is, shared by ``ctstui contract``
and the Report screen's form.  A target is written ``[LABEL =] COUNT QUERY``:

    Library peer challenges = 7 kind:"peer challenge" theme:libraries
    3 kind:"deep dive"                       (the label is then the query)

An activity counts for a contract when it is linked to it (its ``funder``
names the contract's funder or gives its id; see
:func:`ctstui.report.summary.linked`).
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Sequence
from datetime import date

from ctstui.domain.model import FunderContract, Target
from ctstui.domain.query import Query, QueryError
from ctstui.domain.text import quoted

MAX_TARGET = 10_000
TARGET_EXAMPLE = "'Library peer challenges = 7 kind:\"peer challenge\" theme:libraries'"

_TARGET = re.compile(r"^\s*(?:(?P<label>[^=\"]+?)\s*=\s*)?(?P<count>\S+)(?:\s+(?P<query>.*))?$")


class ContractError(ValueError):
    """Bad contract input: ``field`` (as the user knows it) and what was expected."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def parse_target(text: str, field: str = "--target") -> Target:
    """``[LABEL =] COUNT QUERY`` as a :class:`Target` (ContractError if not)."""
    found = _TARGET.match(text) if text.strip() else None
    shown = quoted(text)
    if found is None:
        raise ContractError(
            field, f"{shown}: expected [LABEL =] COUNT QUERY, e.g. {TARGET_EXAMPLE}"
        )
    count_text = found.group("count")
    if not count_text.isdigit() or not 0 < int(count_text) <= MAX_TARGET:
        raise ContractError(
            field,
            f"{shown}: the number of activities commissioned should be a whole number from 1 "
            f"to {MAX_TARGET}, found {quoted(count_text)} (e.g. {TARGET_EXAMPLE})",
        )
    query_text = (found.group("query") or "").strip()
    if not query_text:
        raise ContractError(
            field,
            f"{shown}: expected a query after the number saying which activities count, "
            f"e.g. {TARGET_EXAMPLE}",
        )
    try:
        query = Query.parse(query_text)
    except QueryError as exc:
        raise ContractError(field, f"{shown}: the query {quoted(query_text)}: {exc}")
    label = (found.group("label") or "").strip() or query.text or query_text
    return Target(label=label, query=query_text, count=int(count_text))


def format_target(target: Target) -> str:
    """A target as :func:`parse_target` reads it back."""
    if target.label == target.query:
        return f"{target.count} {target.query}"
    # A label cannot hold '=' or '"' in this form: shown with '-' and "'" instead.
    label = target.label.replace("=", "-").replace('"', "'")
    return f"{label} = {target.count} {target.query}"


def parse_date(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ContractError(field, f"{quoted(text)}: expected a date such as 2019-04-01")


def check_contract(
    *,
    funder: str,
    start: date,
    end: date,
    targets: Sequence[Target],
    notes: str = "",
    contract_id: str | None = None,
    fields: dict[str, str] | None = None,
) -> FunderContract:
    """A contract from checked fields; ``fields`` names them as the user knows them."""
    names = {"funder": "--funder", "from": "--from", "to": "--to", "target": "--target"}
    names.update(fields or {})
    # A no-break or other space (common in text pasted from Word) is a space: the
    # funder must match activities' plain "Arts Council England".
    funder = "".join(" " if unicodedata.category(ch) == "Zs" else ch for ch in funder).strip()
    if not funder:
        raise ContractError(names["funder"], "expected the funder's name, e.g. 'Sport England'")
    if any(ch in funder for ch in "\r\n\t\x00") or not funder.isprintable():
        raise ContractError(
            names["funder"],
            f"{quoted(funder)}: expected one line of plain text (no control or text-direction "
            "characters)",
        )
    if end < start:
        raise ContractError(names["to"], f"the period ends ({end}) before it starts ({start})")
    labels = [t.label.casefold() for t in targets]
    for t in targets:
        if labels.count(t.label.casefold()) > 1:
            raise ContractError(names["target"], f"two targets are both called {quoted(t.label)}")
    return FunderContract(
        funder=funder,
        start=start,
        end=end,
        targets=list(targets),
        notes=notes.strip(),
        id=contract_id or str(uuid.uuid4()),
    )


def find_contract(contracts: Sequence[FunderContract], key: str) -> FunderContract:
    """The contract whose id (or a unique start of it) or funder name is ``key``."""
    key = key.strip()
    folded = key.casefold()
    for matches in (
        [c for c in contracts if c.id == key],
        [c for c in contracts if c.id.startswith(key)] if key else [],
        [c for c in contracts if c.funder.casefold() == folded],
    ):
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            listed = "; ".join(f"{c.id[:8]} ({c.funder}, {c.start}..{c.end})" for c in matches)
            raise ContractError(
                "CONTRACT", f"{quoted(key)} matches {len(matches)} contracts: {listed}; give its id"
            )
    known = ", ".join(f"{c.id[:8]} ({c.funder})" for c in contracts) or "none yet"
    raise ContractError("CONTRACT", f"no contract {quoted(key)}; the plan's contracts: {known}")


def overlapping(
    contract: FunderContract, contracts: Sequence[FunderContract]
) -> list[FunderContract]:
    """The funder's other contracts whose periods overlap this one's."""
    return [
        c
        for c in contracts
        if c.id != contract.id
        and c.funder.casefold() == contract.funder.casefold()
        and c.start <= contract.end
        and contract.start <= c.end
    ]


FORM_FIELDS = ("funder", "from", "to", "targets", "notes")
FORM_LABELS = {
    "funder": "Funder",
    "from": "From",
    "to": "To",
    "targets": "Targets",
    "notes": "Notes",
}


def form_values(contract: FunderContract | None) -> dict[str, str]:
    """A contract as the form's text fields (targets one per line)."""
    if contract is None:
        return dict.fromkeys(FORM_FIELDS, "")
    return {
        "funder": contract.funder,
        "from": contract.start.isoformat(),
        "to": contract.end.isoformat(),
        "targets": "\n".join(format_target(t) for t in contract.targets),
        "notes": contract.notes,
    }


def read_form(
    values: dict[str, str], contract_id: str | None = None
) -> tuple[FunderContract | None, dict[str, str]]:
    """(the contract, {}) from the form's fields, or (None, {field: what was expected})."""
    errors: dict[str, str] = {}
    dates: dict[str, date] = {}
    for name in ("from", "to"):
        try:
            dates[name] = parse_date(values.get(name, ""), FORM_LABELS[name])
        except ContractError as exc:
            errors[name] = str(exc)
    targets = []
    for number, line in enumerate(values.get("targets", "").splitlines(), 1):
        if not line.strip():
            continue
        try:
            targets.append(parse_target(line, f"Targets, line {number}"))
        except ContractError as exc:
            errors.setdefault("targets", str(exc))
    if errors:
        if not values.get("funder", "").strip():
            errors["funder"] = "Funder: expected the funder's name, e.g. 'Sport England'"
        return None, errors
    try:
        contract = check_contract(
            funder=values.get("funder", ""),
            start=dates["from"],
            end=dates["to"],
            targets=targets,
            notes=values.get("notes", ""),
            contract_id=contract_id,
            fields={"funder": "Funder", "from": "From", "to": "To", "target": "Targets"},
        )
    except ContractError as exc:
        field = {"Funder": "funder", "From": "from", "To": "to"}.get(exc.field, "targets")
        return None, {field: str(exc)}
    return contract, {}
