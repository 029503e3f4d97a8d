"""Workflows around fatigue: the rules, the ledger, overrides and warnings about open requests.

Every rule lives in research/fatigue.py; research/eligibility.py turns the ledger into answers.
"""

from datetime import UTC, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from productops.accounts.models import User
from productops.accounts.services import audit_record, notify
from research import eligibility, fatigue
from research.models import (
    FatigueRuleSet,
    Hold,
    LedgerEntry,
    Override,
    Participant,
    ResearchRequest,
)

MIN_REASON_LENGTH = 15
PLANNED_SESSION_HORIZON = timedelta(days=365)

# Rules ----------------------------------------------------------------------------------------


def rules_current() -> fatigue.Rules:
    return FatigueRuleSet.objects.current_rules()


# Each concurrent save that wins costs the others one retry.
RULES_UPDATE_ATTEMPTS = 10


def rules_update(*, rules: fatigue.Rules, by: User, note: str = "") -> FatigueRuleSet:
    """Store a new version of the rules (audited); the panel is re-evaluated in the background."""
    from research import tasks

    for attempt in range(RULES_UPDATE_ATTEMPTS):
        try:
            with transaction.atomic():
                previous = FatigueRuleSet.objects.order_by("-version").first()
                before = previous.rules if previous else fatigue.Rules().to_dict()
                ruleset = FatigueRuleSet.objects.create(
                    version=(previous.version + 1) if previous else 1,
                    rules=rules.to_dict(),
                    note=note,
                    created_by=by,
                )
                changed = {
                    k: [before.get(k), v] for k, v in ruleset.rules.items() if before.get(k) != v
                }
                audit_record(
                    actor=by,
                    action="research.rules.edited",
                    target=ruleset,
                    reason=note,
                    data=changed,
                )
                tasks.reevaluate_panel.delay_on_commit()
            return ruleset
        except IntegrityError:
            # Another admin saved at the same moment and took this version number (a lock on
            # the latest row cannot stop it when there is none yet); take the next one.
            if attempt == RULES_UPDATE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


# Ledger ---------------------------------------------------------------------------------------


def ledger_record(
    *,
    participant: Participant,
    kind: str,
    at=None,
    method: str = "",
    minutes: int = 0,
    incentive_cents: int = 0,
    team=None,
    request: ResearchRequest | None = None,
    source: str = LedgerEntry.Source.RESEARCH,
    note: str = "",
    by: User | None = None,
) -> LedgerEntry:
    """Record one touch and bring the participant's (and, for sessions, the account's) eligibility up to date."""
    now = timezone.now()
    at = at or now
    # A session can be planned ahead (scheduling books it, and the rules count it from the
    # moment it is planned); other touches are recorded when they happen.
    if kind == LedgerEntry.Kind.SESSION:
        if at > now + PLANNED_SESSION_HORIZON:
            raise ValidationError(
                {"at": "A session can be planned at most a year ahead; pick an earlier date."}
            )
    elif at > now + timedelta(days=1):
        raise ValidationError(
            {"at": "Only sessions can be planned ahead; record this touch when it happens."}
        )
    with transaction.atomic():
        entry = LedgerEntry.objects.create(
            participant=participant,
            account_id=participant.account_id,
            kind=kind,
            at=at,
            method=method or "",
            minutes=minutes,
            incentive_cents=incentive_cents,
            team=team,
            request=request,
            source=source,
            note=note,
            recorded_by=by if by and by.is_authenticated else None,
        )
        if request is not None and kind in (LedgerEntry.Kind.INVITATION, LedgerEntry.Kind.SESSION):
            # Invited: the invitation itself now shields them (cooldowns), the hold is done.
            Hold.objects.filter(request=request, participant=participant, released_at=None).update(
                released_at=now, release_reason=Hold.Release.INVITED
            )
        # Sessions and participant-minutes count against the whole account's quarterly caps.
        if participant.account_id and (kind == LedgerEntry.Kind.SESSION or minutes):
            eligibility.refresh_account(account_id=participant.account_id, now=now)
        else:
            eligibility.refresh_participants(ids=[participant.pk], now=now)
    return entry


# Overrides ------------------------------------------------------------------------------------


def override_expiry(request: ResearchRequest):
    """An override ends with its request: at the end of the deadline day (UTC)."""
    return datetime.combine(request.deadline + timedelta(days=1), time(0), tzinfo=UTC)


