"""Re-imports: plan years kept apart, whole plan vs addendum, three-way merge, renames."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from ctstui.domain.model import Status
from ctstui.importing.importer import (
    apply_merge,
    format_report,
    import_report,
    merge_file,
    read_plan,
)
from ctstui.store.activity_store import ActivityStore

SEEDS = Path(__file__).resolve().parents[2] / "data" / "seeds"
LATER = "000_ebe94f5f5048f06a.txt"
EARLIER = "001_6b95ad6dee0cc536.txt"
HEAD = "Activity\tDate\tTarget audience\tLink to business plan\tLead officer"


def seed(name: str, year: str | None = None):
    return read_plan((SEEDS / name).read_text(encoding="utf-8"), name, year)


def store_at(tmp_path, day: str = "2013-11-05") -> ActivityStore:
    moment = datetime.fromisoformat(day + "T10:00:00").replace(tzinfo=UTC)
    return ActivityStore(tmp_path / "plan.json", who="test", clock=lambda: moment)


def do_import(store, parsed, **options):
    merge = merge_file(store.activities(), parsed, today=store.today(), **options)
    apply_merge(store, merge, f"import {parsed.source}", parsed=parsed)
    return merge


def table(*rows: str, title: str = "Addendum") -> str:
    return "\n".join([title, HEAD, *rows]) + "\n"


def by_title(store, title):
    return [a for a in store.activities() if a.title == title]


def test_another_years_plan_never_touches_this_years(tmp_path):
    store = store_at(tmp_path)
    do_import(store, seed(LATER))
    before = {a.id: a.to_dict() for a in store.activities()}
    next_year = read_plan(
        table(
            "Sport Academy (2 days)\t12/13 November\tSport PHs (15)\tgrowth\tSN",
            "Up to 2 more sport action learning sets\t\t\t\t",
            "TOTALS\t\t\t\t",
            "4 days of improvement activity\t\t\t\t",
            title="Improvement plan 2014/15",
        ),
        "next.txt",
    )
    merge = do_import(store, next_year)
    assert merge.whole and merge.missing == []  # 2013/14's activities are not "missing"
    assert len(merge.outside) == 28 and len(merge.added) == 3
    after = {a.id: a.to_dict() for a in store.activities()}
    assert all(after[i] == data for i, data in before.items())  # untouched, optional ones too
    totals = store.meta("stated_totals")
    assert totals[f"2013/14 {LATER}"]["days"] == 41  # this year's reconciliation is still there
    assert totals["2014/15 next.txt"]["days"] == 4


def test_an_activity_dated_outside_its_plan_year_is_not_added_again(tmp_path):
    store = store_at(tmp_path)
    text = table("Sport Academy (2 days)\t10/07/2026\tSport PHs (15)\tgrowth\tSN")
    for _ in range(3):
        do_import(store, read_plan(text, "odd.txt", "2013/14"))
    [academy] = store.activities()
    assert academy.plan_year == "2013/14" and "outside the plan year" in academy.date_problem


def test_a_small_table_is_an_addendum_that_flags_nothing(tmp_path):
    store = store_at(tmp_path)
    do_import(store, seed(LATER))
    addendum = read_plan(
        table(
            "Sport peer review Derby (2 days)\t14/15 May\tIndividual council\tgrowth\tSN",
            "Heritage walk (1 day)\t3 March\tHeritage PHs (10)\tgrowth\tLC",
        ),
        "addendum.txt",
        "2013/14",
    )
    merge = do_import(store, addendum)
    assert not merge.whole and merge.missing == [] and len(merge.added) == 1
    [derby] = [a for a in store.activities() if a.place == "Derby"]
    assert derby.status is Status.COMPLETED  # "14/15 May" alone does not undo "completed"
    assert not any("not in addendum.txt" in a.notes for a in store.activities())
    report = format_report([import_report(addendum, merge)])
    assert "read as an addendum to 2013/14" in report
    assert "status would move back from completed to planned" in report
    # --whole: the user says it is the whole plan
    whole = merge_file(store.activities(), addendum, whole=True, today=store.today())
    assert len(whole.missing) == 28 - 1


def test_three_way_merge_keeps_planner_edits_and_reports_conflicts(tmp_path):
    store = store_at(tmp_path)
    do_import(store, seed(EARLIER, "2013/14"))
    # in the planner: the Bournemouth review is confirmed for a day; Alumni Day moved
    [bournemouth] = [a for a in store.activities() if a.place == "Bournemouth"]
    store.update(bournemouth.copy(status=Status.CONFIRMED), action="edit")
    [alumni] = by_title(store, "Sport Alumni Day")
    edited_leads = alumni.copy(leads=["JW"])
    store.update(edited_leads, action="edit")
    changed = (SEEDS / EARLIER).read_text(encoding="utf-8")
    changed = changed.replace(
        "Libraries peer review Bournemouth (2 days)\tSeptember TBC",
        "Libraries peer review Bournemouth (2 days)\tOctober TBC",
    )  # changed only in the file: taken; its status (tbc) was changed in the planner: kept
    changed = changed.replace(
        "Sport Alumni Day (1 day)\tSeptember TBC\tGraduates from leadership academies\tgrowth\tSN",
        "Sport Alumni Day (1 day)\tSeptember TBC\tGraduates from leadership academies\tgrowth\tLC",
    )  # leads changed in both: a conflict
    parsed = read_plan(changed, "v2.txt", "2013/14")
    merge = do_import(store, parsed)
    [bournemouth] = [a for a in store.activities() if a.place == "Bournemouth"]
    assert bournemouth.when.text == "October" and bournemouth.status is Status.CONFIRMED
    [alumni] = by_title(store, "Sport Alumni Day")
    assert alumni.leads == ["JW"]  # the planner's value kept
    [(change, name, what)] = merge.conflicts
    assert (change.old.title, name, what["plan"], what["file"]) == (
        "Sport Alumni Day",
        "leads",
        ["JW"],
        ["LC"],
    )
    text = format_report([import_report(parsed, merge)])
    assert "CONFLICT: plan JW, file LC: changed in both the planner and the file" in text
    assert "the plan's value kept" in text
    # --theirs takes the file's
    merge = merge_file(store.activities(), parsed, theirs=True, today=store.today())
    change = next(c for c in merge.changed if c.old.title == "Sport Alumni Day")
    assert change.new.leads == ["LC"] and change.kept["leads"]["taken"] is True


def test_importing_an_older_version_says_so_and_moves_nothing_back(tmp_path):
    store = store_at(tmp_path)
    do_import(store, seed(EARLIER, "2013/14"))
    do_import(store, seed(LATER))
    completed = {a.id for a in store.activities() if a.status is Status.COMPLETED}
    assert len(completed) == 7
    merge = do_import(store, seed(EARLIER, "2013/14"))
    assert any("looks like an older version" in n for n in merge.notices)
    assert {a.id for a in store.activities() if a.status is Status.COMPLETED} == completed
    heritage = by_title(store, "Heritage seminar")[0]
    assert heritage.when.text == "10 July"  # not back to "10 or 11 July"


def test_a_small_change_of_title_is_a_rename(tmp_path):
    store = store_at(tmp_path)
    do_import(store, seed(LATER))
    text = (
        (SEEDS / LATER)
        .read_text(encoding="utf-8")
        .replace("Sport peer review Derby (2 days)", "Sport peer review - Derby (2 days)")
    )
    parsed = read_plan(text, LATER)
    merge = do_import(store, parsed)
    assert merge.added == [] and merge.missing == []
    [renamed] = [c for c in merge.changed if c.renamed]
    assert renamed.diff["title"] == ["Sport peer review Derby", "Sport peer review - Derby"]
    derby = [a for a in store.activities() if a.place == "Derby"]
    assert len(derby) == 1 and derby[0].status is Status.COMPLETED
    assert "renamed from 'Sport peer review Derby'" in format_report([import_report(parsed, merge)])


def test_the_whole_import_is_one_undo_step(tmp_path):
    store = store_at(tmp_path)
    do_import(store, seed(LATER))
    assert store.undo() == f"import {LATER}"
    assert len(store) == 0
    assert date(2013, 11, 5) == store.today()


def test_a_date_fixed_in_the_file_clears_its_flag(tmp_path):
    store = store_at(tmp_path)
    bad = table("Sport Academy (2 days)\tsometime\tSport PHs (15)\tgrowth\tSN")
    do_import(store, read_plan(bad, "plan.txt", "2013/14"))
    [academy] = store.activities()
    assert academy.date_problem == "date not understood: 'sometime'"
    good = bad.replace("sometime", "12/13 November")
    do_import(store, read_plan(good, "plan.txt", "2013/14"))
    [academy] = store.activities()
    assert academy.date_problem == "" and academy.when.start == date(2013, 11, 12)
