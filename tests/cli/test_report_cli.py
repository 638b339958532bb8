"""``ctstui report`` end to end: a plan file in, each format out, errors on stderr."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from report.test_report import CONTRACTS, STATED_000, history_store, plan_2013, plan_2019

from ctstui.cli.main import main
from ctstui.store.activity_store import ActivityStore


@pytest.fixture
def plan_file(tmp_path):
    """Seed 000's plan and seed 004's activities and contracts, as an import leaves them."""
    path = tmp_path / "plan.json"
    store = ActivityStore(path, who="tester", clock=lambda: datetime(2013, 11, 4, 9, 0, tzinfo=UTC))
    with store.transaction("fixture"):
        for activity in [*plan_2013(), *plan_2019()]:
            store.add(activity)
        store.set_meta("plan_year", "2013/14")
        store.set_meta("stated_totals", STATED_000.to_dict())
    for contract in CONTRACTS:
        store.save_contract(contract)
    store.save()
    return path


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["report", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_text_report_for_the_current_plan_year(plan_file, capsys):
    code, out, _ = run(capsys, "--db", str(plan_file), "--today", "2013-11-05")
    assert code == 0
    assert out.startswith("Board report: plan year 2013/14 (1 Apr 2013 – 31 Mar 2014)")
    assert "38 scheduled + 3 optional = 41 days." in out
    assert "they agree." in out and "180 is not over 200" in out


def test_markdown_for_another_plan_year_shows_its_contracts(plan_file, capsys):
    code, out, _ = run(
        capsys,
        "--db", str(plan_file), "--today", "2020-01-20", "--plan-year", "2019/20",
        "--format", "markdown",
    )  # fmt: skip
    assert code == 0
    assert out.startswith("# Board report: plan year 2019/20")
    assert "## Arts Council England: 1 Apr 2019 – 31 Mar 2020 (72 days left)" in out
    assert "| Culture peer challenges | 3 | 0 | 2 | 1 | SHORT by 1 |" in out
    assert "| Library peer challenges | 7 | 1 | 6 | 0 | on track |" in out
    assert "## Sport England: 1 Apr 2020 – 31 Mar 2021 (starts in 72 days; 365 days long)" in out


def test_json_and_csv_with_a_query_and_a_window(plan_file, capsys):
    base = ("--db", str(plan_file), "--today", "2013-11-05", "--query", "theme:sport")
    code, out, _ = run(capsys, *base, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["query"] == "theme:sport"
    assert (data["total"]["activities"], data["total"]["days"]) == (15, 20)
    window = ("--from", "2013-11-01", "--to", "2013-11-30", "--format", "csv")
    code, out, _ = run(capsys, *base, *window)
    rows = list(csv.DictReader(io.StringIO(out)))
    # November's sport activities: the academy and three action learning sets.
    assert sorted(r["title"] for r in rows) == ["Sport Academy"] + ["Sport action learning set"] * 3


def test_since_on_a_store_with_a_known_history(tmp_path, capsys):
    history_store(tmp_path / "plan.json")
    code, out, _ = run(
        capsys,
        "--db", str(tmp_path / "plan.json"), "--today", "2013-11-05", "--since", "2013-10-01",
        "--format", "json",
    )  # fmt: skip
    assert code == 0
    since = json.loads(out)["since"]
    assert [t["title"] for t in since["took_place"]] == ["Culture Academy"]
    assert [(c["title"], c["new"]) for c in since["status_changes"]] == [
        ("Culture Academy", "completed"),
        ("Summer seminar", "cancelled"),
    ]
    assert [(c["title"], c["new"]) for c in since["rag_changes"]] == [("Sport Academy", "amber")]
    assert [n["title"] for n in since["new"]] == ["Tourism seminar"]
    assert [d["why"] for d in since["dropped"]] == ["cancelled", "not in 000.txt"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2013-09-01"), "--from and --to go together"),
        (("--from", "2013-09-01", "--to", "2013-08-01"), "is before --from"),
        (("--from", "1 Sept", "--to", "2013-10-01"), "--from '1 Sept'"),
        (("--plan-year", "2013"), "cannot understand the plan year"),
        (("--plan-year", "2013/14", "--from", "2013-09-01", "--to", "2013-10-01"), "not both"),
        (("--query", "status:nope"), "--query 'status:nope'"),
        (("--since", "last week"), "--since 'last week'"),
        (("--since", "2013-02-30"), "--since '2013-02-30': there is no such day"),
        # After today the section's range runs backwards: every list would be quietly empty.
        (("--since", "2099-01-01"), "--since 2099-01-01: 1 Jan 2099 is after today"),
    ],
)
def test_bad_options_exit_2_with_a_message(plan_file, capsys, args, message):
    code, out, err = run(capsys, "--db", str(plan_file), *args)
    assert code == 2 and out == ""
    assert message in err


def test_an_empty_plan_reports_zeros(tmp_path, capsys):
    code, out, _ = run(capsys, "--db", str(tmp_path / "new.json"), "--today", "2013-11-05")
    assert code == 0
    assert "0 scheduled + 0 optional = 0 days." in out
    assert not (tmp_path / "new.json").exists()  # reading never creates the plan


def test_default_year_is_the_latest_with_activities_when_todays_is_empty(plan_file, capsys):
    code, out, _ = run(capsys, "--db", str(plan_file), "--today", "2026-12-01")
    assert code == 0
    assert out.startswith("Board report: plan year 2020/21 (1 Apr 2020 – 31 Mar 2021)")
    assert (
        "Which year: plan year 2026/27 (holding today, 1 Dec 2026) has no activities; "
        "showing 2020/21, the latest plan year that has some." in out
    )
    # --plan-year as before, with no "which year" line.
    code, out, _ = run(capsys, "--db", str(plan_file), "--today", "2026-12-01", "--plan-year",
                       "2013/14")  # fmt: skip
    assert out.startswith("Board report: plan year 2013/14") and "Which year" not in out


# -- the Word board paper and -o -------------------------------------------------------------


def test_docx_board_paper_equals_the_json_report(plan_file, tmp_path, capsys):
    import docx

    base = ("--db", str(plan_file), "--today", "2020-01-20", "--plan-year", "2019/20")
    out_file = tmp_path / "report-2019-20.docx"
    code, out, err = run(capsys, *base, "--format", "docx", "-o", str(out_file))
    assert code == 0 and out == ""
    assert (
        f"wrote the docx report, plan year 2019/20 (1 Apr 2019 – 31 Mar 2020), to {out_file}" in err
    )
    document = docx.Document(str(out_file))
    _, json_out, _ = run(capsys, *base, "--format", "json")
    summary = json.loads(json_out)["summary"]["text"]
    assert summary in [p.text for p in document.paragraphs]
    assert len(document.inline_shapes) == 1
    assert not list(tmp_path.glob(".report-2019-20.docx.tmp*"))  # no temp file left


def test_docx_needs_an_output_file(plan_file, capsys):
    code, out, err = run(capsys, "--db", str(plan_file), "--format", "docx")
    assert code == 2 and out == ""
    assert "--format docx writes a Word file: give -o FILE" in err


def test_output_replaces_a_file_and_writes_through_links_and_pipes(plan_file, tmp_path, capsys):
    import os
    import threading

    base = ("--db", str(plan_file), "--today", "2013-11-05", "--format", "markdown")
    target = tmp_path / "report.md"
    target.write_text("old report\n")
    assert run(capsys, *base, "-o", str(target))[0] == 0
    assert target.read_text(encoding="utf-8").startswith("# Board report: plan year 2013/14")
    # A symbolic link stays a link; its target gets the report.
    real = tmp_path / "papers" / "board.md"
    real.parent.mkdir()
    real.write_text("old\n")
    link = tmp_path / "latest.md"
    link.symlink_to(real)
    assert run(capsys, *base, "-o", str(link))[0] == 0
    assert link.is_symlink() and real.read_text(encoding="utf-8").startswith("# Board report")
    # A FIFO is written through, not replaced by a file.
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    assert run(capsys, *base, "-o", str(fifo))[0] == 0
    reader.join(10)
    assert got and got[0].startswith(b"# Board report")
    assert fifo.is_fifo()
    # "-" is standard output.
    code, out, _ = run(capsys, *base, "-o", "-")
    assert code == 0 and out.startswith("# Board report")


def test_output_never_writes_over_the_plan_or_into_a_missing_folder(plan_file, tmp_path, capsys):
    before = plan_file.read_bytes()
    code, _, err = run(capsys, "--db", str(plan_file), "-o", str(plan_file))
    assert code == 2 and "that is the plan file" in err
    assert plan_file.read_bytes() == before
    code, _, err = run(capsys, "--db", str(plan_file), "-o", str(tmp_path / "nope" / "r.md"))
    assert code == 2 and "does not exist" in err
    code, _, err = run(capsys, "--db", str(plan_file), "-o", str(tmp_path))
    assert code == 2 and "is a folder" in err
