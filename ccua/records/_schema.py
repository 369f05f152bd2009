"""The canonical record schemas: what every client's export is turned into on ingest.

Seven kinds of operating records (T/CCUA §7.2 c asks for half a year of them). Each kind is a
table with named, typed columns; a client's export reaches it through a mapping file (headers,
value maps, time zone). The schemas are the contract between ingest (which validates rows
against them) and the measure definitions of ``records.yaml`` (which aggregate them).

Types and units, as stored in Parquet:

- ``id`` / ``text`` / ``enum``: strings (an enum lists its allowed values);
- ``timestamp``: the centre's local wall-clock time, without a zone (the mapping's ``timezone``
  says which zone that is; times with an explicit offset are converted into it on ingest);
- ``seconds``: a duration in seconds, ``DECIMAL(18,3)`` (exact to the millisecond, so that sums
  are exact on every engine);
- ``bool``, ``int``: as named;
- ``personal``: customer identifiers, phone numbers and names. Never stored as given: ingest
  replaces each by a salted SHA-256 pseudonym (a 63-bit integer), so records of the same
  customer can still be counted together, but nothing leads back to the person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


def sql_literal(text: str) -> str:
    """``text`` as an SQL string literal (one spelling for DuckDB and Spark)."""
    return "'" + text.replace("'", "''") + "'"


ColumnType = Literal["id", "text", "enum", "timestamp", "seconds", "bool", "int", "personal"]

SQL_TYPES: dict[str, str] = {
    # One spelling that DuckDB and Spark SQL both accept.
    "id": "STRING",
    "text": "STRING",
    "enum": "STRING",
    "timestamp": "TIMESTAMP",
    "seconds": "DECIMAL(18,3)",
    "bool": "BOOLEAN",
    "int": "BIGINT",
    "personal": "BIGINT",
}


@dataclass(frozen=True)
class Column:
    """One canonical column."""

    name: str
    type: ColumnType
    description: str
    required: bool = False  # the export must have it (mapped, or by its canonical name)
    nullable: bool = True  # a blank cell is allowed
    values: tuple[str, ...] = ()  # allowed values of an enum
    minimum: int | None = None  # for int columns
    maximum: int | None = None
    default: str | None = None  # the value when the export lacks the column altogether
    blank: str | None = None  # the value of a blank cell (a blank hold time is none)

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.type]

    @property
    def unit(self) -> str:
        return {"seconds": "s", "timestamp": "local time", "personal": "pseudonym"}.get(
            self.type, ""
        )


@dataclass(frozen=True)
class Check:
    """A rule over a row's parsed values; ``condition`` (DuckDB SQL) is true when broken."""

    column: str  # the column the problem is reported against
    condition: str
    message: str


@dataclass(frozen=True)
class Kind:
    """A canonical table."""

    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    month_by: str  # the timestamp that puts a record in a month
    checks: tuple[Check, ...] = field(default_factory=tuple)
    # The primary key: no two records of a client may share it (ingest refuses duplicates).
    key: tuple[str, ...] = ()

    def column(self, name: str) -> Column:
        return {c.name: c for c in self.columns}[name]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def personal(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.type == "personal")

    @property
    def durations(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.type == "seconds")


def _key(name: str, type_: ColumnType, description: str, values: tuple[str, ...] = ()) -> Column:
    """A column every record has: the export must give it, never blank."""
    return Column(name, type_, description, required=True, nullable=False, values=values)


def _customer(what: str = "id", name: str = "customer_id") -> Column:
    return Column(name, "personal", f"the customer's {what} (pseudonymised on ingest)")


def _ts(name: str, description: str, *, required: bool = True, nullable: bool = False) -> Column:
    return Column(name, "timestamp", description, required=required, nullable=nullable)


def _s(name: str, description: str, *, required: bool = False, blank: str | None = None) -> Column:
    return Column(name, "seconds", description, required=required, blank=blank)


def _not_before(later: str, earlier: str, message: str) -> Check:
    return Check(later, f"{later} < {earlier}", message)


def _non_negative(kind_durations: tuple[str, ...]) -> tuple[Check, ...]:
    return tuple(Check(d, f"{d} < 0", "a duration cannot be negative") for d in kind_durations)


