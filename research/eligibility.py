"""Eligibility from the ledger: single checks, and the denormalised state the panel filters on.

Every rule lives in research/fatigue.py. This module builds its inputs from the database and
writes its answers back (next eligible date, blocked rules, contact counts) for pages, the API,
sampling and the nightly job.
"""

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

import psycopg
import psycopg.adapt
import psycopg.pq
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from research import fatigue
from research.models import (
    Account,
    FatigueRuleSet,
    LedgerEntry,
    Override,
    Participant,
    rule_mask,
)

CHUNK = 5000
# Kinds that count as "contacting" someone for the least-contacted preference and panel health.
CONTACT_KINDS = ("invitation", "session", "other")

_LEDGER_FIELDS = (
    "participant_id",
    "account_id",
    "kind",
    "at",
    "minutes",
    "method",
    "incentive_cents",
    "team_id",
    "request_id",
)


def _lookback(rules: fatigue.Rules) -> timedelta:
    days = max(
        400,
        rules.invitation_window_days,
        rules.session_cooldown_days,
        rules.no_show_exclusion_days * 2,
    )
    return timedelta(days=days + 1)


# The account caps count sessions and minutes only: other touches of a busy account need not load.
ACCOUNT_RULE_TOUCHES = Q(kind="session") | Q(minutes__gt=0)


def _account_lookback() -> timedelta:
    # The account caps look back one rolling quarter (fatigue.QUARTER_DAYS), over every kind.
    return timedelta(days=fatigue.QUARTER_DAYS + 1)


# Building the pure function's inputs ------------------------------------------------------------


def _touch(row) -> fatigue.Touch:
    _pid, _aid, kind, at, minutes, method, cents, team_id, request_id = row
    return fatigue.Touch(
        kind=kind,
        at=at,
        minutes=minutes,
        method=method or None,
        incentive_cents=cents,
        team_id=team_id,
        study_id=request_id,
    )


def _facts(
    *, consent, opted_out, do_not_contact, attributes, account_attributes
) -> fatigue.ParticipantFacts:
    return fatigue.ParticipantFacts(
        consent=consent == Participant.Consent.GRANTED,
        opted_out=opted_out,
        do_not_contact=do_not_contact,
        attributes=attributes or {},
        account_attributes=account_attributes or {},
    )


def _account_attributes(account: Account | None) -> dict:
    return account.fatigue_attributes() if account else {}


def _active_overrides(participant_ids, now, request_id=None) -> dict[int, frozenset]:
    # An override belongs to one request: without one, none applies.
    if request_id is None:
        return {}
    found = defaultdict(set)
    for pid, rule in Override.objects.filter(
        participant_id__in=participant_ids, expires_at__gt=now, request_id=request_id
    ).values_list("participant_id", "rule"):
        found[pid].add(rule)
    return {pid: frozenset(rules) for pid, rules in found.items()}


def eligibility_check(
    *,
    participant: Participant | int,
    method: str | None = None,
    now=None,
    rules=None,
    tz=None,
    request_id: int | None = None,
) -> fatigue.Eligibility:
    """The authoritative answer for one participant (or participant id), straight from the ledger.

    The participant's consent, flags and attributes are read with the ledger, not taken from
    the object passed in, so the answer matches what is stored. Overrides apply only to the
    request they were granted for (``request_id``).
    """
    now = now or timezone.now()
    rules = rules or FatigueRuleSet.objects.current_rules()
    facts, own, account_touches, overrides = _one(
        participant, now=now, rules=rules, request_id=request_id
    )
    return fatigue.evaluate(
        facts=facts,
        touches=own,
        account_touches=account_touches,
        rules=rules,
        now=now,
        method=method,
        overrides=overrides,
        tz=tz,
    )


