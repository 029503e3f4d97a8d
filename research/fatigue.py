"""Contact-fatigue rules: one pure function over a participant's ledger.

Pages, the API, sampling and the nightly job all call :func:`evaluate`; nothing else decides
whether a customer may be contacted. No Django import, so it is fast to test and to run in bulk.

Time conventions (documented here once, tested in tests/research/test_fatigue_*.py):

* Every datetime is timezone-aware; naive datetimes are refused with ``ValueError``.
* "N days" is N * 24 hours on instants, never calendar days, so a cooldown that spans a DST change
  ends at the same UTC time of day it started (the local clock time shifts by the DST hour).
* A touch counts in a rolling window of W days at instant t while ``t < touch.at + W``: it stops
  counting at exactly ``touch.at + W``, which is therefore the "eligible again" instant.
* "Year" is a rolling 365 days and "quarter" (the per-account caps) a rolling 91 days, so limits
  never reset all at once on a calendar boundary.
* Touches dated after ``now`` (scheduled sessions) count already: a planned session blocks a
  second one just as a held one does.
* ``account_touches`` is the ledger of every participant of the same account, the participant's
  own touches included.
* Minutes of every touch kind count towards the account's minutes cap, and incentives of every
  touch kind towards the incentive cap; session limits and the session cooldown count only
  ``"session"`` touches.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta, tzinfo
from itertools import accumulate
from operator import attrgetter
from types import MappingProxyType

from research.windows import (
    as_date,
    count_lapse,
    count_since,
    days_until,
    no_show_lapse,
    sum_lapse,
)

__all__ = [
    "ACCOUNT_LOOKBACK",
    "OVERRIDABLE",
    "QUARTER_DAYS",
    "RULE_NAMES",
    "TOUCH_KINDS",
    "YEAR_DAYS",
    "Eligibility",
    "Ledger",
    "ParticipantFacts",
    "Refusal",
    "Rules",
    "Touch",
    "as_ledger",
    "days_until",
    "evaluate",
    "participant_lookback",
]

TOUCH_KINDS = ("invitation", "session", "no_show", "incentive", "other")

YEAR_DAYS = 365
QUARTER_DAYS = 91
ACCOUNT_LOOKBACK = timedelta(days=QUARTER_DAYS)
_YEAR = timedelta(days=YEAR_DAYS)
_DAY = timedelta(days=1)

RULE_NAMES: dict[str, str] = {
    "consent": "Consent",
    "opt-out": "Opt-out",
    "do-not-contact": "Do not contact",
    "invitation-limit": "Invitation limit",
    "invitation-cooldown": "Invitation cooldown",
    "session-cooldown": "Session cooldown",
    "session-limit": "Session limit",
    "method-session-limit": "Session limit per method",
    "account-session-cap": "Account session cap",
    "account-minutes-cap": "Account minutes cap",
    "incentive-cap": "Incentive cap",
    "no-show-exclusion": "No-show exclusion",
    "renewal-quiet-period": "Renewal quiet period",
    "owner-flag": "Account owner flag",
}

# A researcher may override a cooldown with a written reason; consent, opt-out and
# do-not-contact can never be overridden, and neither can the caps that protect the customer.
OVERRIDABLE = frozenset({"invitation-cooldown", "session-cooldown"})


@dataclass(frozen=True, slots=True)
class Touch:
    kind: str
    at: datetime
    minutes: int = 0
    method: str | None = None
    incentive_cents: int = 0
    team_id: int | None = None
    study_id: int | None = None


@dataclass(frozen=True)
class ParticipantFacts:
    consent: bool
    opted_out: bool
    do_not_contact: bool
    attributes: Mapping[str, object] = field(default_factory=dict)
    # May hold "renewal_date" (date, datetime or ISO string) and "owner_flagged" (bool).
    account_attributes: Mapping[str, object] = field(default_factory=dict)


_RULE_INT_FIELDS = (
    "max_invitations",
    "invitation_window_days",
    "invitation_cooldown_days",
    "session_cooldown_days",
    "max_sessions_per_year",
    "account_max_sessions_per_quarter",
    "account_max_minutes_per_quarter",
    "incentive_cap_cents_per_year",
    "no_show_limit",
    "no_show_exclusion_days",
    "renewal_quiet_days",
)


@dataclass(frozen=True)
class Rules:
    """The fatigue settings ProductOps admins edit; defaults are those of the issue.

    A cooldown, window or quiet period of 0 days switches that rule off; a cap of 0 refuses
    everyone (nothing fits under it).
    """

    max_invitations: int = 3
    invitation_window_days: int = 90
    invitation_cooldown_days: int = 14
    session_cooldown_days: int = 60
    max_sessions_per_year: int = 4
    max_sessions_per_year_by_method: Mapping[str, int] = field(default_factory=dict)
    account_max_sessions_per_quarter: int = 10
    account_max_minutes_per_quarter: int = 600
    incentive_cap_cents_per_year: int = 60000
    no_show_limit: int = 2
    no_show_exclusion_days: int = 180
    renewal_quiet_days: int = 60
    respect_owner_flag: bool = True

    def __post_init__(self):
        for name in _RULE_INT_FIELDS:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"Rule setting {name!r} must be a whole number, got {value!r}.")
            if value < 0:
                raise ValueError(f"Rule setting {name!r} must be 0 or more, got {value}.")
        if not isinstance(self.respect_owner_flag, bool):
            raise ValueError(
                f"Rule setting 'respect_owner_flag' must be true or false, "
                f"got {self.respect_owner_flag!r}."
            )
        by_method = self.max_sessions_per_year_by_method
        if not isinstance(by_method, Mapping):
            raise ValueError(
                "Rule setting 'max_sessions_per_year_by_method' must map a method to a number, "
                f"got {by_method!r}."
            )
        for method, limit in by_method.items():
            if not isinstance(method, str) or not method:
                raise ValueError(
                    f"Rule setting 'max_sessions_per_year_by_method' has a bad method {method!r}."
                )
            if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
                raise ValueError(
                    f"Rule setting 'max_sessions_per_year_by_method' for {method!r} must be a "
                    f"whole number of 0 or more, got {limit!r}."
                )
        # Frozen means frozen: nobody mutates the per-method limits behind our back.
        object.__setattr__(
            self, "max_sessions_per_year_by_method", MappingProxyType(dict(by_method))
        )
        # Spans the checks need, built once per Rules rather than once per participant.
        lookback = max(
            YEAR_DAYS,
            self.invitation_window_days,
            self.invitation_cooldown_days,
            self.session_cooldown_days,
            # A no-show counts the no-shows within the period before it.
            2 * self.no_show_exclusion_days,
        )
        for name, days in (
            ("_invitation_window", self.invitation_window_days),
            ("_invitation_cooldown", self.invitation_cooldown_days),
            ("_session_cooldown", self.session_cooldown_days),
            ("_no_show_span", self.no_show_exclusion_days),
            ("_renewal_quiet", self.renewal_quiet_days),
            ("_lookback", lookback),
        ):
            object.__setattr__(self, name, timedelta(days=days))

    def __hash__(self):
        return hash(repr(sorted(self.to_dict().items())))

    def to_dict(self) -> dict:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["max_sessions_per_year_by_method"] = dict(self.max_sessions_per_year_by_method)
        return data

    @classmethod
    def from_dict(cls, d: Mapping[str, object]) -> Rules:
        """Rules from stored settings; missing keys take the defaults, unknown keys are refused."""
        if not isinstance(d, Mapping):
            raise ValueError(f"Rules must be an object of settings, got {type(d).__name__}.")
        known = {f.name for f in fields(cls)}
        for key in d:
            if key not in known:
                raise ValueError(
                    f"Unknown rule setting {key!r}; known settings: {', '.join(sorted(known))}."
                )
        return cls(**d)


@dataclass(frozen=True, slots=True)
class Refusal:
    rule: str
    message: str
    eligible_again: datetime | None  # None: not until something changes (consent), or never

    @property
    def name(self) -> str:
        return RULE_NAMES[self.rule]


@dataclass(frozen=True, slots=True)
class Eligibility:
    eligible: bool
    refusals: tuple[Refusal, ...]
    # The next instant every refusal has lapsed; None when eligible now or refused for good.
    next_eligible_at: datetime | None
    # Rules that refused but were overridden (cooldowns with a written reason), for the audit.
    overridden: tuple[str, ...] = ()

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(r.rule for r in self.refusals)


class Ledger:
    """Touches indexed for fast window queries.

    Build one per account and pass it as ``account_touches`` for every participant of that
    account: the nightly job then pays the sort once per account instead of once per person.
    """

    __slots__ = (
        "touches",
        "invitations",
        "sessions",
        "sessions_by_method",
        "no_shows",
        "all_at",
        "minutes_prefix",
        "incentive_prefix",
    )

    def __init__(self, touches: Iterable[Touch], *, account_only: bool = False):
        ordered = list(touches)
        # Whole-list checks in C; only an odd ledger pays for per-touch normalising.
        if not _KIND_SET.issuperset(map(_kind, ordered)) or any(
            zone is not UTC for zone in set(map(_zone, ordered))
        ):
            ordered = [_checked(t) for t in ordered]
        ordered.sort(key=_touch_at)
        self.touches: tuple[Touch, ...] = tuple(ordered)
        self.all_at: list[datetime] = list(map(_touch_at, ordered))
        held = [t for t in ordered if t.kind == "session"]
        self.sessions: list[datetime] = list(map(_touch_at, held))
        self.minutes_prefix: list[int] = list(accumulate(map(_minutes, ordered), initial=0))
        self.sessions_by_method: dict[str, list[datetime]] = {}
        if account_only:
            # The account rules read sessions and minutes only; a busy account skips the rest.
            self.invitations, self.no_shows, self.incentive_prefix = [], [], [0]
            return
        for touch in held:
            if touch.method:
                self.sessions_by_method.setdefault(touch.method, []).append(touch.at)
        self.invitations = [t.at for t in ordered if t.kind == "invitation"]
        self.no_shows = [t.at for t in ordered if t.kind == "no_show"]
        self.incentive_prefix: list[int] = list(accumulate(map(_cents, ordered), initial=0))

    def __len__(self):
        return len(self.touches)

    def __iter__(self):
        return iter(self.touches)


_touch_at = attrgetter("at")
_kind = attrgetter("kind")
_zone = attrgetter("at.tzinfo")
_minutes = attrgetter("minutes")
_cents = attrgetter("incentive_cents")
_KIND_SET = frozenset(TOUCH_KINDS)


def _checked(touch: Touch) -> Touch:
    if touch.kind not in TOUCH_KINDS:
        raise ValueError(f"Unknown touch kind {touch.kind!r}; expected one of {TOUCH_KINDS}.")
    at = touch.at
    if at.tzinfo is None:
        raise ValueError(f"Touch time {at!r} has no time zone; store and pass UTC.")
    if at.tzinfo is not UTC:
        touch = Touch(
            touch.kind,
            at.astimezone(UTC),
            touch.minutes,
            touch.method,
            touch.incentive_cents,
            touch.team_id,
            touch.study_id,
        )
    return touch


def participant_lookback(rules: Rules) -> timedelta:
    """How far back a participant's touches can matter under ``rules``.

    Callers may load only touches after ``now - participant_lookback(rules)`` (and an account's
    after ``now - ACCOUNT_LOOKBACK``): older ones never change the answer.
    """
    return rules._lookback


def as_ledger(
    touches: Sequence[Touch] | Ledger, since: datetime | None = None, account_only: bool = False
) -> Ledger:
    """A Ledger of ``touches``; with ``since``, a plain list keeps only touches after it."""
    if isinstance(touches, Ledger):
        return touches
    if not touches:
        return _EMPTY
    if since is not None and len(touches) > 16:
        try:
            if account_only:
                # The account rules count sessions and minutes; nothing else needs indexing.
                touches = [
                    t for t in touches if t.at > since and (t.kind == "session" or t.minutes)
                ]
            else:
                touches = [t for t in touches if t.at > since]
        except TypeError:
            raise ValueError("A touch time has no time zone; store and pass UTC.") from None
    return Ledger(touches, account_only=account_only)


_EMPTY = Ledger(())


def evaluate(
    *,
    facts: ParticipantFacts,
    touches: Sequence[Touch] | Ledger,
    account_touches: Sequence[Touch] | Ledger,
    rules: Rules,
    now: datetime,
    method: str | None = None,
    overrides: frozenset[str] = frozenset(),
    session_minutes: int = 0,
    incentive_cents: int = 0,
    tz: tzinfo | None = None,
) -> Eligibility:
    """May this participant be contacted at ``now`` (for a study of ``method``)?

    ``session_minutes`` and ``incentive_cents`` are the planned session's length and incentive:
    the account minutes cap and the incentive cap then refuse when the plan would not fit (with
    0, when the cap is already reached). ``overrides`` lists rule ids a researcher overrode with
    a written reason; only cooldowns (:data:`OVERRIDABLE`) can be, other ids are ignored.
    ``tz`` is the zone the dates in the messages are shown in (default UTC).

    ``touches`` and ``account_touches`` may be plain sequences or :class:`Ledger` objects (build
    one per account and reuse it for all its participants in a sweep). Only touches after
    ``now - participant_lookback(rules)`` and ``now - ACCOUNT_LOOKBACK`` matter, and of an
    account's only sessions and touches with minutes: loading just those (e.g. ``at > now -
    ACCOUNT_LOOKBACK`` and ``kind == "session" or minutes > 0``) keeps a check of a busy account
    fast.

    ``next_eligible_at`` is the earliest instant from which no refusal applies. It is usually the
    latest ``eligible_again`` of the refusals, but it is found by re-evaluating at that instant,
    so a renewal quiet period that starts before a cooldown ends pushes it further out.
    """
    if now.tzinfo is None:
        raise ValueError(f"now={now!r} has no time zone; pass an aware UTC datetime.")
    now = now.astimezone(UTC)
    own = as_ledger(touches, now - rules._lookback)
    account = as_ledger(account_touches, now - ACCOUNT_LOOKBACK, account_only=True)
    shown_in = tz or UTC
    applied = frozenset(overrides) & OVERRIDABLE

    check = _Check(
        facts, own, account, rules, method, applied, session_minutes, incentive_cents, shown_in
    )
    refusals, overridden = check.at(now)
    if not refusals:
        return Eligibility(True, (), None, overridden)

    next_at = _latest_lapse(refusals)
    # Re-check at the candidate instant: a window that opens later (a renewal quiet period)
    # may refuse then although it does not refuse now. Each step moves strictly forward and
    # only the renewal rule can open a new window, so a few steps always settle.
    for _ in range(8):
        if next_at is None:
            break
        later, _ignored = check.at(next_at)
        if not later:
            break
        # Every refusal at next_at lapses strictly after it (or never: None).
        next_at = _latest_lapse(later)
    return Eligibility(False, tuple(refusals), next_at, overridden)


def _latest_lapse(refusals: Sequence[Refusal]) -> datetime | None:
    latest = None
    for refusal in refusals:
        if refusal.eligible_again is None:
            return None
        if latest is None or refusal.eligible_again > latest:
            latest = refusal.eligible_again
    return latest


class _Check:
    __slots__ = (
        "facts",
        "own",
        "account",
        "rules",
        "method",
        "overrides",
        "session_minutes",
        "incentive_cents",
        "tz",
        "renewal",
    )

    def __init__(
        self, facts, own, account, rules, method, overrides, session_minutes, incentive_cents, tz
    ):
        self.facts = facts
        self.own = own
        self.account = account
        self.rules = rules
        self.method = method
        self.overrides = overrides
        self.session_minutes = session_minutes
        self.incentive_cents = incentive_cents
        self.tz = tz
        self.renewal = None
        if rules.renewal_quiet_days:
            renewal = as_date(facts.account_attributes.get("renewal_date"), "renewal_date")
            if renewal is not None:
                start = datetime(renewal.year, renewal.month, renewal.day, tzinfo=UTC)
                # Quiet from N days before the renewal day through the end of that day (UTC).
                self.renewal = (renewal, start - rules._renewal_quiet, start + _DAY)

    def day(self, instant: datetime) -> str:
        return instant.astimezone(self.tz).date().isoformat()

    def again(self, instant: datetime | None) -> str:
        if instant is None:
            return "not eligible again until this changes"
        return f"eligible again {self.day(instant)}"

    def at(self, now: datetime) -> tuple[list[Refusal], tuple[str, ...]]:
        facts, rules, own, account = self.facts, self.rules, self.own, self.account
        refusals: list[Refusal] = []
        overridden: list[str] = []

        def refuse(rule: str, message: str, again: datetime | None) -> None:
            if rule in self.overrides:
                overridden.append(rule)
            else:
                refusals.append(Refusal(rule, message, again))

        if not facts.consent:
            refuse("consent", "Consent: no consent on record; ask for consent first.", None)
        if facts.opted_out:
            refuse("opt-out", "Opt-out: the participant opted out; never contact.", None)
        if facts.do_not_contact:
            refuse("do-not-contact", "Do not contact: flagged do-not-contact; never contact.", None)

        # Invitations in the rolling window.
        if rules.invitation_window_days:
            window = rules._invitation_window
            again = count_lapse(own.invitations, now, window, rules.max_invitations)
            if again is not False:
                count = count_since(own.invitations, now - window)
                refuse(
                    "invitation-limit",
                    f"Invitation limit: {count} invitation{_s(count)} in the last "
                    f"{rules.invitation_window_days} days (at most {rules.max_invitations}); "
                    f"{self.again(again)}.",
                    again,
                )

        if rules.invitation_cooldown_days and own.invitations:
            last = own.invitations[-1]
            again = last + rules._invitation_cooldown
            if now < again:
                refuse(
                    "invitation-cooldown",
                    f"Invitation cooldown: last invitation {self.day(last)}; {self.again(again)}.",
                    again,
                )

        if rules.session_cooldown_days and own.sessions:
            last = own.sessions[-1]
            again = last + rules._session_cooldown
            if now < again:
                refuse(
                    "session-cooldown",
                    f"Session cooldown: last session {self.day(last)}; {self.again(again)}.",
                    again,
                )

        year = _YEAR
        again = count_lapse(own.sessions, now, year, rules.max_sessions_per_year)
        if again is not False:
            count = count_since(own.sessions, now - year)
            refuse(
                "session-limit",
                f"Session limit: {count} session{_s(count)} in the last {YEAR_DAYS} days "
                f"(at most {rules.max_sessions_per_year}); {self.again(again)}.",
                again,
            )

        method = self.method
        if method and method in rules.max_sessions_per_year_by_method:
            limit = rules.max_sessions_per_year_by_method[method]
            held = own.sessions_by_method.get(method, [])
            again = count_lapse(held, now, year, limit)
            if again is not False:
                count = count_since(held, now - year)
                refuse(
                    "method-session-limit",
                    f"Session limit per method: {count} {method} session{_s(count)} in the last "
                    f"{YEAR_DAYS} days (at most {limit}); {self.again(again)}.",
                    again,
                )

        quarter = ACCOUNT_LOOKBACK
        again = count_lapse(account.sessions, now, quarter, rules.account_max_sessions_per_quarter)
        if again is not False:
            count = count_since(account.sessions, now - quarter)
            refuse(
                "account-session-cap",
                f"Account session cap: the account had {count} session{_s(count)} in the last "
                f"{QUARTER_DAYS} days (at most {rules.account_max_sessions_per_quarter}); "
                f"{self.again(again)}.",
                again,
            )

        cap = rules.account_max_minutes_per_quarter
        again, used = sum_lapse(
            account.all_at, account.minutes_prefix, now, quarter, cap, self.session_minutes
        )
        if again is not False:
            planned = f" + {self.session_minutes} planned" if self.session_minutes else ""
            refuse(
                "account-minutes-cap",
                f"Account minutes cap: the account gave {used} participant-minutes{planned} in "
                f"the last {QUARTER_DAYS} days (at most {cap}); {self.again(again)}.",
                again,
            )

        cap = rules.incentive_cap_cents_per_year
        again, used = sum_lapse(
            own.all_at, own.incentive_prefix, now, year, cap, self.incentive_cents
        )
        if again is not False:
            planned = f" + {_money(self.incentive_cents)} planned" if self.incentive_cents else ""
            refuse(
                "incentive-cap",
                f"Incentive cap: {_money(used)}{planned} in incentives in the last {YEAR_DAYS} "
                f"days (at most {_money(cap)}); {self.again(again)}.",
                again,
            )

        again = no_show_lapse(own.no_shows, now, rules.no_show_limit, rules.no_show_exclusion_days)
        if again is not None:
            refuse(
                "no-show-exclusion",
                f"No-show exclusion: {rules.no_show_limit} no-shows within "
                f"{rules.no_show_exclusion_days} days, the last on "
                f"{self.day(again - rules._no_show_span)}; "
                f"{self.again(again)}.",
                again,
            )

        if self.renewal is not None:
            renewal, quiet_from, again = self.renewal
            if quiet_from <= now < again:
                refuse(
                    "renewal-quiet-period",
                    f"Renewal quiet period: the account renews on {renewal.isoformat()} "
                    f"(quiet {rules.renewal_quiet_days} days before); {self.again(again)}.",
                    again,
                )

        if rules.respect_owner_flag and facts.account_attributes.get("owner_flagged"):
            refuse(
                "owner-flag",
                "Account owner flag: the account owner asked not to contact this account; "
                "not eligible again until the owner lifts the flag.",
                None,
            )

        return refusals, tuple(overridden)


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"
