"""Observed traffic for the demo: 45 days of what each team's apps send, so the drift pages tell a
story (names nobody registered, events that went quiet, wrong types, missing properties, an app
that forgot an event, and a source no team has claimed yet)."""

import datetime
import random

from django.utils import timezone

from productops.accounts.models import Team
from telemetry import conventions, naming
from telemetry.drift_job import drift_refresh
from telemetry.models import (
    Event,
    EventProperty,
    ObservedDay,
    ObservedName,
    ObservedProperty,
    Source,
)

DAYS = 45
# Names each team's code sends that nobody registered: typos, old spellings, quick experiments.
UNREGISTERED = {
    "checkout": ["promoBannerClicked", "Coupon Applied", "checkout_step_skipped"],
    "catalogue": ["Wishlist Item Added", "pdp_zoom_used"],
    "growth": ["Referral Link Copied", "onboarding-tooltip-closed"],
}


def _sources(teams) -> dict:
    sources = {}
    for team in teams:
        for platform in ("web", "ios", "server"):
            source, _ = Source.objects.get_or_create(
                key=f"{team.slug}-{platform}", defaults={"team": team, "platform": platform}
            )
            sources[(team.pk, platform)] = source
    # A feed nobody has claimed yet: admins see it in the unassigned bucket.
    Source.objects.get_or_create(key="legacy-batch-import", defaults={"platform": "server"})
    return sources


def seed_traffic() -> None:
    """Write daily aggregates directly (the demo's story spans weeks, not one batch) and run drift."""
    if ObservedDay.objects.exists():
        return
    rng = random.Random(11)
    teams = list(Team.objects.filter(telemetry_events__isnull=False).distinct().order_by("slug"))
    if not teams:
        return
    sources = _sources(teams)
    today = timezone.now().date()
    now = timezone.now()
    events = list(
        Event.objects.filter(team__in=teams)
        .exclude(status=Event.Status.DEPRECATED)
        .prefetch_related("platforms")
        .order_by("name")
    )
    props: dict = {}
    for event_id, name, kind, required in EventProperty.objects.filter(
        event__in=events
    ).values_list("event_id", "property__name", "property__type", "required"):
        props.setdefault(event_id, []).append((name, kind, required))

    convention = conventions.current_convention().convention
    names = [e.name for e in events if e.status == Event.Status.ACTIVE]
    extra = [(slug, n) for slug, ns in UNREGISTERED.items() for n in ns]
    all_names = names + [n for _, n in extra]
    ObservedName.objects.bulk_create(
        [
            ObservedName(
                name=n,
                first_seen=now - datetime.timedelta(days=DAYS),
                lint_ok=r.ok,
                lint_violations=[
                    {"rule": v.rule, "message": v.message, "part": v.part} for v in r.violations
                ],
                lint_suggestion=(r.suggestion or "")[:400],
            )
            for n, r in zip(all_names, naming.lint_events(all_names, convention), strict=True)
        ],
        ignore_conflicts=True,
    )
    observed_ids = dict(ObservedName.objects.values_list("name", "pk"))
    days, properties = [], []

    def traffic(observed_id, source, first_day, last_day, volume, property_rows):
        for offset in range(first_day, last_day + 1):
            day = today - datetime.timedelta(days=offset)
            count = max(1, int(volume * rng.uniform(0.7, 1.3)))
            at = datetime.datetime.combine(day, datetime.time(8), tzinfo=datetime.UTC)
            days.append(
                ObservedDay(
                    observed_id=observed_id,
                    source=source,
                    day=day,
                    count=count,
                    first_seen=at,
                    last_seen=at + datetime.timedelta(hours=12),
                )
            )
            for key, kind, share in property_rows:
                properties.append(
                    ObservedProperty(
                        observed_id=observed_id,
                        source=source,
                        day=day,
                        key=key,
                        type=kind,
                        count=max(0, int(count * share)),
                    )
                )

    for i, event in enumerate(e for e in events if e.status == Event.Status.ACTIVE):
        story = i % 11
        rows = []
        for key, kind, required in props.get(event.pk, []):
            if story == 3 and not rows:
                # Sent as a string although the registry says otherwise.
                rows.append((key, "string" if kind != "string" else "integer", 1.0))
            elif story == 5 and required:
                rows.append((key, kind, 0.8))  # one in five events leaves it out
            else:
                rows.append((key, kind, 1.0))
        declared = {p.code for p in event.platforms.all()} & {"web", "ios", "server"}
        platforms = sorted(declared) or ["web"]
        if story == 7 and len(platforms) > 1:
            platforms = platforms[:1]  # the other app never shipped it
        last_day = 0 if story != 9 else 40  # story 9 went quiet 40 days ago
        volume = rng.choice([20, 50, 200, 1000])
        for platform in platforms:
            traffic(
                observed_ids[event.name],
                sources[(event.team_id, platform)],
                last_day,
                DAYS,
                volume,
                rows,
            )
    by_slug = {t.slug: t for t in teams}
    for slug, name in extra:
        team = by_slug.get(slug)
        if team is not None:
            traffic(
                observed_ids[name],
                sources[(team.pk, "web")],
                0,
                12,
                30,
                [("variant", "string", 1.0)],
            )
    legacy = Source.objects.get(key="legacy-batch-import")
    ObservedName.objects.get_or_create(name="LegacyOrderSync", defaults={"lint_ok": False})
    traffic(ObservedName.objects.get(name="LegacyOrderSync").pk, legacy, 0, 5, 500, [])
    ObservedDay.objects.bulk_create(days, batch_size=5000, ignore_conflicts=True)
    ObservedProperty.objects.bulk_create(properties, batch_size=5000, ignore_conflicts=True)
    drift_refresh()
