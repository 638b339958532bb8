"""Tests for ``ctstui import``: the command line over ctstui.importing.importer."""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path

import pytest

from ctstui.cli import import_cmd
from ctstui.cli.context import Context
from ctstui.cli.main import main
from ctstui.store.activity_store import ActivityStore

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "import"
SHARED_SEEDS = REPO.parent / "shared" / "seeds"
LATER = "000_ebe94f5f5048f06a.txt"
EARLIER = "001_6b95ad6dee0cc536.txt"


def seed(name: str) -> Path:
    path = FIXTURES / name
    return path if path.exists() else SHARED_SEEDS / name


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "plan.json"


def ctstui(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_import_later_seed_prints_totals_beside_ours(capsys, db):
    code, out, err = ctstui(capsys, "import", str(seed(LATER)), "--db", str(db))
    assert code == 0, err
    assert err == ""
    assert (
        f"{LATER}: plan year 2013/14 (2013-04-01 to 2014-03-31); 28 activities read "
        "(3 optional), 0 rows reported" in out
    )
    assert "read as the whole plan for 2013/14: its title names the plan year 2013/14" in out
    assert "added 28   changed 0   missing 0   unchanged 0" in out
    assert "41 days of improvement activity for councils" in out
    assert "38 scheduled + 3 optional = 41  (agrees)" in out
    assert "over 200 councillors involved" in out
    store = ActivityStore(db)
    assert len(store) == 28
    assert store.meta("plan_year") == "2013/14"
    totals = store.meta("stated_totals")[f"2013/14 {LATER}"]
    assert totals["days"] == 41 and totals["councillors"] == 200 and totals["source"] == LATER


def test_earlier_seed_needs_a_plan_year(capsys, db):
    code, _, err = ctstui(capsys, "import", str(seed(EARLIER)), "--db", str(db))
    assert code == 2
    assert "no plan year" in err and "--plan-year 2013/14" in err and f"{EARLIER}:1" in err
    assert not db.exists()


def test_bad_plan_year_option(capsys, db):
    code, _, err = ctstui(capsys, "import", str(seed(LATER)), "--plan-year", "13", "--db", str(db))
    assert code == 2 and "--plan-year" in err


def test_reimport_earlier_then_later_reports_the_changes(capsys, db):
    code, _, err = ctstui(
        capsys, "import", str(seed(EARLIER)), "--plan-year", "2013/14", "--db", str(db)
    )
    assert code == 0, err
    ids = {a.id for a in ActivityStore(db).activities()}
    code, out, err = ctstui(
        capsys, "import", str(seed(LATER)), "--db", str(db), "--today", "2013-11-05"
    )
    assert code == 0, err
    assert "added 3   changed 12   missing 3   unchanged 13" in out
    for line in (
        "Sport peer review Derby · 14/15 May",
        "Libraries peer review Solihull · 23/24 May",
        "Libraries peer review Rochdale · 10/11 June",
    ):
        assert f"{line}" in out
    assert "status     confirmed -> completed" in out
    assert "15 July -> 12 September" in out
    assert "10 or 11 July -> 10 July" in out
    assert "W/b 2 December -> 4/5 December" in out
    assert "Mid Feb -> 11/12 February" in out
    assert f"Missing (3): no longer in {LATER}; kept, and flagged in their notes" in out
    assert "Unchanged (13)" in out
    store = ActivityStore(db)
    assert len(store) == 31
    assert ids <= {a.id for a in store.activities()}  # nothing duplicated, ids kept
    flagged = [a for a in store.activities() if a.notes]
    assert sorted(a.when.text for a in flagged if not a.optional) == [
        "7 June",
        "June / July",
        "June/ July",
    ]
    assert all(
        a.notes == f"not in {LATER} (imported 2013-11-05)" for a in flagged if not a.optional
    )


def test_json_report(capsys, db):
    ctstui(capsys, "import", str(seed(EARLIER)), "--plan-year", "2013/14", "--db", str(db))
    code, out, _ = ctstui(
        capsys, "import", str(seed(LATER)), "--db", str(db), "--format", "json", "--dry-run"
    )
    assert code == 0
    data = json.loads(out)
    assert data["dry_run"] is True
    [report] = data["files"]
    assert report["counts"] == {
        "added": 3,
        "changed": 12,
        "missing": 3,
        "unchanged": 13,
        "renamed": 0,
        "conflicts": 0,
    }
    assert report["rows"] == {
        "activities": 28,
        "optional": 3,
        "reported": 0,
        "imported_flagged": 0,
        "not_imported": 0,
        "date_not_understood": 0,
    }
    assert report["plan_year_window"] == ["2013-04-01", "2014-03-31"]
    derby = next(c for c in report["changed"] if c["title"] == "Sport peer review Derby")
    assert derby["changes"] == {"status": ["confirmed", "completed"]}
    seminar = next(c for c in report["changed"] if c["title"] == "Libraries seminar for new PHs")
    assert seminar["changes"] == {"when": ["15 July", "12 September"]}
    assert seminar["window"] == "Thu 12 Sep 2013"  # the resolved day, with its year
    assert (seminar["start"], seminar["plan_year"]) == ("2013-09-12", "2013/14")
    assert {m["when"] for m in report["missing"]} == {"7 June", "June/ July", "June / July"}
    assert all(m["note"].startswith(f"not in {LATER} (imported ") for m in report["missing"])
    assert len(report["unchanged"]) == 13
    counted = report["totals"]["counted"]
    assert (counted["scheduled_days"], counted["optional_days"], counted["total_days"]) == (
        38,
        3,
        41,
    )
    assert counted["days_agree"] is True
    assert report["totals"]["stated"]["days"] == 41


def test_dry_run_writes_nothing(capsys, db):
    code, out, _ = ctstui(capsys, "import", str(seed(LATER)), "--db", str(db), "--dry-run")
    assert code == 0
    assert "added 28" in out and "dry run: nothing was written" in out
    assert not db.exists()
    ctstui(capsys, "import", str(seed(EARLIER)), "--plan-year", "2013/14", "--db", str(db))
    before = db.read_bytes()
    code, out, _ = ctstui(capsys, "import", str(seed(LATER)), "--db", str(db), "--dry-run")
    assert code == 0 and "changed 12" in out
    assert db.read_bytes() == before


def test_reimporting_the_same_file_is_a_no_op(capsys, db):
    ctstui(capsys, "import", str(seed(LATER)), "--db", str(db))
    before = db.read_bytes()
    code, out, _ = ctstui(capsys, "import", str(seed(LATER)), "--db", str(db))
    assert code == 0 and "added 0   changed 0   missing 0   unchanged 28" in out
    assert db.read_bytes() == before


def damaged_copy(tmp_path: Path) -> tuple[Path, list[int]]:
    lines = seed(LATER).read_text(encoding="utf-8").split("\n")
    # line 7: cut short inside the date; line 12: date and audience swapped;
    # line 25: lead officer and link swapped
    lines[6] = lines[6][: lines[6].index("May") + 1]
    cells = lines[11].split("\t")
    cells[1], cells[2] = cells[2], cells[1]
    lines[11] = "\t".join(cells)
    cells = lines[24].split("\t")
    cells[3], cells[4] = cells[4], cells[3]
    lines[24] = "\t".join(cells)
    path = tmp_path / "damaged.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path, [7, 12, 25]


def test_strict_damaged_table_writes_nothing(capsys, db, tmp_path):
    path, bad = damaged_copy(tmp_path)
    code, out, err = ctstui(capsys, "import", str(path), "--db", str(db), "--strict")
    assert code == 2
    assert out == ""
    for line in bad:
        assert f"damaged.txt:{line}: " in err
    assert "date not understood: 'Hertiage and planning PHs (25)'" in err
    assert "--strict: nothing was imported" in err
    assert not db.exists()
    # and into an existing plan: the file is left as it was
    ctstui(capsys, "import", str(seed(EARLIER)), "--plan-year", "2013/14", "--db", str(db))
    before = db.read_bytes()
    code, _, _ = ctstui(capsys, "import", str(path), "--db", str(db), "--strict")
    assert code == 2 and db.read_bytes() == before


def test_damaged_table_without_strict_imports_the_rest(capsys, db, tmp_path):
    path, bad = damaged_copy(tmp_path)
    code, out, err = ctstui(capsys, "import", str(path), "--db", str(db))
    assert code == 0
    assert sorted({int(line.split(":")[1]) for line in err.splitlines()[:4]}) == bad
    # no row is lost: the damaged rows come in, flagged, and are reported
    assert "28 activities imported; 4 row(s) reported: 4 imported with a flag to check" in err
    assert "28 activities read (3 optional), 4 rows reported" in out
    store = ActivityStore(db)
    assert len(store) == 28
    heritage = next(a for a in store.activities() if a.title == "Heritage seminar")
    assert heritage.when.start is None and heritage.when.text == "Hertiage and planning PHs (25)"
    assert heritage.date_problem.startswith("date not understood")


def test_several_files_are_one_undo_step(tmp_path, monkeypatch):
    store = ActivityStore(tmp_path / "plan.json", who="test")
    out, err = io.StringIO(), io.StringIO()
    ctx = Context(db=tmp_path / "plan.json", out=out, err=err)
    monkeypatch.setattr(Context, "open_store", lambda self, autosave=True: store)
    args = argparse.Namespace(
        files=[str(seed(EARLIER)), str(seed(LATER))],
        plan_year="2013/14",
        dry_run=False,
        strict=False,
        format="text",
        whole=False,
        theirs=False,
    )
    assert import_cmd.run(args, ctx) == 0
    assert len(store) == 31
    assert "changed 12" in out.getvalue()
    assert store.undo() == f"import {EARLIER}, {LATER}"
    assert len(store) == 0 and not store.can_undo
    assert len(ActivityStore(tmp_path / "plan.json")) == 0


def test_csv_spreadsheet_export(capsys, db, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text(
        "Activity,Date,Target audience,Link to business plan,Lead officer\n"
        'Culture Academy (2 days),October TBC,"Culture PHs (15)",growth,SN\n'
        '"Visitor economy leadership seminar (1 day)",November,'
        '"Culture, tourism, planning and growth PHs",growth,JW/LC\n',
        encoding="utf-8",
    )
    code, _, err = ctstui(capsys, "import", str(path), "--db", str(db), "--plan-year", "2013/14")
    assert code == 0, err
    titles = sorted(a.title for a in ActivityStore(db).activities())
    assert titles == ["Culture Academy", "Visitor economy leadership seminar"]


def test_stdin(capsys, db, monkeypatch):
    text = seed(LATER).read_text(encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))
    code, out, err = ctstui(capsys, "import", "-", "--db", str(db))
    assert code == 0, err
    assert "<stdin>: plan year 2013/14" in out and len(ActivityStore(db)) == 28


def test_cp1252_text_is_read(capsys, db, tmp_path):
    path = tmp_path / "word.txt"
    text = "Plan 2013/14\nActivity\tDate\tLead officer\nCaf\u00e9 culture seminar\tMay\tJW\n"
    path.write_bytes(text.encode("cp1252"))
    code, _, err = ctstui(capsys, "import", str(path), "--db", str(db))
    assert code == 0, err
    assert ActivityStore(db).activities()[0].title == "Caf\u00e9 culture seminar"


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot read"), ("hello\nworld\n", "no table found")],
)
def test_unreadable_input(capsys, db, tmp_path, content, message):
    path = tmp_path / "in.txt"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    code, out, err = ctstui(capsys, "import", str(path), "--db", str(db))
    assert code == 2 and message in err and out == ""


