"""The five seed papers: each imports as a golden file records, verbatim.

The golden files (tests/importing/golden/*.json) were written by this test with
CTSTUI_UPDATE_GOLDEN=1 and then read through by hand; the assertions below pin
the facts a reader of each paper would check first.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from ctstui.domain.model import Status
from ctstui.importing.importer import ParsedPlan, read_file

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "data" / "seeds"
GOLDEN = Path(__file__).resolve().parent / "golden"

# (document, plan year to give when its title names none)
CASES = {
    "000": ("000_ebe94f5f5048f06a.txt", None),
    "001": ("001_6b95ad6dee0cc536.txt", "2013/14"),
    "002": ("002_94f3107632c8630d.txt", None),
    "003": ("003_58eb9bdd8435fbd9.txt", "2011/12"),
    "004": ("004_events.tsv", None),
}


def read(key: str) -> ParsedPlan:
    name, year = CASES[key]
    return read_file(SEEDS / name, year)


def summary(parsed: ParsedPlan) -> dict:
    fields = (
        "title", "kind", "theme", "place", "days", "status", "optional", "audience", "places",
        "leads", "link", "priority", "programme", "detail", "outcomes", "targets", "progress",
        "funder", "plan_year", "date_problem", "notes",
    )  # fmt: skip
    return {
        "plan_year": str(parsed.plan_year),
        "format": parsed.format,
        "whole_reason": parsed.whole_reason,
        "totals": parsed.totals.to_dict() if parsed.totals else None,
        "problems": [[p.line, p.reason, p.imported] for p in parsed.problems],
        "rows": [
            {
                "line": row.line,
                "when": row.activity.when.text,
                "window": row.activity.when.describe(),
                **{name: row.activity.field_value(name) for name in fields},
                "reviews": [r.to_dict() for r in row.activity.reviews],
            }
            for row in parsed.rows
        ],
    }


@pytest.mark.parametrize("key", sorted(CASES))
def test_seed_matches_its_golden_file(key):
    got = summary(read(key))
    path = GOLDEN / f"{key}.json"
    if os.environ.get("CTSTUI_UPDATE_GOLDEN"):
        path.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert got == json.loads(path.read_text(encoding="utf-8"))


def test_seed_000_the_later_2013_14_plan():
    parsed = read("000")
    assert len(parsed.rows) == 28 and parsed.problems == []
    check = parsed.check_totals()
    assert check.total_days == 41 and check.days_agree is True
    assert sum(a.status is Status.COMPLETED for a in parsed.activities) == 7


def test_seed_001_wrapped_cells_and_no_title():
    parsed = read("001")
    assert len(parsed.rows) == 28 and parsed.problems == []
    visitor = next(a for a in parsed.activities if a.title.startswith("Visitor economy"))
    assert visitor.days == 1 and visitor.audience == "Culture, tourism, planning and growth PHs"


def test_seed_002_work_programme_hierarchy_verbatim():
    parsed = read("002")
    assert str(parsed.plan_year) == "2011/12" and len(parsed.rows) == 13
    assert parsed.problems == []
    first = parsed.activities[0]
    assert first.priority == (
        "Culture First Priority 1: Provide support and advice on improvement and efficiency"
    )
    assert first.programme == (
        "Programme 1.1: Support organisations embarking on shared service/collaborative working"
    )
    assert first.title == "Offer support for shared service /collaborative initiatives"
    assert first.targets.splitlines()[0] == (
        "HACO audit of local government culture and sport delivery – April 11"
    )
    assert first.leads == ["Improvement East", "Shared Service Architects", "Culture First team"]
    assert first.progress.startswith("3 Improvement Managers have undertaken Shared Service")
    programmes = {a.programme for a in parsed.activities}
    assert "Programme 3.2: Support portfolio holders for culture and sport" in programmes
    last = parsed.activities[-1]
    assert last.priority.startswith("Culture First Improvement Priority 4")
    assert last.programme == ""  # priority 4 names no programme
    assert all(a.reviews == [] for a in parsed.activities)  # the seed holds no ratings


def test_seed_003_programme_plan_outputs_and_timescales():
    parsed = read("003")
    assert len(parsed.rows) == 21
    knowledge_hub = next(a for a in parsed.activities if a.programme == "Knowledge Hub")
    assert knowledge_hub.when.start == date(2011, 9, 1)
    assert knowledge_hub.priority.startswith("Councils are more locally accountable")
    summits = next(a for a in parsed.activities if a.title == "Two Future summits")
    assert summits.when.end == date(2011, 7, 31)  # "By July 2011"
    assert summits.priority == (
        "Councils are more productive and the Group's Local Productivity programme helps "
        "Council achieve savings and brings councils together to share innovation and learn "
        "from each other."
    )
    assert (
        summits.programme
        == "Three areas of focus: – Children, Adults & Families – Future Ways of Working"
    )
    creative = [a for a in parsed.activities if a.programme.startswith("Creative Councils")]
    assert {a.programme for a in creative} == {"Creative Councils programme (part NESTA-funded)"}
    # timescales that are not dates come in undated, flagged, never dropped
    flagged = [a for a in parsed.activities if a.date_problem]
    assert len(flagged) == 7
    assert all(a.reviews == [] for a in parsed.activities)  # the review columns are empty


def test_a_rating_in_a_review_column_becomes_a_dated_review():
    header = (
        "Project\tProject outputs\tTimescales\tOct 2011 review red Amber green)\t"
        "March 2011 review Red amber green\tComments on progress"
    )
    text = "\n".join([header, "Knowledge Hub\tLaunch\tSept 2011\tAmber\tGreen\tlaunch slipped"])
    from ctstui.importing.importer import read_plan

    parsed = read_plan(text, "plan.txt", "2011/12")
    [hub] = parsed.activities
    assert [(r.on, r.rating.value, r.reason) for r in hub.reviews] == [
        (date(2011, 3, 1), "green", "launch slipped"),
        (date(2011, 10, 1), "amber", "launch slipped"),
    ]
    assert hub.rag.value == "amber"


def test_seed_004_board_paper_events():
    parsed = read("004")
    assert str(parsed.plan_year) == "2019/20" and len(parsed.rows) == 18
    assert parsed.problems == []
    challenges = [a for a in parsed.activities if a.kind.value == "peer challenge"]
    assert len(challenges) == 10  # 3 culture + 7 library, as commissioned
    kingston = challenges[0]
    assert (kingston.when.start, kingston.status) == (date(2020, 1, 14), Status.COMPLETED)


def test_a_review_added_to_the_file_later_is_added_on_re_import():
    from ctstui.importing.importer import merge_file, read_plan

    header = "Project\tProject outputs\tTimescales\tOct 2011 review\tComments on progress"
    first = read_plan(f"{header}\nKnowledge Hub\tLaunch\tSept 2011\t\t", "p.txt", "2011/12")
    later = read_plan(
        f"{header}\nKnowledge Hub\tLaunch\tSept 2011\tRed\tslipped", "p.txt", "2011/12"
    )
    merge = merge_file(first.activities, later)
    [change] = merge.changed
    assert [r.rating.value for r in change.new.reviews] == ["red"]
    assert change.diff["rag"] == ["unrated", "red"]
