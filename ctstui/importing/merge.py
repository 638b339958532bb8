"""A file's activities against the plan's: what an import adds, changes, flags."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from ctstui.domain.dates import PlanYear
from ctstui.domain.model import (
    TRACKED_FIELDS,
    Activity,
)
from ctstui.importing.rows import _SPACES, IMPORTED_FIELDS, ParsedPlan

# -- merging ---------------------------------------------------------------------------


class Changed(NamedTuple):
    """A matched activity whose imported fields differ: ``diff`` is name -> [old, new]."""

    old: Activity
    new: Activity
    diff: dict[str, list]


class Missing(NamedTuple):
    """An existing activity the file no longer lists; ``flagged`` carries the note."""

    old: Activity
    flagged: Activity


@dataclass
class MergePlan:
    """What importing one file does to the plan."""

    source: str
    added: list[Activity] = field(default_factory=list)
    changed: list[Changed] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)
    unchanged: list[Activity] = field(default_factory=list)
    outside: list[Activity] = field(default_factory=list)  # other plan years: not compared
    on: date | None = None  # the date in the missing notes; None: not given (today)

    @property
    def after(self) -> list[Activity]:
        """The plan's activities once the merge is applied (for a following merge)."""
        return [
            *self.outside,
            *self.unchanged,
            *(c.new for c in self.changed),
            *(m.flagged for m in self.missing),
            *self.added,
        ]

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "changed": len(self.changed),
            "missing": len(self.missing),
            "unchanged": len(self.unchanged),
        }


_MARKER = re.compile(r"^not in (?P<source>.+) \(imported (?P<on>[0-9]{4}-[0-9]{2}-[0-9]{2})\)$")


def missing_note(source: str, on: date) -> str:
    """The note line that flags an activity a re-import no longer lists."""
    return f"not in {source or 'the imported plan'} (imported {on.isoformat()})"


def _strip_markers(notes: str) -> str:
    if "not in " not in notes:
        return notes
    kept = [line for line in notes.split("\n") if not _MARKER.match(line.strip())]
    return "\n".join(kept).strip("\n")


def _flag(old: Activity, source: str, on: date) -> Activity:
    note = missing_note(source, on)
    lines = old.notes.split("\n") if old.notes else []
    for line in lines:
        found = _MARKER.match(line.strip())
        if found and found.group("source") == (source or "the imported plan"):
            return old  # already flagged for this file: no churn
    kept = _strip_markers(old.notes)
    return old.copy(notes=f"{kept}\n{note}" if kept else note)


def _norm(text: str) -> str:
    return _SPACES.sub(" ", text).strip().casefold()


def _match_key(a: Activity) -> tuple:
    return (_norm(a.title), a.kind, _norm(a.place), a.optional)


def _midpoint(a: Activity) -> float | None:
    start, end = a.when.start or a.when.end, a.when.end or a.when.start
    if start is None or end is None:
        return None
    return (start.toordinal() + end.toordinal()) / 2


def _distance(old: Activity, new: Activity) -> float:
    a, b = _midpoint(old), _midpoint(new)
    if a is None and b is None:
        return 1e8  # undated pairs after every dated pair
    if a is None or b is None:
        return 2e8
    return abs(a - b)


def _merged(old: Activity, new: Activity, fields: Sequence[str]) -> Activity:
    values = {}
    for name in fields:
        value = getattr(new, name)
        values[name] = list(value) if isinstance(value, list) else value
    notes = _strip_markers(old.notes)
    if "notes" in fields:
        notes = _strip_markers(new.notes)
    elif new.notes and new.notes not in notes:
        notes = f"{notes}\n{new.notes}" if notes else new.notes
    values["notes"] = notes
    return old.copy(**values)


_NEVER_IMPORTED = frozenset({"rag"})


