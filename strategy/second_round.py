"""The second round: after publishing vN+1, a short window limited to the changed sections in which
the authors of answered points say whether the answer satisfies them (agree / still object, one
line). Same sealing as the first window: nobody sees a verdict, or a count, until it closes; then
each shows beside its point under the point's own voice (k floor included)."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from productops.accounts.models import User
from strategy import feedback, receipts
from strategy.models import AnswerVerdict, Point, SecondRound, Version

MAX_HOURS = 72


def changed_keys(previous: Version, version: Version) -> list[str]:
    old = dict(previous.sections.values_list("key", "markdown"))
    return [
        key
        for key, markdown in version.sections.values_list("key", "markdown")
        if old.get(key) != markdown
    ]


def round_open(*, version: Version, previous: Version, hours: int, now=None) -> SecondRound:
    now = now or timezone.now()
    if not isinstance(hours, int) or not 1 <= hours <= MAX_HOURS:
        raise ValidationError(
            {"second_round_hours": f"A second round lasts between 1 and {MAX_HOURS} hours."}
        )
    keys = changed_keys(previous, version)
    if not keys:
        raise ValidationError(
            {"second_round_hours": "No section changed, so there is nothing for a second round."}
        )
    return SecondRound.objects.create(
        version=version, opens_at=now, closes_at=now + timedelta(hours=hours), section_keys=keys
    )


def eligible(round: SecondRound):
    """Answered points about a changed section (where they sit, or where the answer says it changed)."""
    return Point.objects.filter(
        strategy_id=round.version.strategy_id, disposition__isnull=False
    ).filter(
        Q(section_key__in=round.section_keys) | Q(disposition__section_key__in=round.section_keys)
    )


def current_round(strategy) -> SecondRound | None:
    return (
        SecondRound.objects.filter(version__strategy=strategy)
        .select_related("version")
        # Callers need the version's number and strategy, never its whole text.
        .defer("version__body")
        .order_by("-opens_at")
        .first()
    )


def awaiting_me(round: SecondRound | None, my_points: list[Point], now=None) -> dict[int, bool]:
    """For a person's own points: which may still get their verdict in this open round."""
    if round is None or not round.is_open(now):
        return {}
    ids = set(eligible(round).filter(pk__in=[p.pk for p in my_points]).values_list("pk", flat=True))
    done = set(
        AnswerVerdict.objects.filter(round=round, point_id__in=ids).values_list(
            "point_id", flat=True
        )
    )
    return {pk: True for pk in ids - done}


@transaction.atomic
def verdict_record(*, point: Point, by: User, verdict: str, line: str, now=None) -> AnswerVerdict:
    if point.author_id != by.pk and not receipts.is_mine(point, by):
        raise Http404("No such point.")
    round = current_round(point.strategy)
    errors = {}
    if round is None or not round.is_open(now):
        raise ValidationError({"verdict": "No second round is open on this strategy."})
    if not eligible(round).filter(pk=point.pk).exists():
        raise ValidationError(
            {"verdict": "This round covers answered points about the sections that changed."}
        )
    if verdict not in AnswerVerdict.Verdict.values:
        errors["verdict"] = "Choose agree or still object."
    line = " ".join((line or "").split())
    if not line:
        errors["line"] = "Say why, in one line."
    elif len(line) > 200:
        errors["line"] = "Keep it to one line (200 characters)."
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return AnswerVerdict.objects.create(
                round=round, point=point, verdict=verdict, line=line
            )
    except IntegrityError as exc:
        raise ValidationError({"verdict": "You have already answered for this point."}) from exc


def results(strategy, now=None) -> dict | None:
    """After the round closes: each verdict beside its point's voice. Before: None (sealed)."""
    round = current_round(strategy)
    if round is None:
        return None
    if round.is_open(now) or (now or timezone.now()) < round.opens_at:
        return {"round": round, "sealed": True}
    floor = feedback.floor_for(strategy)
    visible = feedback.without_withheld(Point.objects.filter(strategy=strategy), floor)
    rows = list(
        AnswerVerdict.objects.filter(round=round, point__in=visible)
        .select_related("point__team", "point__author")
        .order_by("point__public_id")
    )
    feedback.label_voices([r.point for r in rows], floor)
    return {
        "round": round,
        "sealed": False,
        "rows": rows,
        "agree": sum(1 for r in rows if r.verdict == "agree"),
        "object": sum(1 for r in rows if r.verdict == "object"),
    }
