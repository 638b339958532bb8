"""Short activity ids: what ``ctstui list`` shows and ``set``/``rate``/``done`` accept.

An activity's id is a UUID; any prefix of it that no other activity's id
shares names it.  ``list`` shows every id cut to one length, long enough to be
unique across the whole plan (not just the rows shown), so a short id copied
from any listing stays valid until an activity is added that shares it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import pairwise

from ctstui.cli.context import CliError
from ctstui.domain.model import Activity
from ctstui.domain.text import clip, printable

SHORT_ID_MIN = 6
_CANDIDATES_SHOWN = 8


def short_id_length(ids: Iterable[str]) -> int:
    """The length at which every id's prefix is unique (at least SHORT_ID_MIN)."""
    ordered = sorted(i.casefold() for i in ids)
    length = SHORT_ID_MIN
    # Sorted, an id shares its longest prefix with a neighbour.
    for left, right in pairwise(ordered):
        common = 0
        for a, b in zip(left, right, strict=False):
            if a != b:
                break
            common += 1
        length = max(length, common + 1)
    return length


def find_activity(activities: Sequence[Activity], given: str) -> Activity:
    """The activity whose id is ``given`` or starts with it; a CliError naming the
    candidates when the prefix matches none or several."""
    text = given.strip().casefold()
    if not text:
        raise CliError("ID: expected an activity id (the first column of `ctstui list`)")
    exact = [a for a in activities if a.id.casefold() == text]
    if exact:
        return exact[0]
    matches = [a for a in activities if a.id.casefold().startswith(text)]
    if len(matches) == 1:
        return matches[0]
    shown = printable(clip(given, 40))
    if not matches:
        raise CliError(
            f"ID '{shown}': no activity's id starts with it; `ctstui list` shows the ids"
        )
    length = short_id_length(a.id for a in activities)
    lines = [
        f"  {a.id[:length]}  {printable(clip(a.title, 60))}" for a in matches[:_CANDIDATES_SHOWN]
    ]
    if len(matches) > _CANDIDATES_SHOWN:
        lines.append(f"  ... and {len(matches) - _CANDIDATES_SHOWN} more")
    raise CliError(
        f"ID '{shown}': {len(matches)} activities have ids starting with it; give more of "
        "the id:\n" + "\n".join(lines)
    )
