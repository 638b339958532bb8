"""One counting rule: the import's totals check and the report's reconciliation agree."""

from __future__ import annotations

from pathlib import Path

from ctstui.domain.dates import PlanYear
from ctstui.domain.model import Activity, StatedTotals, Status
from ctstui.domain.rules import audience_group, count_plan
from ctstui.importing.importer import read_file, read_plan
from ctstui.report.summary import reconcile

SEEDS = Path(__file__).resolve().parents[2] / "data" / "seeds"


def test_import_and_report_count_the_same_days_and_councillors():
    parsed = read_file(SEEDS / "000_ebe94f5f5048f06a.txt")
    check = parsed.check_totals()
    assert parsed.totals is not None
    rec = reconcile(parsed.totals, parsed.activities, PlanYear(2013))
    assert (check.scheduled_days, check.optional_days) == (rec.scheduled_days, rec.optional_days)
    assert check.councillor_places == rec.councillor_places == 180
    assert check.days_agree is rec.days_agree is True
    assert check.councillors_agree is rec.councillors_agree is False  # "over 200" vs 180


def test_the_rules_themselves():
    assert audience_group("Sport PHs (15)") == "councillors"
    assert audience_group("Culture and sport officer peers") == "officers"
    assert audience_group("Councillors and officers") == "mixed"  # not counted as councillors
    plan = [
        Activity("A", days=2, audience="Sport PHs", places=15),
        Activity("B", days=1, audience="Library PHs", places=5, optional=True),
        Activity("C", days=1, audience="PHs", places=5, optional=True, status=Status.COMPLETED),
        Activity("D", days=3, audience="PHs", places=50, status=Status.CANCELLED),
    ]
    count = count_plan(plan)
    assert (count.scheduled_days, count.optional_days) == (3, 1)  # completed counts as scheduled
    assert (count.councillor_places, count.optional_councillor_places) == (25, 5)


def test_the_stated_qualifier_is_read_the_same_way():
    text = "\n".join(
        [
            "Plan 2013/14",
            "Activity\tDate\tTarget audience\tLink to business plan\tLead officer",
            "Sport Academy (2 days)\t12/13 November\tSport PHs (15)\tgrowth\tSN",
            "TOTALS\t\t\t\t",
            "about 2 days\t\tat least 15 councillors\t\t",
        ]
    )
    parsed = read_plan(text, "t.txt")
    assert parsed.totals == StatedTotals(
        "t.txt", "2013/14", 2.0, 15, ["about 2 days", "at least 15 councillors"]
    )
    check = parsed.check_totals()
    rec = reconcile(parsed.totals, parsed.activities, PlanYear(2013))
    assert check.days_agree is rec.days_agree is True
    assert check.councillors_agree is rec.councillors_agree is True