def big_plan(rows: int) -> str:
    body = [
        f"Libraries peer review Town{i} (2 days)\t{1 + i % 28} May\tIndividual council\tgrowth\tJW"
        for i in range(rows)
    ]
    return "\n".join(["Plan 2013/14", "Activity\tDate\tTarget audience\tLink\tLead officer", *body])


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal_only(capsys, db, tmp_path, monkeypatch):
    path = tmp_path / "big.txt"
    path.write_text(big_plan(600), encoding="utf-8")
    code, out, err = ctstui(capsys, "import", str(path), "--db", str(db), "--dry-run")
    assert code == 0 and "%" not in err and "\r" not in err + out  # piped: no bar
    terminal, errors = Terminal(), Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    monkeypatch.setattr(sys, "stderr", errors)
    assert main(["import", str(path), "--db", str(db)]) == 0
    bar = errors.getvalue()
    assert "\rreading big.txt [" in bar and "100%" in bar and "\rimporting [" in bar
    assert bar.endswith("\n")
    assert "added 600" in terminal.getvalue()
    assert len(ActivityStore(db)) == 600


HEADER = "Activity\tDate\tTarget audience\tLink to business plan\tLead officer"


def test_strict_refuses_a_date_outside_the_plan_year(capsys, db, tmp_path):
    path = tmp_path / "odd.txt"
    path.write_text(f"{HEADER}\nSport Academy (2 days)\t10/07/2026\tSport PHs (15)\tgrowth\tSN\n")
    code, out, err = ctstui(
        capsys, "import", str(path), "--plan-year", "2013/14", "--db", str(db), "--strict"
    )
    assert code == 2 and out == ""
    assert "odd.txt:2: Sport Academy (2 days) | 10/07/2026" in err
    assert "outside the plan year 2013/14" in err and "--strict: nothing was imported" in err
    assert not db.exists()


