"""Linting names against the convention and finding near-duplicates in the registry, for the
live check on the pages, the lint endpoint CI calls, imports, and re-linting after a change."""

import datetime
import threading

from django.db.models import Count, F, FloatField, Func, Max, Sum, Value
from django.utils import timezone

from productops.accounts.models import Team
from telemetry import naming
from telemetry.conventions import current_convention, team_convention, with_vocabulary
from telemetry.duplicates import DuplicateIndex
from telemetry.health import health_snapshots_take
from telemetry.models import (
    Alias,
    ConventionVersion,
    Event,
    EventProperty,
    Property,
    TeamVocabulary,
)
from telemetry.team_rules import PREFIX_RULE, TeamRules

NO_TEAM_RULES = TeamRules()

LINT_NAME_MAX_LENGTH = 1000
LINT_BATCH_LIMIT = 10_000


def _result_dict(result) -> dict:
    return {
        "ok": result.ok,
        "violations": [
            {"rule": v.rule, "message": v.message, "part": v.part} for v in result.violations
        ],
        "suggestion": result.suggestion,
        "note": result.note,
    }


def team_rules(team_id: int | None) -> TeamRules:
    vocabulary = (
        TeamVocabulary.objects.select_related("team").filter(team_id=team_id).first()
        if team_id
        else None
    )
    return vocabulary.rules() if vocabulary else NO_TEAM_RULES


def _property_names(event: Event) -> set[str]:
    if event.pk is None:
        return set()
    return set(
        EventProperty.objects.filter(event_id=event.pk).values_list("property__name", flat=True)
    )


def apply_lint(
    event: Event,
    convention: naming.Convention,
    version: ConventionVersion | None,
    *,
    rules: TeamRules | None = None,
    property_names: set[str] | None = None,
) -> None:
    """The organisation's verdict plus the owning team's own rules (which only add warnings).

    `rules` and `property_names` are looked up when not given; bulk callers pass them.
    """
    result = naming.lint_event(event.name, convention)
    violations = _result_dict(result)["violations"]
    suggestion = result.suggestion or ""
    if rules is None:
        rules = team_rules(event.team_id)
    extra = []
    if rules.active:
        if rules.required_properties and property_names is None:
            property_names = _property_names(event)
        extra = rules.violations(event.name, property_names)
        if any(v["rule"] == PREFIX_RULE for v in extra):
            # Suggest the prefixed name when it also follows the organisation's convention.
            candidate = rules.prefixed(suggestion or event.name)
            if naming.lint_event(candidate, convention).ok:
                suggestion = candidate
    event.lint_violations = violations + extra
    event.lint_suggestion = suggestion[:400]
    event.lint_note = (result.note or "")[:400]
    event.linted_convention = version
    if event.no_lint:
        event.lint_state = Event.LintState.EXCEPTION
    else:
        ok = result.ok and not extra
        event.lint_state = Event.LintState.OK if ok else Event.LintState.WARNINGS


def events_relint(*, team_id: int | None = None, chunk: int = 2000) -> int:
    """Lint every event again against the current convention (and its team's words)."""
    current = current_convention()
    conventions: dict[int, naming.Convention] = {}
    vocabularies = {v.team_id: v for v in TeamVocabulary.objects.select_related("team")}
    rules = {team_id: v.rules() for team_id, v in vocabularies.items()}
    queryset = Event.objects.order_by("pk").only("pk", "name", "team_id", "no_lint")
    if team_id:
        queryset = queryset.filter(team_id=team_id)
    changed = 0
    last_pk = 0
    while True:
        batch = list(queryset.filter(pk__gt=last_pk)[:chunk])
        if not batch:
            break
        needing = [e.pk for e in batch if rules.get(e.team_id, NO_TEAM_RULES).required_properties]
        declared: dict[int, set] = {pk: set() for pk in needing}
        for event_id, name in EventProperty.objects.filter(event_id__in=needing).values_list(
            "event_id", "property__name"
        ):
            declared[event_id].add(name)
        for event in batch:
            if event.team_id not in conventions:
                conventions[event.team_id] = with_vocabulary(
                    current.convention, vocabularies.get(event.team_id)
                )
            apply_lint(
                event,
                conventions[event.team_id],
                current.version,
                rules=rules.get(event.team_id, NO_TEAM_RULES),
                property_names=declared.get(event.pk),
            )
        Event.objects.bulk_update(
            batch,
            ["lint_state", "lint_violations", "lint_suggestion", "lint_note", "linted_convention"],
        )
        changed += len(batch)
        last_pk = batch[-1].pk
    health_snapshots_take()
    return changed


class _SecondsSince(Func):
    """Seconds from the second expression to the first (a datetime), exact on PostgreSQL."""

    arg_joiner = " - "
    template = "EXTRACT(EPOCH FROM (%(expressions)s))"
    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 86400.0)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