# Participant and account facts, own touches, account touches and active overrides in one
# statement: a single check is one round trip, so its cost is the ledger, not the latency.
_ONE_SQL = """
    WITH person AS (
        SELECT p.id, p.account_id, p.consent, p.opted_out, p.do_not_contact, p.attributes,
               a.attributes AS account_attributes, a.renewal_date, a.owner_flagged
          FROM research_participant p LEFT JOIN research_account a ON a.id = p.account_id
         WHERE p.id = %(pid)s
    )
    SELECT 0, id, account_id, consent, NULL::timestamptz, 0, '', 0, NULL::bigint, NULL::bigint,
           opted_out, do_not_contact, attributes, account_attributes, renewal_date, owner_flagged
      FROM person
    UNION ALL
    SELECT 1, participant_id, account_id, kind, at, minutes, method, incentive_cents, team_id,
           request_id, NULL, NULL, NULL, NULL, NULL, NULL
      FROM research_ledgerentry WHERE participant_id = %(pid)s AND at >= %(own_since)s
    UNION ALL
    SELECT 2, participant_id, account_id, kind, at, minutes, method, incentive_cents, team_id,
           request_id, NULL, NULL, NULL, NULL, NULL, NULL
      FROM research_ledgerentry
     WHERE account_id = (SELECT account_id FROM person) AND at >= %(account_since)s
           AND (kind = 'session' OR minutes > 0)
    UNION ALL
    SELECT 3, participant_id, NULL, rule, expires_at, 0, '', 0, NULL, NULL,
           NULL, NULL, NULL, NULL, NULL, NULL
      FROM research_override WHERE participant_id = %(pid)s AND expires_at > %(now)s
           AND request_id = %(request_id)s::bigint
"""


def _one(participant, *, now, rules, request_id=None):
    """(facts, own touches, account touches, active overrides) of one participant."""
    pid = participant.pk if isinstance(participant, Participant) else int(participant)
    own_since = now - _lookback(rules)
    account_since = now - _account_lookback()
    if connection.vendor == "postgresql":
        with _binary_cursor() as cursor:
            params = {
                "pid": pid,
                "own_since": own_since,
                "account_since": account_since,
                "now": now,
                "request_id": request_id,
            }
            cursor.execute(_ONE_SQL, params)
            rows = cursor.fetchall()
        person = next((r for r in rows if r[0] == 0), None)
        if person is None:
            raise Participant.DoesNotExist(f"No participant {pid}.")
        *_, opted_out, dnc, attributes, account_attributes, renewal, flagged = person
        facts = _facts(
            consent=person[3],
            opted_out=opted_out,
            do_not_contact=dnc,
            attributes=attributes,
            account_attributes=(
                {**(account_attributes or {}), "renewal_date": renewal, "owner_flagged": flagged}
                if person[2] is not None
                else {}
            ),
        )
        own = [_touch(r[1:10]) for r in rows if r[0] == 1]
        account = [_touch(r[1:10]) for r in rows if r[0] == 2]
        overrides = frozenset(r[3] for r in rows if r[0] == 3)
        return facts, own, account, overrides
    participant = Participant.objects.select_related("account").get(pk=pid)
    facts = _facts(
        consent=participant.consent,
        opted_out=participant.opted_out,
        do_not_contact=participant.do_not_contact,
        attributes=participant.attributes,
        account_attributes=_account_attributes(participant.account),
    )
    own = [
        _touch(r)
        for r in LedgerEntry.objects.filter(participant_id=pid, at__gte=own_since).values_list(
            *_LEDGER_FIELDS
        )
    ]
    account = []
    if participant.account_id:
        account = [
            _touch(r)
            for r in LedgerEntry.objects.filter(
                ACCOUNT_RULE_TOUCHES, account_id=participant.account_id, at__gte=account_since
            ).values_list(*_LEDGER_FIELDS)
        ]
    overrides = _active_overrides([pid], now, request_id).get(pid, frozenset())
    return facts, own, account, overrides


