"""The duplicate report: groups of registered events that look like copies of one another, for
the whole organisation or one team, each with the event the others would best merge into."""

from dataclasses import dataclass, field

from django.db.models import Count

from productops.accounts.models import Team
from telemetry.linting import registry_duplicate_pairs
from telemetry.models import Event

REASON_TEXT = {
    "identical": "the same name, written differently",
    "reordered": "the same words in another order",
    "synonym": "the same meaning with other words",
    "spelling": "a close spelling",
}


@dataclass
class DuplicateGroup:
    events: list  # Event, the suggested keeper first
    reason: str
    score: float
    teams: set = field(default_factory=set)

    @property
    def keeper(self) -> Event:
        return self.events[0]

    @property
    def reason_text(self) -> str:
        return REASON_TEXT.get(self.reason, self.reason)


def _groups(pairs) -> list[list[int]]:
    parent: dict[int, int] = {}

    def root(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, _, _ in pairs:
        parent[root(a)] = root(b)
    members: dict[int, list[int]] = {}
    for x in list(parent):
        members.setdefault(root(x), []).append(x)
    return list(members.values())


def duplicate_report(*, team: Team | None = None) -> list[DuplicateGroup]:
    """Groups of look-alike events; with a team, only the groups one of its events is in."""
    pairs = registry_duplicate_pairs()
    best: dict[int, tuple[str, float]] = {}
    for a, b, reason, score in pairs:
        for pk in (a, b):
            if pk not in best or best[pk][1] < score:
                best[pk] = (reason, score)
    ids = [pk for group in _groups(pairs) for pk in group]
    events = {
        e.pk: e
        for e in Event.objects.filter(pk__in=ids)
        .select_related("team")
        .annotate(usage=Count("used_by"))
        .defer("search_vector")
    }
    report = []
    for group in _groups(pairs):
        members = [events[pk] for pk in group if pk in events]
        if len(members) < 2:
            continue
        if team is not None and not any(e.team_id == team.pk for e in members):
            continue
        # The keeper: live before deprecated, then conforming, then most used, then oldest.
        members.sort(
            key=lambda e: (
                e.status == Event.Status.DEPRECATED,
                e.lint_state != Event.LintState.OK,
                -e.usage,
                e.created_at,
                e.pk,
            )
        )
        reason, score = max((best[e.pk] for e in members), key=lambda rs: rs[1])
        report.append(DuplicateGroup(members, reason, score, {e.team.name for e in members}))
    report.sort(key=lambda g: (-len(g.teams), -g.score, g.keeper.name))
    return report