class _RegistryIndex:
    """The duplicate index of the whole registry, built once per process and kept current.

    Building it for 50,000 events takes seconds, so each request only asks the database for
    a stamp of the registry: counts and newest ids (deletions, new events and aliases) and, for
    the events saved in a recent window, their number and the sum of their save times. A
    transaction that saved before another but committed after it still changes that sum, so it
    is not missed the way "saved after the newest change seen" would miss it. Rows are read
    only when the stamp moves, and then every save since the previous check's window.
    """

    # Saves are looked at for 5 to 10 minutes; the window's start moves every 5 minutes.
    WINDOW = datetime.timedelta(minutes=5)
    lock = threading.Lock()
    stamp = None
    index = None
    owners: dict = {}
    property_stamp = None
    property_index = None
    # Duplicate look-ups already answered for this registry state: CI lints the same plan again and again.
    found: dict = {}
    # Events registered since those answers were cached; a cached answer is topped up from these.
    recent: DuplicateIndex | None = None

    @staticmethod
    def _owner_rows(queryset) -> dict:
        rows = queryset.annotate(usage=Count("used_by")).values_list(
            "pk", "name", "team__name", "team__slug", "usage", "status"
        )
        return {
            pk: {"name": name, "team": team, "team_slug": slug, "usage": usage, "status": status}
            for pk, name, team, slug, usage, status in rows
        }

    @classmethod
    def _window_start(cls) -> datetime.datetime:
        now = timezone.now()
        step = int(cls.WINDOW.total_seconds())
        return (
            datetime.datetime.fromtimestamp(now.timestamp() // step * step, tz=datetime.UTC)
            - cls.WINDOW
        )

    @classmethod
    def events(cls, convention: naming.Convention, version_number):
        since = cls._window_start()
        summary = Event.objects.aggregate(n=Count("pk"), top=Max("pk"))
        alias_summary = Alias.objects.aggregate(n=Count("pk"), top=Max("pk"))
        window = Event.objects.filter(updated_at__gte=since).aggregate(
            n=Count("pk"), saved=Sum(_SecondsSince(F("updated_at"), Value(since)))
        )
        basis = (version_number, id(convention))
        stamp = (
            summary["n"],
            summary["top"],
            alias_summary["n"],
            alias_summary["top"],
            (since, window["n"], window["saved"]),
            basis,
        )
        with cls.lock:
            current = cls.index is not None and cls.stamp[-1] == basis
            if current and cls.stamp == stamp:
                return cls.index, cls.owners, cls.found, cls.recent
            # Read saves since the previous check's window too: when checks are further apart than
            # the window, a save between them would otherwise fall outside both.
            read_since = min(since, cls.stamp[4][0]) if current else since
            changed = cls._owner_rows(Event.objects.filter(updated_at__gte=read_since))
            if current and cls._catch_up(summary, alias_summary, changed, convention):
                cls.stamp = stamp
                return cls.index, cls.owners, cls.found, cls.recent
            owners = cls._owner_rows(Event.objects.all())
            entries = [(owner["name"], pk) for pk, owner in owners.items()]
            entries += list(Alias.objects.values_list("old_name", "event_id"))
            cls.index = DuplicateIndex(entries, convention)
            cls.owners = owners
            cls.found = {}
            cls.recent = None
            cls.stamp = stamp
            return cls.index, owners, cls.found, cls.recent

    @classmethod
    def _catch_up(cls, summary, alias_summary, changed, convention) -> bool:
        """Apply new events and edits that kept their names without rebuilding; False when a rebuild is due."""
        count, _, alias_count, alias_top, _, _ = cls.stamp
        added = {pk: o for pk, o in changed.items() if pk not in cls.owners}
        renamed = any(
            cls.owners[pk]["name"] != o["name"] for pk, o in changed.items() if pk in cls.owners
        )
        new_aliases = list(
            Alias.objects.filter(pk__gt=alias_top or 0).values_list("old_name", "event_id")
        )
        consistent = summary["n"] == count + len(added) and alias_summary["n"] == (
            alias_count or 0
        ) + len(new_aliases)
        if renamed or new_aliases or not consistent:
            return False
        if added and cls.found and (cls.recent is None or len(cls.recent) < 1000):
            cls.recent = cls.recent or DuplicateIndex([], convention)
        elif added:
            cls.found, cls.recent = {}, None
        for pk, owner in added.items():
            cls.index.add(owner["name"], pk)
            if cls.recent is not None:
                cls.recent.add(owner["name"], pk)
        # Usage, status or team changed: answers hold event ids, so they show the new values.
        cls.owners.update(changed)
        return True

    @classmethod
    def properties(cls, convention: naming.Convention) -> DuplicateIndex:
        summary = Property.objects.aggregate(n=Count("pk"), top=Max("pk"))
        stamp = (summary["n"], summary["top"], id(convention))
        with cls.lock:
            if cls.property_stamp != stamp or cls.property_index is None:
                entries = list(Property.objects.values_list("name", "pk"))
                cls.property_index = DuplicateIndex(entries, convention)
                cls.property_stamp = stamp
            return cls.property_index


def _merged(cached: tuple, fresh: list, limit: int) -> tuple:
    """A cached answer topped up with events registered since, best first."""
    best = {c[3]: c for c in cached}
    for c in fresh:
        if c.key not in best or best[c.key][2] < c.score:
            best[c.key] = (c.name, c.reason, c.score, c.key)
    return tuple(sorted(best.values(), key=lambda c: (-c[2], c[0])))[:limit]


def lint_names(
    names: list[str],
    *,
    team: Team | None = None,
    kind: str = "event",
    exclude_event: int | None = None,
    duplicate_limit: int = 5,
) -> list[dict]:
    """Lint each name and look for near-duplicates in the registry; results follow input order."""
    with naming.collector_paused(len(names) >= 1000):
        return _lint_names(
            names,
            team=team,
            kind=kind,
            exclude_event=exclude_event,
            duplicate_limit=duplicate_limit,
        )


def _lint_names(names, *, team, kind, exclude_event, duplicate_limit) -> list[dict]:
    current = current_convention()
    convention = team_convention(current.convention, team)
    results = []
    memo: dict[str, dict] = {}
    if kind == "property":
        index = _RegistryIndex.properties(convention)
        unique = list(dict.fromkeys(names))
        for name, matches in zip(
            unique, index.find_many(unique, limit=duplicate_limit), strict=True
        ):
            entry = {"name": name, **_result_dict(naming.lint_property(name, convention))}
            entry["duplicates"] = [
                {"name": c.name, "team": None, "reason": c.reason, "score": round(c.score, 3)}
                for c in matches
                if c.name != name
            ]
            memo[name] = entry
        return [memo[name] for name in names]
    # Duplicates are judged with the organisation's words, the same for every team.
    index, owners, found, recent = _RegistryIndex.events(
        current.convention, current.version.number if current.version else 0
    )
    if len(found) > 200_000:
        found.clear()
    # Names this registry state was never asked about are looked up together (see find_many).
    # Read into this request's own dict: another thread may clear the shared cache meanwhile.
    candidates_for = {}
    for name in dict.fromkeys(names):
        hit = found.get((name, exclude_event, duplicate_limit))
        if hit is not None:
            candidates_for[name] = hit
    unseen = [name for name in dict.fromkeys(names) if name not in candidates_for]
    for name, matches in zip(
        unseen,
        index.find_many(unseen, limit=duplicate_limit, exclude_key=exclude_event),
        strict=True,
    ):
        # Cached as plain tuples: the collector skips them, and a big cache costs it nothing.
        candidates_for[name] = found[(name, exclude_event, duplicate_limit)] = tuple(
            (c.name, c.reason, c.score, c.key) for c in matches
        )
    # Answered from the whole index just now, so not topped up from `recent` below.
    answered = frozenset(unseen)
    for name, linted in zip(names, naming.lint_events(names, convention), strict=True):
        if name in memo:
            results.append(memo[name])
            continue
        entry = {"name": name, **_result_dict(linted)}
        candidates = candidates_for[name]
        if recent is not None and name not in answered:
            fresh = recent.find(name, limit=duplicate_limit, exclude_key=exclude_event)
            if fresh:
                candidates = _merged(candidates, fresh, duplicate_limit)
        duplicates = []
        seen = set()
        for matched, reason, score, key in candidates:
            owner = owners.get(key)
            if owner is None or key in seen:
                continue
            seen.add(key)
            duplicates.append(
                {
                    "name": owner["name"],
                    "matched": matched,
                    "id": key,
                    "team": owner["team"],
                    "team_slug": owner["team_slug"],
                    "usage": owner["usage"],
                    "status": owner["status"],
                    "reason": reason,
                    "score": round(float(score), 3),
                }
            )
        entry["duplicates"] = duplicates
        memo[name] = entry
        results.append(entry)
    return results


# Below this a match is only "the same words but one" (duplicates._ONE_WORD_APART): related, not a copy.
REPORT_MIN_SCORE = 0.75


def registry_duplicate_pairs() -> list[tuple[int, int, str, float]]:
    """Every pair of registered events that look like copies of each other: (id, id, reason, score)."""
    current = current_convention()
    index, owners, _, _ = _RegistryIndex.events(
        current.convention, current.version.number if current.version else 0
    )
    pairs = {}
    for pk, owner in list(owners.items()):
        for c in index.find(owner["name"], limit=5, exclude_key=pk):
            if c.key == pk or c.key not in owners or c.score < REPORT_MIN_SCORE:
                continue
            key = (min(pk, c.key), max(pk, c.key))
            if key not in pairs or pairs[key][1] < c.score:
                pairs[key] = (c.reason, c.score)
    return [(a, b, reason, score) for (a, b), (reason, score) in sorted(pairs.items())]
