"""The plan's domain objects: activities, RAG reviews, history, funder contracts.

Plain Python (no Textual).  Records round-trip through ``to_dict``/``from_dict``
into the JSON the store keeps; ``from_dict`` checks types and raises
:class:`RecordError` naming the field, so a damaged file is reported, not
half-loaded.
"""

from __future__ import annotations

import enum
import math
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ctstui.domain.dates import DateSpec, Precision


class RecordError(ValueError):
    """A stored record whose fields are not what ctstui writes."""


class Kind(enum.StrEnum):
    PEER_REVIEW = "peer review"
    PEER_CHALLENGE = "peer challenge"
    ACADEMY = "academy"
    SEMINAR = "seminar"
    ACTION_LEARNING_SET = "action learning set"
    TRAINING = "training"
    ALUMNI_DAY = "alumni day"
    CONFERENCE = "conference"
    DEEP_DIVE = "deep dive"
    LEADERSHIP_ESSENTIALS = "leadership essentials"
    OTHER = "other"


class Theme(enum.StrEnum):
    SPORT = "sport"
    LIBRARIES = "libraries"
    CULTURE = "culture"
    HERITAGE = "heritage"
    TOURISM = "tourism"  # tourism / visitor economy
    CROSS_CUTTING = "cross-cutting"


class Status(enum.StrEnum):
    TBC = "tbc"
    PLANNED = "planned"
    CONFIRMED = "confirmed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Rag(enum.StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    UNRATED = "unrated"

    @property
    def severity(self) -> int:
        """Higher is worse; used to roll a programme up to its worst rating."""
        return {"green": 1, "amber": 2, "red": 3}.get(self.value, 0)


OPEN_STATUSES = frozenset({Status.TBC, Status.PLANNED, Status.CONFIRMED})


