"""A file's activities against the plan's: what an import adds, changes, flags.

Pure (no store) until :func:`apply_merge`.

- **Scope**: a file is compared only with the plan's activities of the same
  plan year (undated and optional ones included); other years are never
  touched (``MergePlan.outside``).
- **Matching**: on (title, kind, place, optional), case- and space-insensitive;
  within a group of identical titles by the closest date window.  Left over, a
  row whose title changed a little ("Sport peer review Derby" -> "Sport peer
  review - Derby") with the same window and leads is a *rename*, not an add and
  a drop.
- **Three-way merge** against the row as last imported (``Activity.imported``):
  a field changed only in the planner is kept; changed only in the file is
  taken; changed in both is a *conflict*: the planner's value is kept unless
  ``theirs`` (``--theirs``) takes the file's.  A status never moves backwards
  (completed -> planned) unless ``theirs``, and then it is reported; a value the
  activity had before (the file is an older version) is not taken back
  silently either.
- **Whole plan or addendum**: only a whole plan (``whole``) flags the plan's
  activities it no longer lists: a note line ``not in FILE (imported DATE)``;
  an addendum adds and updates and flags nothing.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from ctstui.domain.dates import DateSpec, PlanYear
from ctstui.domain.markers import UNNAMED_SOURCE, missing_line, missing_note
from ctstui.domain.model import TRACKED_FIELDS, Activity, Status
from ctstui.importing.rows import _SPACES, IMPORTED_FIELDS, ParsedPlan


class Changed(NamedTuple):
    """A matched activity whose imported fields differ: ``diff`` is name -> [old, new].

    ``kept`` lists the fields the file changed that were NOT taken, each with
    why (a conflict with the planner, a status that would move backwards, an
    older value); ``renamed`` is set when the match was by a similar title.
    """

    old: Activity
    new: Activity
    diff: dict[str, list]
    kept: dict[str, dict] = {}
    renamed: bool = False
    incoming: Activity | None = None


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
    whole: bool = False  # the file is the whole plan for its year: unlisted ones are flagged
    notices: list[str] = field(default_factory=list)

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

    @property
    def conflicts(self) -> list[tuple[Changed, str, dict]]:
        """(change, field, what) for every file value not taken."""
        return [(c, name, what) for c in self.changed for name, what in c.kept.items()]

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "changed": sum(1 for c in self.changed if c.diff),
            "missing": len(self.missing),
            # matched, with nothing taken (a file value kept out still counts here)
            "unchanged": len(self.unchanged) + sum(1 for c in self.changed if not c.diff),
            "renamed": sum(1 for c in self.changed if c.renamed),
            "conflicts": sum(len(c.kept) for c in self.changed),
        }


def _strip_markers(notes: str) -> str:
    if "not in " not in notes:
        return notes
    kept = [line for line in notes.split("\n") if missing_line(line) is None]
    return "\n".join(kept).strip("\n")


def _flag(old: Activity, source: str, on: date) -> Activity:
    note = missing_note(source, on)
    lines = old.notes.split("\n") if old.notes else []
    for line in lines:
        found = missing_line(line)
        if found and found[0] == (source or UNNAMED_SOURCE):
            return old  # already flagged for this file: no churn
    kept = _strip_markers(old.notes)
    return old.copy(notes=f"{kept}\n{note}" if kept else note)


def _norm(text: str) -> str:
    return _SPACES.sub(" ", text).strip().casefold()


def _loose(text: str) -> str:
    """A title with punctuation and spacing gone: for spotting renames."""
    return " ".join(re.findall(r"[^\W_]+", text.casefold()))


def _match_key(a: Activity) -> tuple:
    return (_norm(a.title), a.kind, _norm(a.place), a.optional)


def _midpoint(a: Activity) -> float | None:
    start, end = a.when.start or a.when.end, a.when.end or a.when.start
    if start is None or end is None:
        return None
    return (start.toordinal() + end.toordinal()) / 2


def _distance(old: Activity, new: Activity) -> float:
    """How far apart two windows are; ties go to the pair whose other cells agree most."""
    same_text = 0.0 if old.when.text == new.when.text else 0.25
    same_text += 0.01 * sum(
        getattr(old, name) != getattr(new, name)
        for name in ("audience", "places", "leads", "link", "status", "days")
    )
    a, b = _midpoint(old), _midpoint(new)
    if a is None and b is None:
        return 1e8 + same_text  # undated pairs after every dated pair
    if a is None or b is None:
        return 2e8 + same_text
    return abs(a - b) + same_text


def _pair_group(olds: list[Activity], news: list[Activity]) -> list[tuple[int, int]]:
    """(new index, old index) pairs by the closest window.

    Small groups try every pair; big ones (thousands of rows with one title)
    pair in date order, which is the same answer for windows that do not
    cross, in O(n log n).
    """
    if len(olds) * len(news) <= 2500:
        candidates = sorted(
            (_distance(o, n), ni, oi) for ni, n in enumerate(news) for oi, o in enumerate(olds)
        )
        used_new: set[int] = set()
        used_old: set[int] = set()
        pairs = []
        for _, ni, oi in candidates:
            if ni in used_new or oi in used_old:
                continue
            used_new.add(ni)
            used_old.add(oi)
            pairs.append((ni, oi))
            if len(used_new) == len(news) or len(used_old) == len(olds):
                break
        return pairs

    def order(items: list[Activity]) -> list[int]:
        return sorted(
            range(len(items)), key=lambda i: (_midpoint(items[i]) is None, _midpoint(items[i]) or 0)
        )

    return list(zip(order(news), order(olds), strict=False))


# -- three-way merge of one activity ---------------------------------------------------------

# How far along a status is: a re-import never moves one backwards silently.
_STATUS_RANK = {
    Status.TBC: 0,
    Status.PLANNED: 0,
    Status.CONFIRMED: 1,
    Status.COMPLETED: 2,
    Status.CANCELLED: 2,
}


def field_json(activity: Activity, name: str):
    """A field as the merge compares it (the date with its resolved window)."""
    value = getattr(activity, name)
    if isinstance(value, DateSpec):
        return value.to_dict()
    return activity.field_value(name)


def _earlier_values(activity: Activity, name: str) -> list:
    """Values the field had before (from the activity's history), as text/JSON."""
    out = []
    for entry in activity.history:
        change = entry.changes.get(name)
        if isinstance(change, list) and len(change) == 2:
            out.append(change[0])
    return out


def _shown(name: str, value) -> object:
    return value.get("text", "") if name == "when" and isinstance(value, dict) else value


def merge_activity(
    old: Activity, new: Activity, fields: Sequence[str], *, theirs: bool = False
) -> tuple[Activity, dict[str, dict]]:
    """The plan's activity after importing ``new`` over it, and what was not taken.

    ``old.imported`` is the base (the row as last imported); with no base (an
    activity made in the planner, or imported before ctstui kept one) the
    file's values are taken, except a status moving backwards or a value the
    activity had before.
    """
    differing = [name for name in fields if getattr(old, name) != getattr(new, name)]
    if not differing and not new.reviews and _strip_markers(old.notes) == old.notes:
        return old, {}  # the common re-import: nothing to compare further (fast for 100k rows)
    base = old.imported
    values: dict[str, object] = {}
    kept: dict[str, dict] = {}
    for name in differing:
        mine, file_value = field_json(old, name), field_json(new, name)
        if mine == file_value:
            continue
        has_base = name in base
        if has_base and base[name] == file_value:
            continue  # changed only in the planner: kept
        if has_base and base[name] != mine:
            why = "changed in both the planner and the file"
        elif name == "status" and _STATUS_RANK[new.status] < _STATUS_RANK[old.status]:
            why = f"the status would move back from {old.status.value} to {new.status.value}"
        elif _shown(name, file_value) in _earlier_values(old, name):
            why = "the file holds a value the activity had before (an older version?)"
        else:
            values[name] = getattr(new, name)
            continue
        kept[name] = {
            "plan": _shown(name, mine),
            "file": _shown(name, file_value),
            "why": why,
            "taken": theirs,
        }
        if theirs:
            values[name] = getattr(new, name)
    for name, value in values.items():
        if isinstance(value, list):
            values[name] = list(value)
    notes = _strip_markers(old.notes)
    if "notes" not in fields and new.notes and new.notes not in notes:
        notes = f"{notes}\n{new.notes}" if notes else new.notes
    values["notes"] = notes
    if "notes" in fields and "notes" in values:
        values["notes"] = _strip_markers(str(values["notes"]))
    merged = old.copy(**values)
    known = {(r.on, r.rating) for r in old.reviews}
    extra = [r for r in new.reviews if (r.on, r.rating) not in known]
    if extra:  # dated reviews the file's review columns hold that the plan has not
        merged.reviews = sorted([*old.reviews, *extra], key=lambda r: r.on)
        merged.rag = merged.reviews[-1].rating
    merged.imported = {name: field_json(new, name) for name in fields}
    merged.source = new.source or old.source
    if not merged.plan_year:
        merged.plan_year = new.plan_year
    return merged, kept


def _in_scope(activity: Activity, plan_year: PlanYear | None) -> bool:
    """Is an existing activity part of ``plan_year``'s plan (undated ones included)?"""
    if plan_year is None:
        return True
    if activity.plan_year:
        return activity.plan_year == str(plan_year)
    when = activity.when
    if when.start is None and when.end is None:
        return True  # undated, from before plan years were kept: compared
    return when.overlaps(plan_year.start, plan_year.end)


def _looks_renamed(old: Activity, new: Activity) -> bool:
    """A small change of title with the same date window and leads."""
    if old.optional != new.optional or old.when.to_dict() != new.when.to_dict():
        return False
    if [x.casefold() for x in old.leads] != [x.casefold() for x in new.leads]:
        return False
    a, b = _loose(old.title), _loose(new.title)
    if a == b:
        return True
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.85


def stamp_imported(activity: Activity, fields: Sequence[str]) -> Activity:
    """An added activity remembers the fields as imported (the next merge's base)."""
    activity.imported = {name: field_json(activity, name) for name in fields}
    return activity


def plan_merge(
    existing: Iterable[Activity],
    incoming: Iterable[Activity],
    *,
    source: str = "",
    today: date | None = None,
    plan_year: PlanYear | None = None,
    fields: Sequence[str] = IMPORTED_FIELDS,
    whole: bool = False,
    theirs: bool = False,
) -> MergePlan:
    """Compare a file's activities with the plan's (pure: nothing is written).

    See the module notes.  ``whole`` (the file is the whole plan for its year)
    flags the plan's activities of that year the file no longer lists;
    ``theirs`` takes the file's value in a conflict.
    """
    on = today or date.today()
    take = [f for f in fields if f in TRACKED_FIELDS and f not in _NEVER_IMPORTED]
    merge = MergePlan(source, on=today, whole=whole)
    scope: list[Activity] = []
    for activity in existing:
        (scope if _in_scope(activity, plan_year) else merge.outside).append(activity)
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
        for ni, oi in _pair_group(olds, news):
            pairs[id(news[ni])] = olds[oi]
            matched_old.add(olds[oi].id)
    renamed: set[int] = set()
    unmatched_old = [a for a in scope if a.id not in matched_old]
    if unmatched_old:
        by_window: dict[tuple, list[Activity]] = defaultdict(list)
        for old in unmatched_old:
            by_window[(old.when.start, old.when.end, old.when.precision)].append(old)
        for activity in incoming:
            if id(activity) in pairs:
                continue
            when = activity.when
            for old in by_window.get((when.start, when.end, when.precision), ()):
                if old.id not in matched_old and _looks_renamed(old, activity):
                    pairs[id(activity)] = old
                    matched_old.add(old.id)
                    renamed.add(id(activity))
                    break
    for activity in incoming:
        paired = pairs.get(id(activity))
        if paired is None:
            merge.added.append(stamp_imported(activity, take))
            continue
        new, kept = merge_activity(paired, activity, take, theirs=theirs)
        diff = {} if new is paired else paired.diff(new)
        if diff or kept:
            merge.changed.append(
                Changed(paired, new, diff, kept, id(activity) in renamed, activity)
            )
        else:
            merge.unchanged.append(paired)
    older = [(c, name) for c, name, what in merge.conflicts if "had before" in str(what["why"])]
    if older:
        change, name = older[0]
        merge.notices.append(
            f"{source or 'the file'} looks like an older version of the plan than the one "
            f"last imported: {len(older)} value(s) are ones the plan had before (e.g. "
            f"{change.old.title!r}: {name}); the plan's newer values are kept"
            + (" (--theirs: the file's were taken)" if theirs else "")
        )
    if whole:
        for activity in scope:
            if activity.id not in matched_old:
                merge.missing.append(Missing(activity, _flag(activity, source, on)))
    return merge


_NEVER_IMPORTED = frozenset({"rag"})


def stated_totals_meta(current: object, parsed: ParsedPlan) -> dict | None:
    """The plan's stated totals once ``parsed``'s are added: one set per plan year and
    source document ("2013/14 annex.txt" -> StatedTotals.to_dict()), so importing
    another year's plan never replaces this year's."""
    if parsed.totals is None:
        return None
    out: dict[str, object] = {}
    if isinstance(current, dict) and any(k in current for k in ("days", "lines", "plan_year")):
        current = [current]  # one set, as older versions kept it
    if isinstance(current, list):
        for item in current:
            if isinstance(item, dict):
                out[f"{item.get('plan_year', '')} {item.get('source', '')}".strip()] = item
    elif isinstance(current, dict):
        out.update(current)
    totals = parsed.totals.to_dict()
    out[f"{totals['plan_year']} {totals['source']}".strip()] = totals
    return out


def merge_file(
    existing: Iterable[Activity],
    parsed: ParsedPlan,
    *,
    today: date | None = None,
    whole: bool = False,
    theirs: bool = False,
) -> MergePlan:
    """:func:`plan_merge` for a read file: its plan year, its fields, and whole
    when the file says it is the whole plan (``parsed.whole_reason``) or ``whole``."""
    merge = plan_merge(
        existing,
        parsed.activities,
        source=parsed.source,
        today=today,
        plan_year=parsed.plan_year,
        fields=parsed.fields,
        whole=whole or bool(parsed.whole_reason),
        theirs=theirs,
    )
    if merge.whole:
        why = parsed.whole_reason or "--whole was given"
        merge.notices.insert(0, f"read as the whole plan for {parsed.plan_year}: {why}")
    else:
        merge.notices.insert(
            0,
            f"read as an addendum to {parsed.plan_year}: it adds and updates, and flags "
            "nothing as no longer listed (--whole if it is the whole plan)",
        )
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
    ``meta("plan_year")`` = "2013/14" and the plan's stated totals in
    ``meta("stated_totals")``, one set per plan year and source
    (:func:`stated_totals_meta`).  Meta changes are not part of the undo step.

    A merge planned without ``source``/``today`` has its missing notes written
    with ``parsed.source`` and the store's today.
    """
    source = merge.source or (parsed.source if parsed is not None else "")
    total = len(merge.added) + len(merge.changed) + len(merge.missing)
    done = 0
    step = max(total // 200, 1)

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None and (done % step == 0 or done == total):
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
            totals = stated_totals_meta(store.meta("stated_totals"), parsed)
            if totals is not None:
                store.set_meta("stated_totals", totals)
    if parsed is not None and getattr(store, "_depth", 0) == 0 and store.autosave and store.dirty:
        store.save()  # meta changed but no activity did: the transaction did not save
