"""The layers hold: import-linter's contracts in pyproject.toml (faces -> services -> store ->
domain; nothing below the faces imports textual or rich) are part of the test command."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def lint_imports() -> str:
    found = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if found is None:
        found = shutil.which("lint-imports")
    if found is None:
        pytest.fail("lint-imports is not installed: pip install -e '.[test]'")
    return found


def test_every_import_linter_contract_is_kept() -> None:
    done = subprocess.run(
        [lint_imports(), "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "broken" not in done.stdout.lower().replace("0 broken", "")


def test_a_domain_module_that_imported_textual_would_break_a_contract(tmp_path) -> None:
    """The contract is live: a copy of the package with one bad import fails it."""
    copy = tmp_path / "repo"
    shutil.copytree(REPO / "ctstui", copy / "ctstui", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", copy / "pyproject.toml")
    model = copy / "ctstui" / "domain" / "model.py"
    model.write_text(model.read_text(encoding="utf-8") + "\nimport textual  # noqa\n")
    done = subprocess.run(
        [lint_imports(), "--no-cache"],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(copy), "PATH": str(Path(sys.executable).parent)},
    )
    assert done.returncode != 0
    assert "ctstui.domain.model -> textual" in done.stdout
