"""Shared fixtures: a plan file in a temp folder, a fixed clock, activities built in code.

Every test runs with its own HOME / XDG_DATA_HOME and without the CTSTUI_*
variables, so nothing can read or write the user's real plan.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from ctstui.domain.dates import DateSpec, Precision
from ctstui.domain.model import Activity
from ctstui.store.activity_store import ActivityStore

NOW = datetime(2013, 11, 5, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _isolated_user_data(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    for name in ("CTSTUI_DB", "CTSTUI_TODAY", "CTSTUI_USER"):
        monkeypatch.delenv(name, raising=False)


def _window(
    start: date | None,
    end: date | None = None,
    precision: Precision = Precision.DAYS,
    text: str | None = None,
) -> DateSpec:
    """A DateSpec built directly, without the parser."""
    if end is None and precision in (Precision.DAY, Precision.DAYS):
        end = start
    if text is None:
        text = "" if start is None and end is None else f"{start or ''}..{end or ''}"
    return DateSpec(text, start, end, precision)


@pytest.fixture
def make_activity() -> Callable[..., Activity]:
    """``make_activity("Title", date(2013, 5, 14), date(2013, 5, 15), status=...)``."""

    def make(
        title: str,
        start: date | None = None,
        end: date | None = None,
        precision: Precision | None = None,
        **fields,
    ) -> Activity:
        if precision is None:
            precision = Precision.NONE if start is None and end is None else Precision.DAYS
        when = fields.pop("when", None) or _window(start, end, precision)
        return Activity(title=title, when=when, **fields)

    return make


@pytest.fixture
def plan_path(tmp_path):
    """Where the plan file goes (not created)."""
    return tmp_path / "plan.json"


@pytest.fixture
def fixed_clock() -> Callable[[], datetime]:
    return lambda: NOW


@pytest.fixture
def store(plan_path, fixed_clock) -> ActivityStore:
    """An empty autosaving store on ``plan_path``, acting as user "tester"."""
    return ActivityStore(plan_path, who="tester", clock=fixed_clock)