def plan_merge(
    existing: Iterable[Activity],
    incoming: Iterable[Activity],
    *,
    source: str = "",
    today: date | None = None,
    plan_year: PlanYear | None = None,
    fields: Sequence[str] = IMPORTED_FIELDS,
) -> MergePlan:
    """Compare a file's activities with the plan's (pure: nothing is written).

    Activities match on (title, kind, place, optional), case- and
    space-insensitively; within such a group (the many identical "Sport
    action learning set" rows) they pair by the closest date window (distance
    between midpoints, undated last).  A matched activity keeps its id,
    history, reviews and RAG and takes the file's ``fields``; unmatched new
    ones are added; unmatched old ones are *missing*: kept, with a
    :func:`missing_note` line in their notes.  With ``plan_year``, existing
    activities dated outside it are left out of the comparison (``outside``).
    """
    on = today or date.today()
    take = [f for f in fields if f in TRACKED_FIELDS and f not in _NEVER_IMPORTED]
    merge = MergePlan(source, on=today)
    scope: list[Activity] = []
    for activity in existing:
        when = activity.when
        undated = when.start is None and when.end is None
        if plan_year is None or undated or when.overlaps(plan_year.start, plan_year.end):
            scope.append(activity)
        else:
            merge.outside.append(activity)
    old_groups: dict[tuple, list[Activity]] = defaultdict(list)
    for activity in scope:
        old_groups[_match_key(activity)].append(activity)
    new_groups: dict[tuple, list[Activity]] = defaultdict(list)
    incoming = list(incoming)
    for activity in incoming:
        new_groups[_match_key(activity)].append(activity)
    pairs: dict[int, Activity] = {}  # id(new) -> old
    matched_old: set[str] = set()
    for key, news in new_groups.items():
        olds = old_groups.get(key, [])
        if not olds:
            continue
        candidates = sorted(
            (_distance(o, n), ni, oi) for ni, n in enumerate(news) for oi, o in enumerate(olds)
        )
        used_new: set[int] = set()
        used_old: set[int] = set()
        for _, ni, oi in candidates:
            if ni in used_new or oi in used_old:
                continue
            used_new.add(ni)
            used_old.add(oi)
            pairs[id(news[ni])] = olds[oi]
            matched_old.add(olds[oi].id)
            if len(used_new) == len(news) or len(used_old) == len(olds):
                break
    for activity in incoming:
        old = pairs.get(id(activity))
        if old is None:
            merge.added.append(activity)
            continue
        new = _merged(old, activity, take)
        diff = old.diff(new)
        if diff:
            merge.changed.append(Changed(old, new, diff))
        else:
            merge.unchanged.append(old)
    for activity in scope:
        if activity.id not in matched_old:
            merge.missing.append(Missing(activity, _flag(activity, source, on)))
    return merge


def apply_merge(
    store,
    merge: MergePlan,
    label: str,
    *,
    parsed: ParsedPlan | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Write a merge into ``store`` as ONE transaction (one undo, one write).

    Every change goes through ``store.add``/``store.update`` with ``label`` as
    the action, so it is recorded in the activity's history.  Called inside an
    outer ``store.transaction`` (several files), it joins that one.

    With ``parsed`` (the plan the merge came from) the plan facts are kept too:
    ``meta("plan_year")`` = "2013/14" and, if the plan states totals,
    ``meta("stated_totals")`` = ``StatedTotals.to_dict()`` (one dict: the last
    imported plan's).  Meta changes are not part of the undo step.

    A merge planned without ``source``/``today`` has its missing notes written
    with ``parsed.source`` and the store's today.
    """
    source = merge.source or (parsed.source if parsed is not None else "")
    total = len(merge.added) + len(merge.changed) + len(merge.missing)
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    with store.transaction(label):
        for activity in merge.added:
            store.add(activity, action=label)
            tick()
        for change in merge.changed:
            store.update(change.new, action=label)
            tick()
        for missing in merge.missing:
            flagged = missing.flagged
            if merge.on is None or source != merge.source:
                flagged = _flag(missing.old, source, store.today())
            if flagged.notes != missing.old.notes:
                store.update(flagged, action=label)
            tick()
        if parsed is not None:
            store.set_meta("plan_year", str(parsed.plan_year))
            if parsed.totals is not None:
                store.set_meta("stated_totals", parsed.totals.to_dict())
    if parsed is not None and getattr(store, "_depth", 0) == 0 and store.autosave and store.dirty:
        store.save()  # meta changed but no activity did: the transaction did not save
