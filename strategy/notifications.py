"""Who hears about a strategy, and when: the window opening, new versions, the reminder, the reveal,
answers to their points. Each message has a stable key, so a retry never reaches anyone twice."""

import zoneinfo
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from productops.accounts.models import User
from productops.accounts.services import notify
from strategy import feedback, phases
from strategy.access import audience_members
from strategy.models import Disposition, Participation, ReadReceipt, Strategy, Version
from strategy.services import REMINDER_BEFORE


def _notify_in_each_zone(*, recipients, key: str, title: str, body, url: str) -> int:
    """notify() once per time zone, so each person reads the deadline in their own zone.

    `body` is a function of a ZoneInfo; the key is shared, so nobody is notified twice.
    """
    by_zone = defaultdict(list)
    for person in recipients:
        by_zone[person.time_zone].append(person)
    sent = 0
    for zone_name, people in by_zone.items():
        try:
            zone = zoneinfo.ZoneInfo(zone_name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = zoneinfo.ZoneInfo("UTC")
        sent += notify(recipients=people, key=key, title=title, body=body(zone), url=url)
    return sent


def _when(moment, zone) -> str:
    local = moment.astimezone(zone)
    return f"{local:%a %d %b %Y, %H:%M} ({local.tzname()})"


def version_published_notify(*, version: Version) -> int:
    strategy = version.strategy
    url = strategy.get_absolute_url()
    if version.number == 1:
        closes = strategy.feedback_closes_at
        return _notify_in_each_zone(
            recipients=audience_members(strategy),
            key=f"strategy:{strategy.pk}:window-open",
            title=f"Your input is wanted: {strategy.title}",
            body=lambda zone: (
                f"{strategy.owner} opened the feedback window until {_when(closes, zone)}. Read it, "
                "then say what you think — nobody sees anyone else's feedback until the window closes."
            ),
            url=url,
        )
    recipients = list(audience_members(strategy)) + list(
        User.objects.filter(is_leadership=True, is_active=True)
    )
    added = list(version.attachments.values_list("name", flat=True))
    body = version.change_summary + (f"\n\nNew attachments: {', '.join(added)}." if added else "")
    return notify(
        recipients=recipients,
        key=f"strategy:{strategy.pk}:version:{version.number}",
        title=f"Version {version.number} of {strategy.title}",
        body=body,
        url=f"{url}diff/?a={version.number - 1}&b={version.number}",
    )


def windows_close_due(*, now=None) -> int:
    """Reveal every strategy whose window has ended. Time decides, never a person."""
    now = now or timezone.now()
    revealed = 0
    for pk in Strategy.objects.filter(
        phase=phases.FEEDBACK, feedback_closes_at__lte=now
    ).values_list("pk", flat=True):
        with transaction.atomic():
            claimed = Strategy.objects.filter(
                pk=pk, phase=phases.FEEDBACK, feedback_closes_at__lte=now
            ).update(
                phase=phases.REVEAL,
                revealed_at=now,
                voting_closes_at=now + phases.VOTING_PERIOD,
                updated_at=now,
            )
            if claimed:
                from strategy import tasks

                feedback.voices_snapshot(Strategy.objects.get(pk=pk))
                tasks.notify_revealed.delay_on_commit(pk)
                revealed += 1
    return revealed


def revealed_notify(*, strategy: Strategy) -> int:
    recipients = (
        list(audience_members(strategy))
        + list(User.objects.filter(is_leadership=True, is_active=True))
        + [strategy.owner]
    )
    return notify(
        recipients=recipients,
        key=f"strategy:{strategy.pk}:revealed",
        title=f"Feedback revealed: {strategy.title}",
        body="The window closed. Everyone's feedback is visible now: reply, and spend your votes on what matters most.",
        url=strategy.get_absolute_url() + "discussion/",
    )


def reminder_recipients(strategy: Strategy):
    """Audience members who have neither opened any version nor answered."""
    readers = ReadReceipt.objects.filter(version__strategy=strategy).values("user_id")
    answered = Participation.objects.filter(strategy=strategy).values("user_id")
    return audience_members(strategy).exclude(pk__in=readers).exclude(pk__in=answered)


def reminders_send_due(*, now=None) -> int:
    """Send the one "closes soon" reminder per strategy; returns how many strategies this call claimed."""
    now = now or timezone.now()
    claimed_total = 0
    due = Strategy.objects.filter(
        phase=phases.FEEDBACK,
        reminder_sent_at=None,
        feedback_closes_at__gt=now,
        feedback_closes_at__lte=now + REMINDER_BEFORE,
    ).values_list("pk", flat=True)
    for pk in list(due):
        # Claim first: only the caller whose update changes the row sends.
        claimed = Strategy.objects.filter(pk=pk, reminder_sent_at=None).update(reminder_sent_at=now)
        if not claimed:
            continue
        claimed_total += 1
        strategy = Strategy.objects.get(pk=pk)
        _notify_in_each_zone(
            recipients=reminder_recipients(strategy),
            key=f"strategy:{pk}:window-closing",
            title=f"Feedback closes soon: {strategy.title}",
            body=lambda zone, closes=strategy.feedback_closes_at: (
                f"The window closes {_when(closes, zone)}. "
                "Your team's view counts — it takes about ten minutes."
            ),
            url=strategy.get_absolute_url(),
        )
    return claimed_total


def disposition_notify(*, disposition: Disposition) -> int:
    point = disposition.point
    if not point.author_id:
        return 0
    strategy = Strategy.objects.get(pk=point.strategy_id)
    return notify(
        recipients=[point.author],
        key=f"strategy:{strategy.pk}:point:{point.public_id}:disposition",
        title=f"Your {point.get_type_display().lower()} was {disposition.get_status_display().lower()}",
        body=disposition.reason or point.body[:200],
        url=strategy.get_absolute_url() + f"discussion/#point-{point.public_id}",
    )
