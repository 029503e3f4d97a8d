"""The decision record: what was decided and given up, who owns it, when to look back; and each
participant's "commit" or "commit, with registered dissent" (a statement and a prediction that
could prove it right), visible to all. Finalising the record finalises the strategy; from then on
the record is frozen. On its review date a sweep reopens it, once, and asks the owner and the
dissenters to look back.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from productops.accounts.models import User
from productops.accounts.services import notify
from strategy import phases, services
from strategy.access import strategy_get_for, viewer_for
from strategy.models import Commitment, DecisionRecord, Strategy

RECORD_PHASES = (phases.REVEAL, phases.DECISION, phases.FINAL)
FROZEN = "The decision record is final and cannot be changed; register a dissent or wait for its review date."


def _today(now=None) -> datetime.date:
    return timezone.localdate(now or timezone.now(), timezone.get_current_timezone())


def _check_fields(*, decided, given_up, owner, review_on, today) -> dict:
    errors = {}
    if not (decided or "").strip():
        errors["decided"] = "Say what was decided."
    elif len(decided) > 4000:
        errors["decided"] = "Keep it under 4,000 characters."
    if not (given_up or "").strip():
        errors["given_up"] = "Say what was given up to afford it."
    elif len(given_up) > 4000:
        errors["given_up"] = "Keep it under 4,000 characters."
    if owner is None:
        errors["owner"] = "Name the person who owns the decision."
    if review_on is None:
        errors["review_on"] = "Choose a review date."
    elif review_on <= today:
        errors["review_on"] = "Choose a review date in the future."
    return errors


@transaction.atomic
def record_save(
    *,
    strategy: Strategy,
    by: User,
    decided: str,
    given_up: str,
    owner: User | None,
    review_on: datetime.date | None,
    now=None,
) -> DecisionRecord:
    """Draft or redraft the record; only until it is finalised."""
    strategy = Strategy.objects.select_for_update().get(pk=strategy.pk)
    if not viewer_for(strategy, by).is_owner:
        raise PermissionDenied("Only the owner or a delegate records the decision.")
    if strategy.phase not in RECORD_PHASES:
        raise ValidationError({"decided": "The decision is recorded after the reveal."})
    record = DecisionRecord.objects.select_for_update().filter(strategy=strategy).first()
    if record and record.finalised_at:
        raise ValidationError({"decided": FROZEN})
    errors = _check_fields(
        decided=decided, given_up=given_up, owner=owner, review_on=review_on, today=_today(now)
    )
    if errors:
        raise ValidationError(errors)
    fields = {
        "decided": decided.strip(),
        "given_up": given_up.strip(),
        "owner": owner,
        "review_on": review_on,
    }
    if record is None:
        return DecisionRecord.objects.create(strategy=strategy, **fields)
    for name, value in fields.items():
        setattr(record, name, value)
    record.save(update_fields=list(fields))
    return record


@transaction.atomic
def record_finalise(*, record: DecisionRecord, by: User, override_reason: str = "", now=None):
    """Freeze the record and finalise the strategy (which still demands every point answered)."""
    now = now or timezone.now()
    record = DecisionRecord.objects.select_for_update().select_related("strategy").get(pk=record.pk)
    strategy = record.strategy
    if not viewer_for(strategy, by).is_owner:
        raise PermissionDenied("Only the owner or a delegate finalises the decision.")
    if record.finalised_at:
        raise ValidationError({"decided": FROZEN})
    if record.review_on <= _today(now):
        raise ValidationError(
            {"review_on": "The review date has passed: choose one in the future."}
        )
    if strategy.phase != phases.FINAL:
        services.strategy_transition(
            strategy=strategy, by=by, target=phases.FINAL, override_reason=override_reason, now=now
        )
    DecisionRecord.objects.filter(pk=record.pk).update(finalised_at=now)
    record.refresh_from_db()
    return record


def record_get_for(user: User, public_id) -> tuple[DecisionRecord, Strategy, phases.Viewer]:
    try:
        record = DecisionRecord.objects.get(public_id=public_id)
    except (DecisionRecord.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404("No such decision record.") from exc
    strategy, viewer = strategy_get_for(user, record.strategy_id)
    return record, strategy, viewer


def participates(viewer: phases.Viewer) -> bool:
    return viewer.is_audience or viewer.speaks_last


def commitment_record(
    *, record: DecisionRecord, by: User, kind: str, statement: str = "", prediction: str = ""
) -> Commitment:
    record = DecisionRecord.objects.select_related("strategy").get(pk=record.pk)
    viewer = viewer_for(record.strategy, by)
    if not participates(viewer):
        raise PermissionDenied("Only the audience and the strategy's leaders commit or dissent.")
    if not record.finalised_at:
        raise ValidationError({"kind": "Commit once the decision record is final."})
    statement, prediction = (statement or "").strip(), (prediction or "").strip()
    errors = {}
    if kind not in Commitment.Kind.values:
        errors["kind"] = "Choose “commit” or “commit, with registered dissent”."
    if kind == Commitment.Kind.DISSENT:
        if not statement:
            errors["statement"] = "State your dissent in a sentence or two."
        if not prediction:
            errors["prediction"] = "Make a prediction that could prove you right."
    if len(statement) > 1000:
        errors["statement"] = "Keep the statement under 1,000 characters."
    if len(prediction) > 1000:
        errors["prediction"] = "Keep the prediction under 1,000 characters."
    if errors:
        raise ValidationError(errors)
    if kind == Commitment.Kind.COMMIT:
        statement = prediction = ""
    try:
        with transaction.atomic():
            return Commitment.objects.create(
                record=record, user=by, kind=kind, statement=statement, prediction=prediction
            )
    except IntegrityError as exc:
        raise ValidationError({"kind": "You have already recorded your commitment."}) from exc


def reviews_reopen_due(*, now=None) -> int:
    """On the review date, reopen each final record once and ask owner and dissenters to look back."""
    now = now or timezone.now()
    due = DecisionRecord.objects.filter(
        finalised_at__isnull=False, reopened_at=None, review_on__lte=_today(now)
    ).values_list("pk", flat=True)
    reopened = 0
    for pk in list(due):
        if not DecisionRecord.objects.filter(pk=pk, reopened_at=None).update(reopened_at=now):
            continue
        reopened += 1
        record = DecisionRecord.objects.select_related("strategy", "owner").get(pk=pk)
        dissenters = User.objects.filter(
            pk__in=record.commitments.filter(kind=Commitment.Kind.DISSENT).values("user_id")
        )
        notify(
            recipients=[record.owner, *dissenters],
            key=f"strategy:decision:{record.public_id}:look-back",
            title=f"Time to look back: {record.strategy.title}",
            body=(
                "The decision's review date has come. Were the assumptions right? "
                "Did the registered predictions come true?"
            ),
            url=reverse("strategy:decision", args=[record.strategy_id]),
        )
    return reopened
