"""Carry-forward of anchored feedback when a new version is published.

A point anchored to a passage that the new version no longer contains moves to the most similar
passage (strategy.anchoring), and its author is asked "does this still apply?": keep, withdraw
(it stays on record, marked as no longer applying) or re-aim at another passage. Named authors
get a notification; anonymous authors find the question beside their point on the strategy page,
by their receipt, since a notification row would name them.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from productops.accounts.models import User
from productops.accounts.services import notify
from strategy import anchoring, receipts
from strategy.models import AnchorCheck, Point, Version


def carry_forward(*, version: Version) -> int:
    """Move the anchors the new version broke; returns how many points were asked."""
    new_sections = list(version.sections.values_list("key", "markdown"))
    by_key = dict(new_sections)
    candidates = anchoring.passages(new_sections)
    points = list(
        Point.objects.filter(strategy_id=version.strategy_id)
        .exclude(quote="")
        .exclude(version=version)
        .select_related("author")
    )
    checks = []
    for point in points:
        if point.section_key in by_key and anchoring.still_there(
            point.quote, by_key[point.section_key]
        ):
            continue
        found = anchoring.relocate(point.quote, candidates)
        to_key, to_quote, score = found if found else ("", "", 0.0)
        checks.append(
            AnchorCheck(
                point=point,
                version=version,
                from_section_key=point.section_key,
                from_quote=point.quote,
                to_section_key=to_key,
                to_quote=to_quote[:500],
                score=score,
            )
        )
        Point.objects.filter(pk=point.pk).update(section_key=to_key, quote=to_quote[:500])
    AnchorCheck.objects.bulk_create(checks, ignore_conflicts=True)
    for check in checks:
        author = check.point.author
        if author is None:
            continue  # anonymous: asked on the strategy page, found by receipt
        notify(
            recipients=[author],
            key=f"strategy:anchor:{check.public_id}",
            title="The passage your point quoted changed: does it still apply?",
            body=f"Version {version.number} changed “{check.from_quote[:120]}”.",
            url=reverse("strategy:detail", args=[version.strategy_id]),
        )
    return len(checks)


def pending_for(points: list[Point]) -> dict[int, AnchorCheck]:
    """The open question, if any, for each of a person's own points."""
    checks = AnchorCheck.objects.filter(point__in=[p.pk for p in points], decision="")
    return {c.point_id: c for c in checks}


def check_get_for(user: User, public_id) -> AnchorCheck:
    """Only the point's author may answer; anyone else gets 404, with no hint it exists."""
    try:
        check = AnchorCheck.objects.select_related("point", "version").get(public_id=public_id)
    except (AnchorCheck.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404("No such question.") from exc
    point = check.point
    if point.author_id != user.pk and not receipts.is_mine(point, user):
        raise Http404("No such question.")
    return check


@transaction.atomic
def check_answer(
    *, check: AnchorCheck, by: User, decision: str, section_key: str = "", quote: str = "", now=None
) -> AnchorCheck:
    check = AnchorCheck.objects.select_for_update().select_related("point").get(pk=check.pk)
    point = check.point
    if point.author_id != by.pk and not receipts.is_mine(point, by):
        raise Http404("No such question.")
    if check.decision:
        raise ValidationError({"decision": "You have already answered this."})
    if decision not in ("keep", "withdraw", "reaim"):
        raise ValidationError({"decision": "Choose keep, withdraw or re-aim."})
    if decision == "reaim":
        latest = point.strategy.versions.order_by("-number").first()
        section = latest.sections.filter(key=section_key).first() if section_key else None
        quote = " ".join((quote or "").split())
        if section_key and section is None:
            raise ValidationError({"section_key": "That section is not in the current version."})
        if quote and not anchoring.still_there(quote, section.markdown if section else latest.body):
            raise ValidationError(
                {"quote": "Quote words that appear in that section of the current version."}
            )
        Point.objects.filter(pk=point.pk).update(section_key=section_key, quote=quote[:500])
    check.decision = decision
    check.decided_at = now or timezone.now()
    check.save(update_fields=["decision", "decided_at"])
    return check
