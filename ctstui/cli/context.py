"""What every subcommand gets: the plan file, "today", and where to print."""

from __future__ import annotations

import gc
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import TextIO

from ctstui.domain.text import printable_lines, quoted
from ctstui.store.activity_store import ActivityStore, default_db_path
from ctstui.store.output import STDOUT, same_file

SAMPLE_PLAN = "sample_plan.json"


class CliError(Exception):
    """A problem to report on stderr with exit code 2."""


def parse_date_option(option: str, text: str | None) -> date | None:
    """A date option's YYYY-MM-DD value (None when not given); CliError naming
    the option when it is not one, or not a day the calendar has."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        if _ISO_DAY.fullmatch(text.strip()):
            raise CliError(f"{option} {quoted(text)}: there is no such day")
        raise CliError(f"{option} {quoted(text)}: expected a date such as 2013-11-05")


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_today(text: str | None) -> date | None:
    """``--today`` / ``$CTSTUI_TODAY``: an ISO date, or None for the real today."""
    return parse_date_option("--today", text or os.environ.get("CTSTUI_TODAY") or None)


def sample_plan_path() -> Path:
    """The bundled sample plan (package data); never opened for writing."""
    return Path(str(resources.files("ctstui.data").joinpath(SAMPLE_PLAN)))


def demo_copy() -> Path:
    """A scratch copy of the sample plan, so a demo never changes the bundled file."""
    folder = Path(tempfile.mkdtemp(prefix="ctstui-demo-"))
    target = folder / "sample-plan.json"
    shutil.copyfile(sample_plan_path(), target)
    return target


@dataclass
class Context:
    db: Path | None = None
    demo: bool = False
    today: date | None = None
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    _db_path: Path | None = None
    _frozen: bool = False

    @property
    def db_path(self) -> Path:
        if self._db_path is None:
            if self.demo:
                self._db_path = demo_copy()
            elif self.db is not None:
                self._db_path = Path(self.db).expanduser()
            else:
                self._db_path = default_db_path()
                self._db_path.parent.mkdir(parents=True, exist_ok=True)
        return self._db_path

    def clock(self) -> datetime:
        now = datetime.now(UTC)
        if self.today is None:
            return now
        # A fixed "today" keeps the time of day so history stays ordered.
        return now.replace(year=self.today.year, month=self.today.month, day=self.today.day)

    def today_date(self) -> date:
        return self.today or date.today()

    def open_store(self, *, autosave: bool = True, session: bool = False) -> ActivityStore:
        """The plan; says on stderr when the planner has it open elsewhere.

        ``session=True`` (the planner) also marks the plan as in use until the
        store is closed.  Another session never blocks a command: every write
        takes the lock and refuses to overwrite a change it has not read.
        """
        try:
            store = ActivityStore(
                self.db_path, clock=self.clock, autosave=autosave, session=session
            )
        except OSError as exc:
            raise CliError(f"{self.db_path}: cannot open: {exc.strerror or exc}")
        # The plan's objects live as long as the command (or the planner): keep the
        # cyclic collector from re-scanning them (100k activities are millions of
        # objects) while listing, reporting or mid-keystroke.  ``close`` thaws them.
        gc.freeze()
        self._frozen = True
        other = store.other_session()
        if other is not None and not session:
            self.warn(
                f"note: {self.db_path} is also open in the planner by {other.describe()}; "
                "a change either of you has not read is never written over"
            )
        return store

    def open_existing_store(self, doing: str) -> ActivityStore:
        """The plan, for a command that ``doing`` something needs one to exist: a
        mistyped ``--db`` is an error, never a quietly empty list, report or feed."""
        if not os.path.lexists(self.db_path):
            raise CliError(
                f"{self.db_path}: no plan file to {doing} (give --db PATH; `ctstui import` "
                "or `ctstui add` starts a plan)"
            )
        return self.open_store()

    def open_store_to_read(self) -> ActivityStore:
        """The plan for ``list``, ``report`` and ``contract list``: a missing file
        reads as an empty plan (nothing is created), said on stderr, so a mistyped
        ``--db`` is not taken for a plan with nothing in it."""
        if not os.path.lexists(self.db_path):
            self.warn(
                f"note: {self.db_path} does not exist (yet): there is no plan there; "
                "give --db PATH for another plan"
            )
        return self.open_store()

    def close(self) -> None:
        """The command is over: what was frozen is collectable again (which matters
        when ``main`` runs inside a longer-lived process, such as the tests)."""
        if self._frozen:
            gc.unfreeze()
            self._frozen = False

    def refuse_plan_as_output(self, target: str | None, what: str) -> None:
        """``-o TARGET`` must not be the plan itself (nor a link to it, nor a hard
        link): writing ``what`` there would destroy the plan."""
        if target and target != STDOUT and same_file(Path(target).expanduser(), self.db_path):
            raise CliError(f"-o {target}: that is the plan file; {what} never writes over it")

    def warn(self, message: str) -> None:
        print(f"ctstui: {printable_lines(message)}", file=self.err)