def iso_utc(moment: datetime) -> str:
    """A timestamp as stored: ISO 8601 in UTC with a Z."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _check(data: dict, name: str, types: type | tuple[type, ...], where: str) -> Any:
    if name not in data:
        raise RecordError(f"{where}: field {name!r} is missing")
    value = data[name]
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in _as_tuple(types)):
        expected = " or ".join(t.__name__ for t in _as_tuple(types))
        raise RecordError(
            f"{where}: field {name!r} should be {expected}, found {type(value).__name__}"
        )
    return value


def _list(data: dict, name: str, where: str) -> list:
    value = data.get(name, [])
    if not isinstance(value, list):
        raise RecordError(f"{where}: field {name!r} should be a list")
    return value


def _as_tuple(types: type | tuple[type, ...]) -> tuple[type, ...]:
    return types if isinstance(types, tuple) else (types,)


_MEMBERS: dict[type, dict[str, enum.Enum]] = {}


def _enum(cls: type[enum.StrEnum], value: object, name: str, where: str):
    # A dict lookup: Enum's own __call__ is slow when loading 100k records.
    members = _MEMBERS.get(cls)
    if members is None:
        members = _MEMBERS[cls] = {m.value: m for m in cls}
    try:
        return members[value]  # type: ignore[index]
    except (KeyError, TypeError):
        allowed = ", ".join(m.value for m in cls)
        raise RecordError(f"{where}: field {name!r} is {value!r}; expected one of {allowed}")


@dataclass(slots=True)
class RagReview:
    """One dated Red/Amber/Green review of an activity."""

    on: date
    rating: Rag
    reason: str = ""
    by: str = ""
    next_action: str = ""
    previous: Rag | None = None
    # Made up to show the board (the bundled sample), not from any plan paper.
    demo: bool = False

    def to_dict(self) -> dict:
        data: dict[str, object] = {
            "on": self.on.isoformat(),
            "rating": self.rating.value,
            "reason": self.reason,
            "by": self.by,
            "next_action": self.next_action,
            "previous": self.previous.value if self.previous else None,
        }
        if self.demo:
            data["demo"] = True
        return data

    @classmethod
    def from_dict(cls, data: dict, where: str = "review") -> RagReview:
        if not isinstance(data, dict):
            raise RecordError(f"{where}: expected an object, found {type(data).__name__}")
        try:
            on = date.fromisoformat(_check(data, "on", str, where))
        except ValueError:
            raise RecordError(f"{where}: field 'on' is not an ISO date: {data['on']!r}")
        previous = data.get("previous")
        return cls(
            on=on,
            rating=_enum(Rag, data.get("rating"), "rating", where),
            reason=str(data.get("reason", "")),
            by=str(data.get("by", "")),
            next_action=str(data.get("next_action", "")),
            previous=_enum(Rag, previous, "previous", where) if previous else None,
            demo=data.get("demo") is True,
        )


@dataclass(slots=True)
class HistoryEntry:
    """Who changed what, when: ``changes`` maps field -> [old, new] (JSON values)."""

    at: str
    who: str
    action: str
    changes: dict[str, list] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"at": self.at, "who": self.who, "action": self.action, "changes": self.changes}

    @classmethod
    def from_dict(cls, data: dict, where: str = "history") -> HistoryEntry:
        if not isinstance(data, dict):
            raise RecordError(f"{where}: expected an object, found {type(data).__name__}")
        changes = data.get("changes", {})
        if not isinstance(changes, dict):
            raise RecordError(f"{where}: field 'changes' should be an object")
        return cls(
            at=str(_check(data, "at", str, where)),
            who=str(data.get("who", "")),
            action=str(data.get("action", "")),
            changes=changes,
        )


# Fields whose change is recorded in history and compared by imports.
TRACKED_FIELDS = (
    "title",
    "kind",
    "theme",
    "place",
    "days",
    "when",
    "status",
    "optional",
    "rag",
    "audience",
    "places",
    "leads",
    "link",
    "programme",
    "funder",
    "notes",
    "plan_year",
    "priority",
    "detail",
    "outcomes",
    "targets",
    "progress",
    "date_problem",
)

# Text fields beside the title (all kept verbatim as a plan writes them).
TEXT_FIELDS = (
    "place",
    "audience",
    "link",
    "programme",
    "funder",
    "notes",
    "plan_year",
    "priority",
    "detail",
    "outcomes",
    "targets",
    "progress",
    "date_problem",
    "source",
)


# Written only when set, so plans without them are stored as before.
_NEW_TEXT_FIELDS = TEXT_FIELDS[TEXT_FIELDS.index("plan_year") :]


@dataclass(slots=True)
class Activity:
    """One planned piece of improvement work (a review, academy, seminar...)."""

    title: str
    when: DateSpec = field(default_factory=lambda: DateSpec(""))
    kind: Kind = Kind.OTHER
    theme: Theme = Theme.CROSS_CUTTING
    place: str = ""
    days: float | None = None
    status: Status = Status.PLANNED
    optional: bool = False
    rag: Rag = Rag.UNRATED
    reviews: list[RagReview] = field(default_factory=list)
    audience: str = ""
    places: int | None = None
    leads: list[str] = field(default_factory=list)
    link: str = ""
    programme: str = ""
    funder: str = ""
    notes: str = ""
    # The April-March plan year it belongs to ("2013/14"), dated or not.
    plan_year: str = ""
    # A work programme's hierarchy and columns (seeds 002/003), verbatim.
    priority: str = ""  # the priority or outcome above the programme
    detail: str = ""  # actions, or the project's outputs
    outcomes: str = ""
    targets: str = ""  # targets and timescales as written
    progress: str = ""  # progress or completion notes
    # Why the date cell could not be placed ("" when it could): the row came in
    # undated (or dated outside its plan year) and the planner shows it.
    date_problem: str = ""
    source: str = ""  # the document it was last imported from
    # The imported fields as the last import read them (JSON values): the base
    # of a re-import's three-way merge.  Empty for activities made in the planner.
    imported: dict = field(default_factory=dict)
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created: str = ""
    updated: str = ""
    revision: int = 0
    history: list[HistoryEntry] = field(default_factory=list)

    # -- derived -----------------------------------------------------------
    @property
    def sort_key(self) -> tuple:
        """Date window first (undated last), then title: the plan's natural order."""
        start = self.when.start or self.when.end or date.max
        end = self.when.end or start
        return (start, end, self.title.casefold(), self.id)

    @property
    def audience_with_places(self) -> str:
        """ "Sport PHs (15)": the audience as a plan writes it (see parse_audience)."""
        return self.audience if self.places is None else f"{self.audience} ({self.places})"

    @property
    def total_days(self) -> float:
        return self.days or 0.0

    @property
    def last_review(self) -> RagReview | None:
        """The newest review; of one day's reviews, the last recorded."""
        newest = self.reviews_newest_first()
        return newest[0] if newest else None

    def reviews_newest_first(self) -> list[RagReview]:
        """Reviews by date, newest first; a day's reviews in reverse order of recording."""
        return sorted(reversed(self.reviews), key=lambda r: r.on, reverse=True)

    def copy(self, **changes) -> Activity:
        """A copy with its own lists, so editing it never touches the stored one."""
        clone = replace(
            self,
            reviews=list(self.reviews),
            leads=list(self.leads),
            history=list(self.history),
            imported=dict(self.imported),
        )
        for name, value in changes.items():
            setattr(clone, name, value)
        return clone

    def field_value(self, name: str):
        """A tracked field as a JSON value (what history and import reports show)."""
        value = getattr(self, name)
        if isinstance(value, DateSpec):
            return value.text
        if isinstance(value, enum.Enum):
            return value.value
        if isinstance(value, list):
            return list(value)
        return value

    def diff(self, other: Activity) -> dict[str, list]:
        """Tracked fields that differ: name -> [mine, theirs]."""
        out: dict[str, list] = {}
        for name in TRACKED_FIELDS:
            if name == "when":
                if self.when != other.when:
                    out[name] = [self.when.text, other.when.text]
                continue
            mine, theirs = self.field_value(name), other.field_value(name)
            if mine != theirs:
                out[name] = [mine, theirs]
        return out

    def summary(self) -> dict:
        """The flat record ``list --format json`` prints (and CSV columns)."""
        return {
            "id": self.id,
            "title": self.title,
            "kind": self.kind.value,
            "theme": self.theme.value,
            "place": self.place,
            "days": self.days,
            "when": self.when.text,
            "start": self.when.start.isoformat() if self.when.start else None,
            "end": self.when.end.isoformat() if self.when.end else None,
            "precision": self.when.precision.value,
            "status": self.status.value,
            "optional": self.optional,
            "rag": self.rag.value,
            "audience": self.audience,
            "places": self.places,
            "leads": list(self.leads),
            "link": self.link,
            "programme": self.programme,
            "funder": self.funder,
            "notes": self.notes,
            "revision": self.revision,
            "updated": self.updated,
            "plan_year": self.plan_year,
            "priority": self.priority,
            "detail": self.detail,
            "outcomes": self.outcomes,
            "targets": self.targets,
            "progress": self.progress,
            "date_problem": self.date_problem,
            "source": self.source,
        }

    # -- persistence ---------------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "kind": self.kind.value,
            "theme": self.theme.value,
            "place": self.place,
            "days": self.days,
            "when": self.when.to_dict(),
            "status": self.status.value,
            "optional": self.optional,
            "rag": self.rag.value,
            "reviews": [r.to_dict() for r in self.reviews],
            "audience": self.audience,
            "places": self.places,
            "leads": list(self.leads),
            "link": self.link,
            "programme": self.programme,
            "funder": self.funder,
            "notes": self.notes,
            **{name: getattr(self, name) for name in _NEW_TEXT_FIELDS if getattr(self, name)},
            **({"imported": dict(self.imported)} if self.imported else {}),
            "created": self.created,
            "updated": self.updated,
            "revision": self.revision,
            "history": [h.to_dict() for h in self.history],
        }

    @classmethod
    def from_dict(cls, data: dict, where: str = "activity") -> Activity:
        if not isinstance(data, dict):
            raise RecordError(f"{where}: expected an object, found {type(data).__name__}")
        ident = _check(data, "id", str, where)
        where = f"{where} {ident}"
        when_data = _check(data, "when", dict, where)
        try:
            when = DateSpec.from_dict(when_data)
        except (KeyError, ValueError, TypeError) as exc:
            raise RecordError(f"{where}: field 'when' is not a ctstui date: {exc}")
        days = data.get("days")
        if days is not None and (
            isinstance(days, bool) or not isinstance(days, int | float) or not math.isfinite(days)
        ):
            raise RecordError(f"{where}: field 'days' should be a number, found {days!r}")
        places = data.get("places")
        if places is not None and (isinstance(places, bool) or not isinstance(places, int)):
            raise RecordError(f"{where}: field 'places' should be a whole number, found {places!r}")
        leads = data.get("leads", [])
        if not isinstance(leads, list) or not all(isinstance(x, str) for x in leads):
            raise RecordError(f"{where}: field 'leads' should be a list of initials")
        reviews = data.get("reviews", [])
        history = data.get("history", [])
        if not isinstance(reviews, list) or not isinstance(history, list):
            raise RecordError(f"{where}: fields 'reviews' and 'history' should be lists")
        text_fields = {}
        for name in TEXT_FIELDS:
            value = data.get(name, "")
            if not isinstance(value, str):
                raise RecordError(f"{where}: field {name!r} should be text, found {value!r}")
            text_fields[name] = value
        optional = data.get("optional", False)
        if not isinstance(optional, bool):
            raise RecordError(f"{where}: field 'optional' should be true or false")
        imported = data.get("imported", {})
        if not isinstance(imported, dict):
            raise RecordError(f"{where}: field 'imported' should be an object")
        revision = data.get("revision", 0)
        if isinstance(revision, bool) or not isinstance(revision, int):
            raise RecordError(f"{where}: field 'revision' should be a whole number")
        return cls(
            id=ident,
            title=str(_check(data, "title", str, where)),
            kind=_enum(Kind, data.get("kind", "other"), "kind", where),
            theme=_enum(Theme, data.get("theme", "cross-cutting"), "theme", where),
            days=days,
            when=when,
            status=_enum(Status, data.get("status", "planned"), "status", where),
            optional=optional,
            rag=_enum(Rag, data.get("rag", "unrated"), "rag", where),
            reviews=[RagReview.from_dict(r, f"{where} review") for r in reviews],
            places=places,
            leads=list(leads),
            created=str(data.get("created", "")),
            updated=str(data.get("updated", "")),
            revision=revision,
            history=[HistoryEntry.from_dict(h, f"{where} history") for h in history],
            imported=dict(imported),
            **text_fields,
        )


