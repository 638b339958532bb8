"""Key bindings: the user's keymap file, and every binding the planner has.

``~/.config/ctstui/keymap.json`` maps binding ids to keys, e.g.
``{"app.new": "a", "board.red": "R"}``; the App hands it to Textual's
``set_keymap``.  A file that cannot be used is reported (at start, on stderr
and in the planner), never ignored.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from textual.binding import Binding
from textual.dom import DOMNode

import ctstui.tui


@dataclass
class UserKeymap:
    """Binding id -> keys, and what was wrong with the file (in the user's words)."""

    bindings: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def binding_classes() -> list[type[DOMNode]]:
    """Every planner class (app, screens, widgets, dialogs) that declares key bindings.

    Every module of ``ctstui.tui`` is imported first, so none can be missed.
    """
    for module in pkgutil.walk_packages(ctstui.tui.__path__, "ctstui.tui."):
        importlib.import_module(module.name)
    found: list[type[DOMNode]] = []
    pending: list[type] = [DOMNode]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        ours = cls.__module__.startswith("ctstui.tui.") and cls.__dict__.get("BINDINGS")
        if ours and cls not in found:
            found.append(cls)
    return sorted(found, key=lambda c: (c.__module__, c.__name__))


def own_bindings(cls: type[DOMNode]) -> list[Binding]:
    """The bindings a class declares itself (not those it inherits)."""
    out = []
    for item in cls.__dict__.get("BINDINGS", []):
        out.append(item if isinstance(item, Binding) else Binding(*item))
    return out


def binding_ids() -> set[str]:
    return {b.id for cls in binding_classes() for b in own_bindings(cls) if b.id}


def load_keymap(path: Path, *, report: TextIO | None = None) -> UserKeymap:
    """Read the user's keymap; problems are printed to ``report`` (stderr) and kept
    for the planner to show.

    What can be used is used (a file with one unknown id still remaps the others).
    """
    keymap = UserKeymap()
    if not path.exists():
        return keymap
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        keymap.problems.append(f"{path}: cannot be read ({exc.strerror or exc})")
    except UnicodeDecodeError:
        keymap.problems.append(f"{path}: is not UTF-8 text")
    except json.JSONDecodeError as exc:
        keymap.problems.append(
            f"{path}: line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg})"
        )
    else:
        if not isinstance(data, dict):
            keymap.problems.append(
                f'{path}: should be an object of "binding id": "keys" pairs, such as '
                '{"app.new": "a"}'
            )
        else:
            known = binding_ids()
            for key, value in data.items():
                if key not in known:
                    keymap.problems.append(
                        f"{path}: {key!r} is not a binding id (the help screen, ?, lists them)"
                    )
                elif not isinstance(value, str) or not value.strip():
                    keymap.problems.append(
                        f'{path}: {key!r} should map to keys as text, such as "a" or "ctrl+n"'
                    )
                else:
                    keymap.bindings[key] = value
    for problem in keymap.problems:
        print(
            f"ctstui: keymap: {problem}; the default keys are used there",
            file=report or sys.stderr,
        )
    return keymap
