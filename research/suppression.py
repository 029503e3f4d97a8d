"""The suppression list: opt-outs and consent withdrawals that only the person can lift.

Every path that can mark someone opted out or withdrawn (import, API, participant page, admin,
demo) records it here with its source and time. No path but :func:`participant_opt_in` lifts
it: an import row saying "opt_out = no" or a blank cell leaves the person suppressed, and on
PostgreSQL a trigger (migration 0007) keeps the flags set against any other write.
"""

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from productops.accounts.services import audit_record
from research import eligibility
from research.models import Participant, Suppression

MIN_NOTE_LENGTH = 5


def source_set(source: str, by=None) -> None:
    """Name the door (and person) for suppressions the database trigger records in this transaction."""
    if connection.vendor == "postgresql":
        by_id = str(by.pk) if by is not None and by.is_authenticated else ""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('research.suppression_source', %s, true), "
                "set_config('research.suppression_by', %s, true)",
                [source, by_id],
            )


def suppressed_ids(participant_ids=None) -> dict[int, set[str]]:
    """Participant id -> kinds of suppression in force (the list and the flags it guards)."""
    qs = Suppression.objects.active()
    people = Participant.objects.filter(
        Q(opted_out=True) | Q(consent=Participant.Consent.WITHDRAWN)
    )
    if participant_ids is not None:
        ids = eligibility.ids_param(participant_ids)
        qs, people = qs.filter(participant_id__in=ids), people.filter(pk__in=ids)
    found: dict[int, set[str]] = {}
    for pid, kind in qs.values_list("participant_id", "kind"):
        found.setdefault(pid, set()).add(kind)
    for pid, opted_out, consent in people.values_list("pk", "opted_out", "consent"):
        kinds = found.setdefault(pid, set())
        if opted_out:
            kinds.add(Suppression.Kind.OPT_OUT)
        if consent == Participant.Consent.WITHDRAWN:
            kinds.add(Suppression.Kind.CONSENT_WITHDRAWN)
    return found


def suppressions_record_missing(*, participant_ids, source: str, by=None, note: str = "") -> int:
    """Record every opt-out or withdrawal among these people that is not on the list yet."""
    ids = eligibility.ids_param(participant_ids)
    listed = set(
        Suppression.objects.active()
        .filter(participant_id__in=ids)
        .values_list("participant_id", "kind")
    )
    now = timezone.now()
    new = []
    for pid, opted_out, consent in Participant.objects.filter(
        Q(opted_out=True) | Q(consent=Participant.Consent.WITHDRAWN), pk__in=ids
    ).values_list("pk", "opted_out", "consent"):
        for kind, applies in (
            (Suppression.Kind.OPT_OUT, opted_out),
            (Suppression.Kind.CONSENT_WITHDRAWN, consent == Participant.Consent.WITHDRAWN),
        ):
            if applies and (pid, kind) not in listed:
                new.append(
                    Suppression(
                        participant_id=pid, kind=kind, source=source, by=by, at=now, note=note
                    )
                )
    Suppression.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def participant_opt_out(*, participant: Participant, by, reason: str, source: str) -> Suppression:
    """A researcher or admin records that this person asked not to be contacted (audited)."""
    if not (by.is_researcher or by.is_productops_admin):
        raise ValidationError(
            {"participant": "Only researchers and ProductOps admins can record an opt-out."}
        )
    reason = (reason or "").strip()
    if len(reason) < MIN_NOTE_LENGTH:
        raise ValidationError(
            {"reason": "Say how the person asked (e.g. “replied STOP to the invitation e-mail”)."}
        )
    if len(reason) > 300:
        raise ValidationError({"reason": "Keep the reason under 300 characters."})
    now = timezone.now()
    with transaction.atomic():
        source_set(source, by)
        locked = Participant.objects.select_for_update().get(pk=participant.pk)
        suppression = (
            Suppression.objects.active()
            .filter(participant=locked, kind=Suppression.Kind.OPT_OUT)
            .first()
        )
        if suppression is None:
            suppression = Suppression.objects.create(
                participant=locked,
                kind=Suppression.Kind.OPT_OUT,
                source=source,
                by=by,
                at=now,
                note=reason,
            )
        if not locked.opted_out:
            locked.opted_out = True
            locked.contact_block_reason = reason
            locked.save(update_fields=["opted_out", "contact_block_reason", "updated_at"])
        audit_record(
            actor=by,
            action="research.participant.opted_out",
            target=locked,
            reason=reason,
            data={"source": source, "suppression": suppression.pk},
        )
        eligibility.refresh_participants(ids=[locked.pk], now=now)
    participant.refresh_from_db()
    return suppression


def participant_opt_in(*, participant: Participant, kinds=None, confirmed_via: str) -> int:
    """The participant themselves opts back in (their preference page, a confirmed e-mail link).

    Nobody else may call this on their behalf: staff pages and the API have no path to it.
    Lifting a consent withdrawal records fresh consent given now. Returns how many were lifted.
    """
    kinds = set(kinds or (Suppression.Kind.OPT_OUT, Suppression.Kind.CONSENT_WITHDRAWN))
    if not confirmed_via.strip():
        raise ValidationError({"confirmed_via": "Say how the participant confirmed it is them."})
    now = timezone.now()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('research.opt_in', %s, true)", [str(participant.pk)]
                )
        locked = Participant.objects.select_for_update().get(pk=participant.pk)
        lifted = Suppression.objects.active().filter(participant=locked, kind__in=kinds)
        count = lifted.update(lifted_at=now)
        fields = ["updated_at"]
        if Suppression.Kind.OPT_OUT in kinds and locked.opted_out:
            locked.opted_out = False
            locked.contact_block_reason = ""
            fields += ["opted_out", "contact_block_reason"]
        if (
            Suppression.Kind.CONSENT_WITHDRAWN in kinds
            and locked.consent == Participant.Consent.WITHDRAWN
        ):
            locked.consent = Participant.Consent.GRANTED
            locked.consent_at = now
            fields += ["consent", "consent_at"]
        locked.save(update_fields=fields)
        audit_record(
            actor=None,
            action="research.participant.opted_in",
            target=locked,
            reason=f"by the participant ({confirmed_via.strip()[:200]})",
            data={"kinds": sorted(kinds), "lifted": count},
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('research.opt_in', '', true)")
        eligibility.refresh_participants(ids=[locked.pk], now=now)
    participant.refresh_from_db()
    return count