def eligibility_for_many(
    *,
    participant_ids,
    method=None,
    session_minutes=0,
    incentive_cents=0,
    now=None,
    rules=None,
    request_id=None,
) -> dict[int, fatigue.Eligibility]:
    """Authoritative answers for a handful of participants (a drawn sample) in four queries."""
    now = now or timezone.now()
    rules = rules or FatigueRuleSet.objects.current_rules()
    state = _evaluate(
        participant_ids,
        now=now,
        rules=rules,
        method=method,
        session_minutes=session_minutes,
        incentive_cents=incentive_cents,
        request_id=request_id,
    )
    return {pid: result for pid, (result, _row) in state.items()}


# Refresh of the denormalised columns ----------------------------------------------------------

_PARTICIPANT_FIELDS = (
    "id",
    "account_id",
    "consent",
    "opted_out",
    "do_not_contact",
    "attributes",
    "next_eligible_at",
    "blocked_rules",
    "contact_count",
    "last_contacted_at",
)


def ids_param(ids):
    """For `__in`: on PostgreSQL one array parameter instead of thousands of placeholders."""
    ids = list(ids)
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", (ids,))
    return ids


@dataclass(frozen=True)
class Chunk:
    """Which participants to evaluate, as filters for each table read."""

    people: Q  # on Participant
    accounts: Q | None  # on Account; None when nobody in the chunk has one
    account_ledger: Q | None  # on LedgerEntry, every touch of their accounts

    @classmethod
    def of_ids(cls, ids):
        their_accounts = Participant.objects.filter(
            pk__in=ids_param(ids), account__isnull=False
        ).values("account_id")
        return cls(
            Q(pk__in=ids_param(ids)), Q(pk__in=their_accounts), Q(account_id__in=their_accounts)
        )

    @classmethod
    def of_loose(cls, low, high):
        """People without an account whose ids fall in [low, high]."""
        return cls(Q(account__isnull=True, pk__range=(low, high)), None, None)

    @classmethod
    def of_accounts(cls, low, high):
        # Sized by the nightly job so a chunk holds whole accounts: each account ledger is read once.
        return cls(
            Q(account__id__range=(low, high)),
            Q(pk__range=(low, high)),
            Q(account__id__range=(low, high)),
        )


def _binary_cursor():
    """A PostgreSQL cursor that returns binary rows (timestamps decode far faster), wrapped as
    Django wraps its own so query logging, counting and execute wrappers still see it."""
    connection.ensure_connection()
    # Django's own cursors bind parameters client-side, which cannot return binary rows.
    raw = psycopg.Cursor(connection.connection)
    raw.format = psycopg.pq.Format.BINARY
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)


class _JsonbAsText(psycopg.adapt.Loader):
    """jsonb in binary is a version byte then the text; most rows hold {} or [] and need no parsing."""

    format = psycopg.pq.Format.BINARY

    def load(self, data):
        return bytes(data[1:]).decode()


def _rows(queryset, fields) -> list[tuple]:
    """values_list rows; on PostgreSQL through a binary cursor, which decodes timestamps far faster."""
    qs = queryset.order_by().values_list(*fields)
    if connection.vendor != "postgresql":
        return list(qs)
    sql, params = qs.query.sql_with_params()
    with _binary_cursor() as cursor:
        cursor.adapters.register_loader("jsonb", _JsonbAsText)
        cursor.execute(sql, params)
        return cursor.fetchall()


_EMPTY_JSON = {"{}": {}, "[]": [], "null": None, "": None}


def _json(value):
    if isinstance(value, str):
        if value in _EMPTY_JSON:
            return type(_EMPTY_JSON[value])() if _EMPTY_JSON[value] is not None else {}
        return json.loads(value)
    return value or {}