VOICE = Kind(
    name="voice",
    title="Voice calls",
    description="One row per inbound call offered to the agent queue (after the IVR). A call "
    "that was never answered is abandoned; its wait runs to ended_at.",
    key=("call_id",),
    month_by="arrived_at",
    columns=(
        _key("call_id", "id", "the call's id in the centre's system"),
        Column("channel", "text", "the channel, normally voice", default="voice"),
        Column("queue", "text", "the queue or skill group"),
        _ts("arrived_at", "entered the agent queue (after the IVR)"),
        _ts("answered_at", "an agent answered; blank = abandoned", nullable=True),
        _ts("ended_at", "the call ended (hang-up, abandon or transfer out)"),
        Column(
            "agent_id", "id", "the agent who answered (staff id, not personal data of customers)"
        ),
        _s("ring_s", "ring time before the answer; part of the wait", blank="0"),
        _s("talk_s", "talk time; required when answered", required=True),
        _s("hold_s", "hold time during the call", blank="0"),
        _s("wrap_s", "after-call work", blank="0"),
        Column("transferred", "bool", "transferred to another queue or agent"),
        Column(
            "resolved_first_contact", "bool", "resolved in this first contact (the centre's flag)"
        ),
        _customer(),
        Column("caller_number", "personal", "the calling number (pseudonymised on ingest)"),
        _customer("name", "customer_name"),
    ),
    checks=(
        _not_before("answered_at", "arrived_at", "answered before it arrived"),
        Check(
            "ended_at",
            "ended_at < COALESCE(answered_at, arrived_at)",
            "ended before it arrived or was answered",
        ),
        *_non_negative(("ring_s", "talk_s", "hold_s", "wrap_s")),
        Check(
            "talk_s",
            "answered_at IS NOT NULL AND talk_s IS NULL",
            "an answered call needs its talk time",
        ),
        Check(
            "ring_s",
            "answered_at >= arrived_at AND ring_s * 1000 > "
            "epoch_ms(answered_at) - epoch_ms(arrived_at)",
            "ring time is longer than the whole wait",
        ),
    ),
)

DIGITAL = Kind(
    name="digital",
    title="Digital contacts",
    description="One row per chat, messaging, e-mail or video contact offered to agents. "
    "first_response_at is the agent's first reply (text) or answer (video); blank "
    "= never reached an agent.",
    key=("contact_id",),
    month_by="arrived_at",
    columns=(
        _key("contact_id", "id", "the contact's id"),
        _key(
            "channel",
            "enum",
            "chat, messaging (app, WeChat, SMS), email, video or social",
            ("chat", "messaging", "email", "video", "social"),
        ),
        Column("queue", "text", "the queue or skill group"),
        _ts("arrived_at", "entered the agent queue"),
        _ts("first_response_at", "first agent reply or answer; blank = none", nullable=True),
        _ts("ended_at", "the contact closed", required=False, nullable=True),
        Column("agent_id", "id", "the agent who responded"),
        _s("handle_s", "agent handling time"),
        Column("transferred", "bool", "transferred to another queue or agent"),
        Column("resolved_first_contact", "bool", "resolved in this first contact"),
        _customer(),
        _customer("name", "customer_name"),
    ),
    checks=(
        _not_before("first_response_at", "arrived_at", "first response before it arrived"),
        Check(
            "ended_at",
            "ended_at < COALESCE(first_response_at, arrived_at)",
            "ended before it arrived or was answered",
        ),
        *_non_negative(("handle_s",)),
    ),
)

BOT = Kind(
    name="bot",
    title="Bot and IVR sessions",
    description="One row per self-service session: IVR or voice bot (channel voice), chatbot "
    "(text) or video bot. A session the bot handled alone was not transferred.",
    key=("session_id",),
    month_by="started_at",
    columns=(
        _key("session_id", "id", "the session's id"),
        _key(
            "channel",
            "enum",
            "voice (IVR, voice bot), text (chatbot) or video",
            ("voice", "text", "video"),
        ),
        _ts("started_at", "the session started"),
        _ts("ended_at", "the session ended", required=False, nullable=True),
        _key("transferred_to_agent", "bool", "the customer was transferred to an agent"),
        Column(
            "resolved", "bool", "resolved by the bot (the customer's rating or the system's flag)"
        ),
        Column("questions", "int", "customer questions in the session", minimum=0, blank="0"),
        Column("recognised_questions", "int", "questions the bot recognised", minimum=0, blank="0"),
        Column(
            "unresolved_questions",
            "int",
            "questions the customer rated 未解决",
            minimum=0,
            blank="0",
        ),
        Column("error", "bool", "the system made an error in the session", blank="false"),
        _customer(),
    ),
    checks=(
        _not_before("ended_at", "started_at", "ended before it started"),
        Check(
            "recognised_questions",
            "recognised_questions > questions",
            "more questions recognised than asked",
        ),
        Check(
            "unresolved_questions",
            "unresolved_questions > questions",
            "more questions rated unresolved than asked",
        ),
    ),
)

