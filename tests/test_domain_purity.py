"""The domain never imports the UI: each domain module loads without Textual."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import textwrap

import pytest

REQUIRED = [
    "ctstui.domain.model",
    "ctstui.domain.dates",
    "ctstui.domain.query",
    "ctstui.store.activity_store",
    "ctstui.domain.text",
]
IF_PRESENT = [
    "ctstui.importing.importer",
    "ctstui.feed.ical",
    "ctstui.report.summary",
    # also documented as plain Python (no Textual):
    "ctstui.domain.board",
    "ctstui.domain.planview",
    "ctstui.domain.draft",
    "tools.build_sample",
    "ctstui.feed.server",
]

PROBE = textwrap.dedent(
    """
    import importlib, json, sys
    importlib.import_module(sys.argv[1])
    ui = sorted(
        m for m in sys.modules
        if m == "textual" or m.startswith(("textual.", "ctstui.tui"))
    )
    print(json.dumps(ui))
    """
)


def ui_modules_loaded_by(module: str) -> list[str]:
    """Import ``module`` alone in a fresh interpreter; the UI modules it pulled in."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, module],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, f"importing {module} failed:\n{done.stderr}"
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("module", REQUIRED)
def test_domain_module_does_not_import_the_ui(module):
    assert ui_modules_loaded_by(module) == []


@pytest.mark.parametrize("module", IF_PRESENT)
def test_optional_domain_module_does_not_import_the_ui(module):
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} does not exist yet")
    assert ui_modules_loaded_by(module) == []


def test_all_domain_modules_together_do_not_import_textual():
    present = REQUIRED + [m for m in IF_PRESENT if importlib.util.find_spec(m) is not None]
    code = "import importlib, sys\n" + "".join(f"importlib.import_module({m!r})\n" for m in present)
    code += "assert 'textual' not in sys.modules, sorted(sys.modules)\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
