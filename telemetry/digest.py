"""The weekly drift digest: one short notification per team with something new to act on.

It goes through the shared notify(), so each person gets it in the inbox and by e-mail as they
chose (at once, or in their daily digest). The key names the team and the ISO week: a second run
in the same week, a retry or a second worker sends nothing new.
"""

import datetime

from django.urls import reverse
from django.utils import timezone

from productops.accounts.models import Team, User
from productops.accounts.services import notify
from telemetry.models import DriftItem, NamingHealthSnapshot

SHOWN = 5


def week_key(team: Team, day: datetime.date) -> str:
    year, week, _ = day.isocalendar()
    return f"telemetry:drift-digest:{team.pk}:{year}-W{week:02d}"


def _health_line(team: Team, today: datetime.date) -> str:
    snaps = list(
        NamingHealthSnapshot.objects.filter(
            team=team, day__gte=today - datetime.timedelta(days=7)
        ).order_by("day")
    )
    if not snaps:
        return ""
    first, last = snaps[0], snaps[-1]
    now = round(100 * last.share)
    before = round(100 * first.share)
    if len(snaps) == 1 or now == before:
        return f"Naming health: {now}% of live events conform (no change this week)."
    direction = "up" if now > before else "down"
    return f"Naming health: {now}% of live events conform, {direction} from {before}% a week ago."


def digest_text(team: Team, *, now: datetime.datetime) -> tuple[str, str] | None:
    """(title, body) of the team's digest, or None when the week brought nothing new."""
    since = now - datetime.timedelta(days=7)
    fresh = list(
        DriftItem.objects.filter(team=team, resolved_at=None, first_found__gte=since).order_by(
            "kind", "name", "detail"
        )
    )
    if not fresh:
        return None
    unregistered = [d for d in fresh if d.kind == DriftItem.Kind.UNREGISTERED]
    other = [d for d in fresh if d.kind != DriftItem.Kind.UNREGISTERED]
    lines = []
    if unregistered:
        lines.append(f"{len(unregistered)} event name(s) sent but not registered:")
        for d in unregistered[:SHOWN]:
            hint = ""
            if d.data.get("alias_to"):
                hint = f" (looks like “{d.data['alias_to']['name']}”)"
            elif d.data.get("suggestion") and not d.data.get("lint_ok", True):
                hint = f" (suggested name: {d.data['suggestion']})"
            lines.append(f"• {d.name}{hint}")
        if len(unregistered) > SHOWN:
            lines.append(f"• …and {len(unregistered) - SHOWN} more")
    if other:
        counts: dict = {}
        for d in other:
            counts[d.get_kind_display()] = counts.get(d.get_kind_display(), 0) + 1
        lines.append(
            "New drift: " + "; ".join(f"{label}: {n}" for label, n in counts.items()) + "."
        )
    health = _health_line(team, now.date())
    if health:
        lines.append(health)
    title = f"{team.name}: {len(fresh)} new telemetry drift item{'s' if len(fresh) != 1 else ''} this week"
    return title, "\n".join(lines)


def drift_digests_send(*, now: datetime.datetime | None = None) -> int:
    """Send each team its weekly digest; returns how many people were newly notified."""
    now = now or timezone.now()
    teams_with_news = Team.objects.filter(
        telemetry_drift__resolved_at=None,
        telemetry_drift__first_found__gte=now - datetime.timedelta(days=7),
    ).distinct()
    sent = 0
    for team in teams_with_news:
        text = digest_text(team, now=now)
        if text is None:
            continue
        title, body = text
        sent += notify(
            recipients=User.objects.filter(memberships__team=team, is_active=True),
            key=week_key(team, now.date()),
            title=title,
            body=body,
            url=reverse("telemetry:team_drift", args=[team.slug]),
        )
    return sent