def _evaluate(
    ids=None,
    *,
    chunk=None,
    now,
    rules,
    method=None,
    session_minutes=0,
    incentive_cents=0,
    memo=None,
    request_id=None,
    usage=None,
) -> dict:
    """Evaluate a chunk of participants: one query each for people, accounts, ledgers and overrides."""
    chunk = chunk or Chunk.of_ids(list(ids))
    people = _rows(Participant.objects.filter(chunk.people), _PARTICIPANT_FIELDS)
    if not people:
        return {}
    accounts = {}
    if chunk.accounts is not None:
        stored_usage = {}
        for aid, attributes, renewal, flagged, sessions, minutes in _rows(
            Account.objects.filter(chunk.accounts),
            (
                "id",
                "attributes",
                "renewal_date",
                "owner_flagged",
                "quarter_sessions",
                "quarter_minutes",
            ),
        ):
            accounts[aid] = {**_json(attributes), "renewal_date": renewal, "owner_flagged": flagged}
            stored_usage[aid] = (sessions, minutes)
    own_since = now - _lookback(rules)
    own = defaultdict(list)
    # By participant id (index participant, at): a join on the account range makes PostgreSQL
    # scan the whole ledger.
    person_ids = ids_param([row[0] for row in people])
    for row in _rows(
        LedgerEntry.objects.filter(participant_id__in=person_ids, at__gte=own_since), _LEDGER_FIELDS
    ):
        own[row[0]].append(_touch(row))
    per_account = defaultdict(list)
    if accounts:
        account_rows = _rows(
            LedgerEntry.objects.filter(
                chunk.account_ledger, ACCOUNT_RULE_TOUCHES, at__gte=now - _account_lookback()
            ),
            _LEDGER_FIELDS,
        )
        for row in account_rows:
            per_account[row[1]].append(_touch(row))
    # One sorted ledger per account, shared by all its people.
    account_ledgers = {aid: fatigue.Ledger(touches) for aid, touches in per_account.items()}
    if usage is not None and accounts:
        # Each account's quarter, as the caps count it (touches after now - 91 days).
        start = now - fatigue.ACCOUNT_LOOKBACK
        for aid in accounts:
            touches = [t for t in per_account.get(aid, ()) if t.at > start]
            now_usage = (
                sum(1 for t in touches if t.kind == "session"),
                sum(t.minutes for t in touches),
            )
            if now_usage != stored_usage[aid]:
                usage[aid] = now_usage
    empty = fatigue.Ledger(())
    overrides = defaultdict(set)
    # An override belongs to one request: the denormalised state (everyone's view) ignores it.
    if request_id is not None:
        for pid, rule in _rows(
            Override.objects.filter(
                participant_id__in=person_ids, expires_at__gt=now, request_id=request_id
            ),
            ("participant_id", "rule"),
        ):
            overrides[pid].add(rule)
    # People without touches or overrides in the same account get the same answer: evaluate once
    # (across the chunks of one refresh, when the caller passes a memo).
    memo = {} if memo is None else memo
    results = {}
    for row in people:
        pid, aid, consent, opted_out, dnc, attributes = row[:6]
        attributes = _json(attributes)
        touches = own.get(pid)
        key = None
        if not touches and pid not in overrides:
            key = (
                aid,
                consent,
                bool(opted_out),
                bool(dnc),
                json.dumps(attributes, sort_keys=True, default=str),
            )
            if key in memo:
                results[pid] = (memo[key], (row, ()))
                continue
        result = fatigue.evaluate(
            facts=_facts(
                consent=consent,
                opted_out=bool(opted_out),
                do_not_contact=bool(dnc),
                attributes=attributes,
                account_attributes=accounts.get(aid),
            ),
            touches=touches or empty,
            account_touches=account_ledgers.get(aid, empty),
            rules=rules,
            now=now,
            method=method,
            overrides=frozenset(overrides.get(pid, ())),
            session_minutes=session_minutes,
            incentive_cents=incentive_cents,
        )
        if key is not None:
            memo[key] = result
        results[pid] = (result, (row, touches or ()))
    return results


def _new_state(result: fatigue.Eligibility, row, touches, now) -> tuple:
    current_next, current_blocked, current_count, current_last = row[6:10]
    current_blocked = _json(current_blocked) or []
    if result.eligible:
        # Keep "eligible since" stable so an unchanged participant is not rewritten nightly.
        stays = current_next is not None and current_next <= now and not current_blocked
        next_at = current_next if stays else now
        blocked = []
    else:
        next_at = result.next_eligible_at
        blocked = sorted({r.rule for r in result.refusals})
    year_ago = now - timedelta(days=365)
    contacts = [t.at for t in touches if t.kind in CONTACT_KINDS]
    count = sum(1 for at in contacts if at >= year_ago)
    last = max(contacts, default=None)
    if current_last and (last is None or current_last > last):
        last = current_last
    return next_at, blocked, count, last