def test_addendum_whole_and_theirs_options(capsys, db, tmp_path):
    assert ctstui(capsys, "import", str(seed(LATER)), "--db", str(db))[0] == 0
    path = tmp_path / "addendum.txt"
    path.write_text(
        f"{HEADER}\nSport Alumni Day (1 day)\tSeptember TBC\tGraduates from leadership "
        "academies\tgrowth\tLC\n",
        encoding="utf-8",
    )
    store = ActivityStore(db)
    [alumni] = [a for a in store.activities() if a.title == "Sport Alumni Day"]
    store.update(alumni.copy(leads=["JW"]), action="edit")
    code, out, err = ctstui(capsys, "import", str(path), "--plan-year", "2013/14", "--db", str(db))
    assert code == 0
    assert "read as an addendum to 2013/14" in out and "missing 0" in out
    assert "leads: CONFLICT: plan JW, file LC" in out
    assert "1 conflict(s) between the plan and the file (above): the plan's values were kept" in err
    assert [a.leads for a in ActivityStore(db).activities() if a.title == "Sport Alumni Day"] == [
        ["JW"]
    ]
    code, out, err = ctstui(
        capsys, "import", str(path), "--plan-year", "2013/14", "--db", str(db), "--theirs",
        "--whole",
    )  # fmt: skip
    assert code == 0 and "read as the whole plan for 2013/14: --whole was given" in out
    assert "missing 27" in out and "the file's values were taken (--theirs)" in err
    assert [a.leads for a in ActivityStore(db).activities() if a.title == "Sport Alumni Day"] == [
        ["LC"]
    ]


def test_import_a_word_table(capsys, db, tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("Improvement plan 2013/14")
    rows = [HEADER.split("\t"), ["Sport Academy (2 days)", "12/13 November", "Sport PHs (15)",
                                 "growth", "LC"]]  # fmt: skip
    table = document.add_table(rows=2, cols=5)
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    path = tmp_path / "plan.docx"
    document.save(str(path))
    code, out, err = ctstui(capsys, "import", str(path), "--db", str(db))
    assert code == 0, err
    assert "plan.docx: plan year 2013/14" in out and "added 1" in out
    assert "Tue 12 – Wed 13 Nov 2013" in out or "12–13 Nov 2013" in out
    [academy] = ActivityStore(db).activities()
    assert academy.title == "Sport Academy" and academy.source == "plan.docx"


def test_a_file_of_a_format_it_cannot_read(capsys, db, tmp_path):
    path = tmp_path / "plan.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    code, out, err = ctstui(capsys, "import", str(path), "--db", str(db))
    assert code == 2 and out == ""
    assert "plan.doc: cannot read it: it is an old Word/Excel (.doc/.xls) file" in err
    assert "Word (.docx), Excel (.xlsx) and PDF (.pdf)" in err
    assert not db.exists()
