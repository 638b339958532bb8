"""The benchmark runs end to end and reports every figure the bar reads.

Speeds are not checked (a loaded 2-core machine says nothing about them); what is
checked is that each figure is really measured on this tree, and that a measure
which cannot be taken is reported as "n/a (why)" instead of crashing the run.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench import REQUIRED_KEYS, Bench, Settings, print_table  # noqa: E402
from ptyrun import PtyProcess, visible_text  # noqa: E402


@pytest.mark.slow
def test_the_smoke_run_measures_every_figure(tmp_path):
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [
            *(sys.executable, str(HERE / "bench.py"), "--sizes", "200", "--quick"),
            *("--keys", "3", "--starts", "1", "--json", str(out)),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(out.read_text())["200"]
    not_measured = {
        key: figures.get(key, "missing")
        for key in REQUIRED_KEYS
        if not isinstance(figures.get(key), int | float)
    }
    # At 200 rows there is no 10k import; everything else is measured on this tree.
    assert not_measured == {"import_10k_s": "n/a (this size imports 200 rows)"}
    for key in REQUIRED_KEYS:
        value = figures[key]
        if isinstance(value, float):
            assert math.isfinite(value), key
    assert 0 < figures["empty_app_cold_start_s"] < 60
    assert figures["cold_start_ratio"] == pytest.approx(
        figures["cold_start_s"] / figures["empty_app_cold_start_s"]
    )
    assert figures["import_rows"] == 200
    assert figures["rss_mb"] > 20  # a Python process with Textual loaded
    assert figures["filter_keys"] >= 3 and figures["filter_keys_without_frame"] == 0
    assert figures["layouts_per_filter_key"] >= 0
    assert "filter key to frame, median" in result.stdout  # the table


def test_a_program_that_never_draws_the_plan_is_reported_not_a_crash(tmp_path):
    bench = Bench(tmp_path, Settings(quick=True, keys=3, starts=1))
    bench.ctstui = [sys.executable, "-c", "print('no plan here')"]
    plan = tmp_path / "plan.json"
    plan.write_text("{}")
    figures: dict = {}
    bench.measure_cold_start(plan, 0, figures)
    assert figures["cold_start_s"].startswith("n/a (RuntimeError: 'Kestrel' not drawn")
    assert "no plan here" in figures["cold_start_s"]
    assert figures["cold_start_ratio"] == figures["cold_start_s"]
    bench.measure_cli_query(plan, figures)
    assert figures["cli_month_query_s"].startswith("n/a (")

    figures["machine"] = "test"
    figures["load_avg_before"] = "0"
    lines = []
    print_table({200: figures}, out=type("Out", (), {"write": lines.append})())
    table = "".join(lines)
    assert "cold start / empty app (real terminal)" in table
    assert "200 cold_start_s: n/a (RuntimeError" in table


def test_text_split_by_colour_codes_is_found_on_the_terminal():
    program = (
        "import sys, time; sys.stdout.write('\\x1b[2J\\x1b[1;1HKes\\x1b[1;31mtrel\\x1b[0m'); "
        "sys.stdout.flush(); time.sleep(30)"
    )
    with PtyProcess([sys.executable, "-c", program], size=(40, 5)) as run:
        seconds = run.wait_for_text("Kestrel", 20)
        assert seconds is not None and seconds > 0
        assert run.peak_rss_mb() is not None
    # colours join, a link and a cursor move separate
    raw = b"Kes\x1b[38;2;1;2;3mtrel\x1b]8;;http://x\x1b\\link\x1b[3;4Hmoved"
    assert visible_text(raw).split() == ["Kestrel", "link", "moved"]