def refresh_participants(*, ids, now=None, rules=None) -> int:
    """Re-evaluate these participants and rewrite the denormalised columns that changed."""
    now = now or timezone.now()
    rules = rules or FatigueRuleSet.objects.current_rules()
    ids = list(ids)
    changed = 0
    memo = {}
    for start in range(0, len(ids), CHUNK):
        chunk = Chunk.of_ids(ids[start : start + CHUNK])
        c, _seen = refresh_chunk(chunk, now=now, rules=rules, memo=memo)
        changed += c
    return changed


def refresh_chunk(chunk: Chunk, *, now, rules, memo=None) -> tuple[int, int]:
    """Re-evaluate one chunk and write what changed: (changed, seen). Running it twice is harmless."""
    updates = []
    usage = {}
    results = _evaluate(chunk=chunk, now=now, rules=rules, memo=memo, usage=usage)
    for pid, (result, (row, touches)) in results.items():
        state = _new_state(result, row, touches, now)
        current = (row[6], _json(row[7]) or [], row[8], row[9])
        if state != current:
            updates.append((pid, *state))
    _write_state(updates, now)
    if usage:
        Account.objects.bulk_update(
            [
                Account(pk=aid, quarter_sessions=sessions, quarter_minutes=minutes)
                for aid, (sessions, minutes) in usage.items()
            ],
            ["quarter_sessions", "quarter_minutes"],
            batch_size=1000,
        )
    return len(updates), len(results)


def _write_state(updates, now) -> None:
    if not updates:
        return
    if connection.vendor == "postgresql":
        # A binary COPY into a scratch table and one UPDATE … FROM: little Python per row. As
        # next_eligible_at has no index and pages keep free space (fillfactor), PostgreSQL
        # rewrites most rows in place (HOT) without touching the participant indexes.
        with transaction.atomic(), _binary_cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE research_state_rows (id bigint, next_at timestamptz, "
                "blocked jsonb, mask integer, contacts integer, last_at timestamptz) ON COMMIT DROP"
            )
            with cursor.copy("COPY research_state_rows FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(["int8", "timestamptz", "jsonb", "int4", "int4", "timestamptz"])
                for pid, next_at, blocked, count, last in updates:
                    copy.write_row((pid, next_at, blocked, rule_mask(blocked), count, last))
            # Without statistics the planner may hash the whole participant table for a chunk.
            cursor.execute("ANALYZE research_state_rows")
            cursor.execute(
                """
                UPDATE research_participant AS p
                   SET next_eligible_at = v.next_at, blocked_rules = v.blocked,
                       blocked_mask = v.mask, contact_count = v.contacts, last_contacted_at = v.last_at,
                       refreshed_at = %s
                  FROM research_state_rows AS v
                 WHERE p.id = v.id
                """,
                [now],
            )
            cursor.execute("DROP TABLE research_state_rows")
        return
    objs = [
        Participant(
            pk=pid,
            next_eligible_at=next_at,
            blocked_rules=blocked,
            blocked_mask=rule_mask(blocked),
            contact_count=count,
            last_contacted_at=last,
            refreshed_at=now,
        )
        for pid, next_at, blocked, count, last in updates
    ]
    Participant.objects.bulk_update(
        objs,
        [
            "next_eligible_at",
            "blocked_rules",
            "blocked_mask",
            "contact_count",
            "last_contacted_at",
            "refreshed_at",
        ],
        batch_size=500,
    )


def refresh_account(*, account_id: int, now=None, rules=None) -> int:
    now = now or timezone.now()
    rules = rules or FatigueRuleSet.objects.current_rules()
    changed, _seen = refresh_chunk(Chunk.of_accounts(account_id, account_id), now=now, rules=rules)
    return changed