def parse_leads(text: str) -> list[str]:
    """ "JW/LC" -> ["JW", "LC"]; also accepts commas, '&', 'and' and spaces."""
    import re

    parts = re.split(r"\s*(?:/|,|&|\band\b|\s)\s*", text.strip(), flags=re.IGNORECASE)
    return [p for p in parts if p]


def parse_audience(text: str) -> tuple[str, int | None]:
    """ "Sport PHs (15)" -> ("Sport PHs", 15); no number -> (text, None)."""
    import re

    match = re.fullmatch(r"\s*(.*?)\s*\((\d+)\)\s*", text)
    if match:
        return match.group(1), int(match.group(2))
    return text.strip(), None


# -- schedule risk (shared by the list, the calendar and the board) -------------

RISK_LEAD_TIME = timedelta(weeks=8)


@dataclass(frozen=True, slots=True)
class ScheduleRisk:
    """Why an activity's schedule looks at risk; ``suggested`` is the RAG to suggest."""

    suggested: Rag
    reason: str


def schedule_risk(activity: Activity, today: date) -> ScheduleRisk | None:
    """The domain rule behind the "at risk" flags.

    - still TBC or only planned with fewer than 8 weeks to the start of its
      window: amber (red once the window has started);
    - past its window and not completed (nor cancelled): red.
    Optional activities and those with no window are never flagged.
    """
    if activity.optional or activity.status in (Status.COMPLETED, Status.CANCELLED):
        return None
    when = activity.when
    if when.precision in (Precision.NONE, Precision.ONGOING):
        return None
    if when.end is not None and when.end < today:
        return ScheduleRisk(
            Rag.RED,
            f"its window ended on {when.end:%d %b %Y} and it is {activity.status.value}, "
            "not completed",
        )
    if activity.status in (Status.TBC, Status.PLANNED) and when.start is not None:
        to_go = (when.start - today).days
        if to_go < 0:
            return ScheduleRisk(
                Rag.RED,
                f"its window started on {when.start:%d %b %Y} and it is still "
                f"{activity.status.value}",
            )
        if to_go < RISK_LEAD_TIME.days:
            return ScheduleRisk(
                Rag.AMBER,
                f"it is still {activity.status.value} with {to_go} days to the start of "
                f"its window ({when.start:%d %b %Y}); 8 weeks is the minimum lead time",
            )
    return None