def override_grant(
    *,
    participant: Participant,
    rule: str,
    reason: str,
    by: User,
    request: ResearchRequest | None,
) -> Override:
    """Let one request past a cooldown for one person, for a written reason.

    The override is bound to the request and the participant: it applies only when that request
    checks or draws that person, and it ends with the request (deadline, close or cancel). The
    denormalised eligibility everyone else reads ignores it, so no other team gains from it,
    and the session it allows counts in the ledger against every other rule as any session does.
    Consent, opt-outs and caps are never overridable.
    """
    reason = (reason or "").strip()
    if rule not in fatigue.OVERRIDABLE:
        name = fatigue.RULE_NAMES.get(rule, rule)
        raise ValidationError({"rule": f"“{name}” cannot be overridden; only cooldowns can."})
    if len(reason) < MIN_REASON_LENGTH:
        raise ValidationError(
            {
                "reason": f"Write why this person must be contacted again now (at least {MIN_REASON_LENGTH} characters)."
            }
        )
    if not (by.is_researcher or by.is_productops_admin):
        raise ValidationError(
            {"rule": "Only researchers and ProductOps admins can override a cooldown."}
        )
    if request is None:
        raise ValidationError(
            {"request": "An override is for one request: name the request that needs this person."}
        )
    if request.status != ResearchRequest.Status.OPEN:
        raise ValidationError({"request": "This request is closed; overrides are for open ones."})
    if not request.can_be_edited_by(by):
        raise ValidationError(
            {"request": "Only the request's researcher or a ProductOps admin can override for it."}
        )
    now = timezone.now()
    expires_at = override_expiry(request)
    if expires_at <= now:
        raise ValidationError({"request": "This request's deadline has passed."})
    with transaction.atomic():
        # Lock the participant so two researchers overriding at once record one override.
        Participant.objects.select_for_update().filter(pk=participant.pk).first()
        existing = Override.objects.filter(
            participant=participant, rule=rule, request=request, expires_at__gt=now
        ).first()
        if existing:
            return existing
        override = Override.objects.create(
            participant=participant,
            rule=rule,
            reason=reason,
            by=by,
            request=request,
            created_at=now,
            expires_at=expires_at,
        )
        audit_record(
            actor=by,
            action="research.override.granted",
            target=participant,
            reason=reason,
            data={
                "rule": rule,
                "request": request.pk,
                "expires_at": override.expires_at.isoformat(),
            },
        )
    return override


def overrides_end(*, request: ResearchRequest, now=None) -> int:
    """A closed or cancelled request's overrides end with it."""
    now = now or timezone.now()
    return Override.objects.filter(request=request, expires_at__gt=now).update(expires_at=now)


# Warnings for ProductOps ----------------------------------------------------------------------


def open_requests_at_risk(*, now=None) -> list[dict]:
    """Open requests that fatigue rules are about to block: too few eligible, or sampled people now blocked."""
    from research import targeting

    now = now or timezone.now()
    risky = []
    for req in (
        ResearchRequest.objects.open().filter(deadline__gte=now.date()).select_related("team")
    ):
        try:
            dry = targeting.request_dry_run(req, now=now)
        except ValidationError:
            continue
        problems = []
        if dry["impossible"]:
            problems.append("it cannot be filled at today's response rate")
        elif dry["sample_capacity"] < dry["invitations_needed"]:
            problems.append(
                f"only {dry['eligible']} eligible for about {dry['invitations_needed']} invitations needed"
            )
        sample = req.samples.first()
        if sample:
            blocked = (
                Participant.objects.filter(
                    pk__in=sample.members.filter(standby=False).values("participant_id")
                )
                .filter(Q(next_eligible_at__isnull=True) | Q(next_eligible_at__gt=now))
                .count()
            )
            if blocked:
                problems.append(f"{blocked} sampled participant(s) now blocked by a rule")
        if problems:
            risky.append({"request": req, "problems": problems})
    return risky


def requests_risk_update(*, now=None) -> list[dict]:
    """Write each open request's risk note (shown on its page and the admins' home card)."""
    risky = open_requests_at_risk(now=now)
    ResearchRequest.objects.exclude(pk__in=[i["request"].pk for i in risky]).exclude(
        risk=""
    ).update(risk="")
    for item in risky:
        ResearchRequest.objects.filter(pk=item["request"].pk).update(
            risk=("; ".join(item["problems"]))[:500]
        )
    return risky


def admins_warn_about_requests(*, now=None) -> int:
    """Tell ProductOps admins, once a day per request, which open requests the rules are about to block."""
    now = now or timezone.now()
    admins = list(User.objects.filter(is_productops_admin=True, is_active=True))
    sent = 0
    for item in requests_risk_update(now=now):
        req = item["request"]
        sent += notify(
            recipients=admins,
            key=f"research:request:{req.pk}:at-risk:{now.date().isoformat()}",
            title=f"Research request “{req.title}” is about to hit fatigue rules",
            body=f"{req.team}: " + "; ".join(item["problems"]) + ".",
            url=settings.PORTAL_BASE_URL.rstrip("/") + req.get_absolute_url(),
        )
    return sent
