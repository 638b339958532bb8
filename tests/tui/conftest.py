"""Fixtures for driving the app: a small plan built in code, a fixed today."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ctstui.domain.dates import DateSpec, PlanYear
from ctstui.domain.model import Activity, Kind, Rag, Status, Theme
from ctstui.store.activity_store import ActivityStore
from ctstui.tui.app import make_app

TODAY = date(2013, 11, 5)
PLAN_YEAR = PlanYear(2013)


def activity(title: str, when: str, status: Status = Status.PLANNED, **fields) -> Activity:
    return Activity(title=title, when=DateSpec.parse(when, PLAN_YEAR), status=status, **fields)


def build_plan(store: ActivityStore) -> dict[str, Activity]:
    rows = {
        "derby": activity(
            "Sport peer review Derby",
            "14/15 May",
            Status.COMPLETED,
            kind=Kind.PEER_REVIEW,
            theme=Theme.SPORT,
            place="Derby",
            days=2,
            leads=["SN"],
            audience="Individual council",
        ),
        "academy": activity(
            "Sport Academy",
            "12/13 November",
            Status.CONFIRMED,
            kind=Kind.ACADEMY,
            theme=Theme.SPORT,
            days=2,
            leads=["LC"],
            audience="Sport PHs",
            places=15,
            rag=Rag.GREEN,
        ),
        "seminar": activity(
            "Libraries seminar",
            "W/b 18 November",
            kind=Kind.SEMINAR,
            theme=Theme.LIBRARIES,
            days=1,
            leads=["LC"],
            audience="Library PHs",
            places=25,
        ),
        "als": activity(
            "Sport action learning set",
            "November",
            kind=Kind.ACTION_LEARNING_SET,
            theme=Theme.SPORT,
            days=1,
            leads=["SN"],
            audience="Sport PHs",
            places=5,
        ),
        "culture": activity(
            "Culture Academy",
            "October",
            Status.TBC,
            kind=Kind.ACADEMY,
            theme=Theme.CULTURE,
            days=2,
            leads=["SN"],
            audience="Culture PHs",
            places=15,
        ),
        "heritage": activity(
            "Heritage seminar",
            "10 or 11 July",
            kind=Kind.SEMINAR,
            theme=Theme.HERITAGE,
            days=1,
            leads=["LC"],
        ),
        "hostile": activity(
            "[link=http://x]click[/link] [@click=app.quit]x[/] [/",
            "21 November",
            leads=["JW"],
            days=1,
        ),
    }
    with store.transaction("fixture"):
        for key, item in rows.items():
            rows[key] = store.add(item)
    store.save()
    return rows


@pytest.fixture
def store(tmp_path):
    clock = lambda: datetime(2013, 11, 5, 9, 0, tzinfo=UTC)  # noqa: E731
    return ActivityStore(tmp_path / "plan.json", autosave=False, clock=clock, who="tester")


@pytest.fixture
def plan(store):
    return build_plan(store)


@pytest.fixture
def app(store, plan):
    return make_app(store, today=TODAY)


def notifications(app) -> list[str]:
    """The notifications on screen now (their toasts' text, title included)."""
    return [str(toast.render()) for toast in app.screen.query("Toast")]
