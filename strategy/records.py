"""Reading the record of a strategy: diffs, read coverage and "you said, we did"."""

from collections import defaultdict

from django.db.models import Count

from productops.accounts.models import User
from strategy import anonymity, phases, sections
from strategy.feedback import floor_for, label_voices, points_visible_to, team_voices
from strategy.models import ReadConfirmation, ReadReceipt, Section, Strategy, Version
from strategy.services import dataclass_sections


def versions_diff(old: Version, new: Version) -> list[sections.SectionDiff]:
    return sections.diff(dataclass_sections(old), dataclass_sections(new))


def last_read_version(
    strategy: Strategy, user: User, *, before: int | None = None
) -> Version | None:
    """The newest version this person opened (older than `before`, when given)."""
    qs = strategy.versions.filter(read_receipts__user=user)
    if before is not None:
        qs = qs.filter(number__lt=before)
    return qs.order_by("-number").first()


def read_coverage(strategy: Strategy) -> list[dict]:
    """Per audience team: people, who opened the current version, how far they read, confirmed, answered."""
    version = strategy.versions.order_by("-number").first()
    total_sections = version.sections.count() if version else 0
    teams = list(
        strategy.audience_teams.annotate(people=Count("memberships", distinct=True)).order_by(
            "name"
        )
    )
    receipts = defaultdict(lambda: defaultdict(int))
    opened = defaultdict(set)
    if version:
        for row in ReadReceipt.objects.filter(
            version=version, user__memberships__team__in=teams
        ).values("user__memberships__team_id", "user_id", "section_key"):
            team_id = row["user__memberships__team_id"]
            opened[team_id].add(row["user_id"])
            if row["section_key"]:
                receipts[team_id][row["user_id"]] += 1
    confirmed = defaultdict(int)
    for row in (
        ReadConfirmation.objects.filter(strategy=strategy, user__memberships__team__in=teams)
        .values("user__memberships__team_id")
        .annotate(n=Count("user_id", distinct=True))
    ):
        confirmed[row["user__memberships__team_id"]] = row["n"]
    if strategy.is_revealed:
        voices = dict(strategy.team_voices.values_list("team_id", "voices"))
    else:
        voices = team_voices(strategy, [t.pk for t in teams])
    during_window = strategy.phase == phases.FEEDBACK
    result = []
    for team in teams:
        if during_window and not anonymity.figures_shown(voices.get(team.pk, 0)):
            # In a team of one or two, "answered 1" at 10:02 pins the 10:02 post on a person.
            result.append({"team": team, "people": team.people, "hidden": True})
            continue
        per_person = receipts[team.pk]
        depth = (
            (sum(per_person.values()) / (team.people * total_sections))
            if team.people and total_sections
            else 0
        )
        result.append(
            {
                "team": team,
                "people": team.people,
                "opened": len(opened[team.pk]),
                "depth_percent": round(depth * 100),
                "confirmed": confirmed[team.pk],
                "answered": voices.get(team.pk, 0),
            }
        )
    return result


def first_change(texts: dict[int, dict[str, str]], given: int, key: str) -> int | None:
    """The first version after `given` in which section `key` reads differently; None if it never did.

    `texts` maps version number to {section key: markdown}. An empty key means the strategy as a
    whole, which changed when any section did.
    """
    before = texts.get(given, {})
    for number in sorted(n for n in texts if n > given):
        after = texts[number]
        if (after != before) if not key else (after.get(key) != before.get(key)):
            return number
    return None


def read_summaries(strategy: Strategy) -> list[dict]:
    """The one-line summaries for the owner. No names (nor time order) until the reveal; after it,
    a name only where that person also gave named feedback, so nothing unmasks an anonymous author.
    """
    confirmations = list(
        ReadConfirmation.objects.filter(strategy=strategy)
        .select_related("user", "version")
        .order_by("summary", "pk")
    )
    named = (
        set(
            strategy.points.filter(is_anonymous=False, author__isnull=False).values_list(
                "author_id", flat=True
            )
        )
        if strategy.is_revealed
        else set()
    )
    return [
        {
            "summary": c.summary,
            "version": c.version.number,
            "by": str(c.user) if c.user_id in named else "",
        }
        for c in confirmations
    ]


def you_said_we_did(strategy: Strategy) -> list[dict]:
    """Every answered point with its disposition and, where its section really changed, that change."""
    versions = list(strategy.versions.order_by("number").only("id", "number"))
    by_id = {v.pk: v.number for v in versions}
    texts: dict[int, dict[str, str]] = {v.number: {} for v in versions}
    for number, key, markdown in Section.objects.filter(version__strategy=strategy).values_list(
        "version__number", "key", "markdown"
    ):
        texts[number][key] = markdown
    rows = []
    points = (
        points_visible_to(strategy, strategy.owner, phases.Viewer(is_owner=True))
        .select_related("disposition", "team", "author")
        .order_by("type", "public_id")
    )
    points = label_voices(list(points), floor_for(strategy))
    for point in points:
        disposition = getattr(point, "disposition", None)
        given = by_id.get(point.version_id, 1)
        # The section the owner said changed, else the one the point was about.
        key = (disposition.section_key if disposition else "") or point.section_key
        changed_in = first_change(texts, given, key)
        rows.append(
            {
                "point": point,
                "disposition": disposition,
                "diff": (given, changed_in) if changed_in else None,
                "diff_key": key,
            }
        )
    return rows