# -- funder contracts and stated totals (report) --------------------------------


@dataclass(slots=True)
class Target:
    """A count of activities, matched by a query, that a funder commissioned."""

    label: str
    query: str
    count: int

    def to_dict(self) -> dict:
        return {"label": self.label, "query": self.query, "count": self.count}

    @classmethod
    def from_dict(cls, data: dict, where: str = "target") -> Target:
        if not isinstance(data, dict):
            raise RecordError(f"{where}: expected an object, found {type(data).__name__}")
        return cls(
            label=str(_check(data, "label", str, where)),
            query=str(_check(data, "query", str, where)),
            count=int(_check(data, "count", int, where)),
        )


@dataclass(slots=True)
class FunderContract:
    funder: str
    start: date
    end: date
    targets: list[Target] = field(default_factory=list)
    notes: str = ""
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "funder": self.funder,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "targets": [t.to_dict() for t in self.targets],
            "notes": self.notes,
        }

    @classmethod
    def from_dict(cls, data: dict, where: str = "contract") -> FunderContract:
        try:
            start = date.fromisoformat(_check(data, "start", str, where))
            end = date.fromisoformat(_check(data, "end", str, where))
        except ValueError as exc:
            raise RecordError(f"{where}: bad contract date: {exc}")
        return cls(
            id=str(_check(data, "id", str, where)),
            funder=str(_check(data, "funder", str, where)),
            start=start,
            end=end,
            targets=[Target.from_dict(t, f"{where} target") for t in _list(data, "targets", where)],
            notes=str(data.get("notes", "")),
        )


@dataclass(slots=True)
class StatedTotals:
    """The totals a plan states about itself ("41 days of improvement activity")."""

    source: str
    plan_year: str
    days: float | None = None
    councillors: int | None = None
    lines: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "plan_year": self.plan_year,
            "days": self.days,
            "councillors": self.councillors,
            "lines": list(self.lines),
        }

    @classmethod
    def from_dict(cls, data: dict) -> StatedTotals:
        return cls(
            source=str(data.get("source", "")),
            plan_year=str(data.get("plan_year", "")),
            days=data.get("days"),
            councillors=data.get("councillors"),
            lines=[str(x) for x in data.get("lines", [])],
        )
