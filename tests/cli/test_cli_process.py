"""The ``ctstui`` command as a process: what it imports, and a reader that stops early."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ctstui.cli import COMMANDS
from ctstui.domain.model import Activity

HEAVY = (
    "ctstui.feed",
    "ctstui.importing",
    "ctstui.report",
    "ctstui.tui",
    "icalendar",
    "http.server",
    "textual",
    "openpyxl",
    "docx",
)


def _loaded_after(argv: list[str], env_db: str) -> set[str]:
    """The modules imported by running ``ctstui ARGV`` in a fresh interpreter."""
    script = (
        "import contextlib, io, json, sys\n"
        "from ctstui.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        f"        main({argv!r})\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={"CTSTUI_DB": env_db, "PATH": "/usr/bin:/bin"},
        timeout=60,
        check=True,
    )
    return set(json.loads(done.stdout))


def _heavy(modules: set[str]) -> set[str]:
    return {m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)}


def test_list_imports_no_server_no_icalendar_no_importer(tmp_path, store):
    store.add(Activity(title="Sport Academy"))
    loaded = _loaded_after(["list", "--format", "csv"], str(store.path))
    assert "ctstui.cli.list_cmd" in loaded  # (it did run)
    assert _heavy(loaded) == set()
    others = {f"ctstui.cli.{spec.module}" for spec in COMMANDS if spec.name != "list"}
    assert loaded & others == set()


# Commands whose module shares another's code (serve and publish take export-ics's --query option).
SHARED = {"serve": {"export_ics"}, "publish": {"export_ics"}}


@pytest.mark.parametrize("spec", COMMANDS, ids=lambda spec: spec.name)
def test_a_command_loads_only_its_own_module(tmp_path, spec):
    loaded = _loaded_after([spec.name, "--help"], str(tmp_path / "plan.json"))
    commands = {f"ctstui.cli.{s.module}" for s in COMMANDS}
    expected = {spec.module} | SHARED.get(spec.name, set())
    assert loaded & commands == {f"ctstui.cli.{m}" for m in expected}
    if spec.name in ("list", "add", "set", "rate", "done"):
        assert _heavy(loaded) == set()  # no server, icalendar, importer, report or planner


def test_top_level_help_loads_no_command(tmp_path):
    loaded = _loaded_after(["--help"], str(tmp_path / "plan.json"))
    assert loaded & {f"ctstui.cli.{s.module}" for s in COMMANDS} == set()
    assert _heavy(loaded) == set()


@pytest.fixture
def big_plan(store):
    """More CSV than a pipe buffers (64 KiB), so the writer meets the closed pipe."""
    with store.transaction("fixture"):
        for n in range(300):
            store.add(Activity(title=f"Activity {n}", notes="n" * 1000))
    return store.path


@pytest.mark.parametrize("fmt", ["csv", "json", "table"])
def test_a_reader_that_stops_early_gets_no_traceback(big_plan, fmt):
    process = subprocess.Popen(
        [sys.executable, "-m", "ctstui", "--db", str(big_plan), "list", "--format", fmt],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()  # what `| head -1` does once it has its line
    err = process.stderr.read()
    code = process.wait(timeout=60)
    assert first.strip()
    assert err == b""
    assert code == 0


def test_head_in_a_shell_pipeline(big_plan):
    done = subprocess.run(
        [
            "bash",
            "-o",
            "pipefail",
            "-c",
            f'"{sys.executable}" -m ctstui --db "{big_plan}" list --format csv | head -1',
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.startswith("id,title,")
    assert done.stdout.count("\n") == 1
    assert done.stderr == ""
    assert done.returncode == 0


def test_the_loaded_plan_is_frozen_out_of_the_collector_while_a_command_runs(store):
    import gc

    from ctstui.cli.context import Context

    store.add(Activity(title="Sport Academy"))
    ctx = Context(db=store.path)
    before = gc.get_freeze_count()
    ctx.open_store()
    assert gc.get_freeze_count() > before
    ctx.close()  # (main does this when the command ends)
    assert gc.get_freeze_count() == 0
