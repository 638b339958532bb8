"""The wheel ships every package folder: pyproject's list cannot drift from the tree."""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_every_package_folder_is_listed_in_pyproject() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(init.parent.relative_to(REPO).parts)
        for init in (REPO / "ctstui").rglob("__init__.py")
    }
    assert on_disk - listed == set(), "package folders missing from pyproject.toml"
    assert listed - on_disk - {"ctstui.data"} == set(), "pyproject.toml lists missing folders"
    assert config["tool"]["setuptools"]["package-dir"]["ctstui.data"] == "data"


def test_styles_ship_with_the_tui() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["ctstui.tui"]
    styles = list((REPO / "ctstui" / "tui").rglob("*.tcss"))
    assert styles, "no .tcss files found"
    for sheet in styles:
        rel = sheet.relative_to(REPO / "ctstui" / "tui")
        assert any(rel.match(g) for g in globs), f"{rel} is not in the wheel's package data"


def test_version_is_the_packages() -> None:
    import subprocess
    import sys

    from ctstui import __version__

    done = subprocess.run(
        [sys.executable, "-m", "ctstui", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.strip() == f"ctstui {__version__}"
