"""Our unsaved changes put on top of another writer's version of the plan.

"Ours" is each record's pending line against its saved line (what this store
last read or wrote); the other writer's version is the file as it is now.
Records are matched by their ``id`` field (two writers may give different
records the same document id), plan facts (``_meta``) by key.  A change is
applied where the file still holds the saved version; where it holds
something else (and not the very same change) it is a conflict.  Work is
proportional to our changes, not to the plan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import orjson

from ctstui.store.storage import APP_NAME, META, SCHEMA_VERSION

_MISSING = object()


def record_id(line: bytes | None) -> str | None:
    if line is None:
        return None
    doc = orjson.loads(line)
    ident = doc.get("id") if isinstance(doc, dict) else None
    return ident if isinstance(ident, str) else None


@dataclass
class TablePolicy:
    """How one table's changes merge: how to name a record in a conflict (None:
    the other writer's version simply wins) and whether a change counts as one
    of the user's (a tombstone is the trace of a delete already counted)."""

    label: Callable[[dict], str] | None
    counted: bool = True


@dataclass
class Merge:
    """The result: lines to set on top of the file's (by table and document id)."""

    applied: int = 0
    conflicts: list[str] = field(default_factory=list)
    changes: dict[str, dict[str, bytes | None]] = field(default_factory=dict)
    # Record id -> whether the other writer left it alone (for undo steps).
    touched: set[str] = field(default_factory=set)


def reapply(
    saved: dict[str, dict[str, bytes]],
    pending: dict[str, dict[str, bytes | None]],
    disk: dict[str, dict[str, bytes]],
    disk_index: Callable[[str], dict[str, str]],
    policies: dict[str, TablePolicy],
) -> Merge:
    """Merge ``pending`` (against ``saved``) onto ``disk``; ``disk_index(table)`` maps
    record ids to the file's document ids."""
    merge = Merge()
    for name, changes in pending.items():
        if name == META:
            _meta(merge, saved.get(META, {}), changes, disk.get(META, {}))
            continue
        policy = policies.get(name, TablePolicy(None, counted=False))
        base = saved.get(name, {})
        theirs_table = disk.get(name, {})
        index = disk_index(name)
        next_id = max((int(k) for k in theirs_table), default=0) + 1
        out = merge.changes.setdefault(name, {})
        for ident, (was, ours) in _by_record(base, changes).items():
            if ours == was:
                continue
            disk_key = index.get(ident)
            theirs = theirs_table.get(disk_key) if disk_key is not None else None
            if theirs == ours:
                continue  # they made the very same change
            if theirs != was:
                merge.touched.add(ident)
                if policy.label is not None:
                    merge.conflicts.append(policy.label(orjson.loads(ours or was or b"{}")))
                continue
            merge.applied += policy.counted
            if disk_key is None:
                if ours is None:
                    continue
                disk_key = str(next_id)
                next_id += 1
            out[disk_key] = ours
    return merge


def _by_record(
    base: dict[str, bytes], changes: dict[str, bytes | None]
) -> dict[str, tuple[bytes | None, bytes | None]]:
    """Our changes by record id: (saved line, pending line).  One record can move
    between document ids (an undone add redone gets a new one): matched by id, its
    removal under the old id and its return under the new one are no change at all."""
    out: dict[str, list[bytes | None]] = {}
    for key, ours in changes.items():
        was = base.get(key)
        ident = record_id(ours if ours is not None else was)
        if ident is None:
            continue  # not a record we can match: the file's version stands
        entry = out.setdefault(ident, [None, None])
        if was is not None:
            entry[0] = was
        if ours is not None:
            entry[1] = ours
    return {ident: (was, ours) for ident, (was, ours) in out.items()}


def _meta(
    merge: Merge,
    saved: dict[str, bytes],
    changes: dict[str, bytes | None],
    disk: dict[str, bytes],
) -> None:
    def doc(table: dict, key: str | None = None) -> dict:
        line = table.get(key) if key is not None else next(iter(table.values()), None)
        return orjson.loads(line) if line else {}

    key = next(iter(changes))
    base, current = doc(saved, key), doc(changes, key)
    disk_key = next(iter(disk), "1")
    theirs_doc = doc(disk, disk_key) or {"app": APP_NAME, "schema": SCHEMA_VERSION}
    changed = False
    for name in base.keys() | current.keys():
        ours, was = current.get(name, _MISSING), base.get(name, _MISSING)
        if ours == was:
            continue
        theirs = theirs_doc.get(name, _MISSING)
        if theirs == ours:
            continue
        if theirs != was:
            merge.conflicts.append(f"the plan setting {name!r}")
            continue
        merge.applied += 1
        changed = True
        if ours is _MISSING:
            del theirs_doc[name]
        else:
            theirs_doc[name] = ours
    if changed or not disk:
        merge.changes.setdefault(META, {})[disk_key] = orjson.dumps(theirs_doc)