AGENT_STATES = Kind(
    name="agent_states",
    title="Agent state intervals",
    description="One row per interval an agent spent in one state while logged in. The "
    "intervals of an agent do not overlap; together they are the logged-in time.",
    key=("agent_id", "started_at"),
    month_by="started_at",
    columns=(
        _key("agent_id", "id", "the agent"),
        _key(
            "state",
            "enum",
            "ready, ringing, talking, hold, wrap, not_ready, break, or "
            "logged_in (logged in, no finer state recorded)",
            ("logged_in", "ready", "ringing", "talking", "hold", "wrap", "not_ready", "break"),
        ),
        _ts("started_at", "the interval started"),
        _ts("ended_at", "the interval ended"),
        Column("channel", "text", "the agent's channel: voice, text, video or blended"),
    ),
    checks=(_not_before("ended_at", "started_at", "ended before it started"),),
)

QA = Kind(
    name="qa",
    title="Quality evaluations",
    description="One row per monitored contact scored by quality assurance.",
    key=("evaluation_id",),
    month_by="evaluated_at",
    columns=(
        _key("evaluation_id", "id", "the evaluation's id"),
        Column("contact_id", "id", "the evaluated call or contact"),
        Column("channel", "text", "its channel"),
        Column("agent_id", "id", "the evaluated agent"),
        _ts("evaluated_at", "when it was evaluated"),
        Column("score", "int", "the QA score, 0-100", minimum=0, maximum=100),
        *(
            _key(f"{what}_critical_error", "bool", f"a {what}-critical error was found")
            for what in ("business", "customer", "compliance")
        ),
    ),
)

SURVEY = Kind(
    name="survey",
    title="Survey answers",
    description="One row per answered survey: the post-service rating (IVR, SMS, chat) or a "
    "satisfaction questionnaire.",
    key=("response_id",),
    month_by="answered_at",
    columns=(
        _key("response_id", "id", "the answer's id"),
        Column(
            "survey",
            "enum",
            "post_service (rating after the contact) or questionnaire",
            values=("post_service", "questionnaire"),
            default="post_service",
            nullable=False,
        ),
        Column("contact_id", "id", "the contact it rates"),
        Column("channel", "text", "the contact's channel"),
        _ts("answered_at", "when the customer answered"),
        Column(
            "satisfaction",
            "int",
            "satisfaction, 1 (very dissatisfied) to 5 (very satisfied)",
            minimum=1,
            maximum=5,
        ),
        Column(
            "effort", "int", "customer effort, 1 (very low) to 7 (very high)", minimum=1, maximum=7
        ),
        Column("nps", "int", "likelihood to recommend, 0-10", minimum=0, maximum=10),
        Column("resolved", "bool", "the customer says the problem was resolved"),
        _customer(),
    ),
)

SCHEDULE = Kind(
    name="schedule",
    title="Agent schedules",
    description="One row per scheduled shift of an agent (the published schedule).",
    key=("agent_id", "shift_start"),
    month_by="shift_start",
    columns=(
        _key("agent_id", "id", "the agent"),
        _ts("shift_start", "the shift starts"),
        _ts("shift_end", "the shift ends"),
        Column("queue", "text", "the queue or skill group planned"),
    ),
    checks=(Check("shift_end", "shift_end <= shift_start", "the shift ends before it starts"),),
)


def derived_columns(k: Kind, epoch_ms: str) -> list[tuple[str, str]]:
    """The columns every engine adds to a canonical table, as (name, SQL expression).

    Measure definitions compute with integers only, so that DuckDB and Spark give the same
    exact sums: every timestamp gets one (``arrived_at`` → ``arrived_ms``, milliseconds since
    1970-01-01 in local time; ``epoch_ms`` is the engine's spelling, with ``{}`` for the
    column) and every duration too (``talk_s`` → ``talk_ms``, whole milliseconds). ``month``
    (``YYYY-MM``) comes from the partition folder.
    """
    out = [
        (f"{c.name.removesuffix('_at')}_ms", epoch_ms.format(c.name))
        for c in k.columns
        if c.type == "timestamp"
    ]
    out += [
        (f"{c.name[:-2]}_ms", f"CAST({c.name} * 1000 AS BIGINT)")
        for c in k.columns
        if c.type == "seconds"
    ]
    return out


def table_columns(k: Kind) -> tuple[str, ...]:
    """Every column a measure definition may use on a canonical table."""
    return (*k.names, *(name for name, _ in derived_columns(k, "{}")), "month")


KINDS: dict[str, Kind] = {
    k.name: k for k in (VOICE, DIGITAL, BOT, AGENT_STATES, QA, SURVEY, SCHEDULE)
}


def kind(name: str) -> Kind:
    """The canonical table ``name``, or a clear error listing the kinds."""
    from ccua.errors import CcuaError

    try:
        return KINDS[name]
    except KeyError:
        raise CcuaError(
            f"`kind` must be one of {', '.join(KINDS)}, got {name!r}", field="kind"
        ) from None
