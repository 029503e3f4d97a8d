"""Strategy workflows shared by the pages, the API and the tasks. Every rule is checked here."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from productops.accounts.models import User
from productops.accounts.services import audit_record
from strategy import feedback, phases, rendering, sections
from strategy.access import require, viewer_for
from strategy.models import (
    TEMPLATE_PARTS,
    Attachment,
    Disposition,
    Point,
    ReadConfirmation,
    ReadReceipt,
    Section,
    Strategy,
    Version,
)

# The one "closes soon" reminder goes out this long before the window closes.
REMINDER_BEFORE = timedelta(hours=24)
MIN_WINDOW = timedelta(hours=1)
# What the owner may change in the working copy; phases and dates move only through workflows.
DRAFT_FIELDS = {
    "title",
    *(name for name, _, _ in TEMPLATE_PARTS),
    "body",
    "context_links",
    "decision_due",
    "vote_budget",
}


# --- drafts and versions ----------------------------------------------------------------------


def compose_markdown(strategy: Strategy) -> str:
    """The version body: the template parts as sections, then any further detail."""
    chunks = []
    for name, heading, _ in TEMPLATE_PARTS:
        text = getattr(strategy, name).strip()
        if text:
            chunks.append(f"## {heading}\n\n{text}\n")
    if strategy.body.strip():
        chunks.append(strategy.body.strip() + "\n")
    return "\n".join(chunks)


def _check_size(fields: dict) -> None:
    errors = {}
    for name, value in fields.items():
        if not isinstance(value, str):
            continue
        message = rendering.too_long(value)
        if message:
            errors[name] = message
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def strategy_create(*, by: User, title: str, audience_teams, delegates=(), **parts) -> Strategy:
    if not (by.is_leadership or by.is_productops_admin):
        raise PermissionDenied(
            "Strategies are drafted by leadership; ask a leader to delegate one to you."
        )
    _check_size(parts)
    teams = list(audience_teams)
    if not teams:
        raise ValidationError({"audience_teams": "Choose at least one team to hear from."})
    strategy = Strategy(title=title, owner=by, **parts)
    strategy.full_clean()
    strategy.save()
    strategy.audience_teams.set(teams)
    strategy.delegates.set([d for d in delegates if d.pk != by.pk])
    return strategy


@transaction.atomic
def draft_update(
    *, strategy: Strategy, by: User, audience_teams=None, delegates=None, **fields
) -> Strategy:
    require(
        (
            phases.can_edit_draft(strategy.phase, viewer_for(strategy, by)),
            "Only the owner or a delegate edits the draft, and not once it is final.",
        )
    )
    unknown = set(fields) - DRAFT_FIELDS
    if unknown:
        raise ValidationError(f"These cannot be edited here: {', '.join(sorted(unknown))}.")
    _check_size({k: v for k, v in fields.items() if isinstance(v, str)})
    for name, value in fields.items():
        setattr(strategy, name, value)
    strategy.full_clean(exclude=["owner"])
    strategy.save()
    if audience_teams is not None:
        if not list(audience_teams):
            raise ValidationError({"audience_teams": "Choose at least one team to hear from."})
        strategy.audience_teams.set(audience_teams)
    if delegates is not None:
        strategy.delegates.set([d for d in delegates if d.pk != strategy.owner_id])
    return strategy


def undisposed_points(strategy: Strategy):
    """Pushbacks, concerns and alternatives the owner can see and has not answered yet.

    Anonymous points pooled "across teams" count like any other once the pool is shown.
    """
    qs = strategy.points.filter(type__in=phases.MUST_ANSWER_TYPES, disposition__isnull=True)
    return feedback.without_withheld(qs, feedback.floor_for(strategy))


def _require_answers(
    *, strategy: Strategy, by: User, viewer: phases.Viewer, override_reason: str, action: str
) -> None:
    missing = undisposed_points(strategy).count()
    if not missing:
        return
    if viewer.is_admin and override_reason.strip():
        audit_record(
            actor=by,
            action=f"strategy.{action}.override",
            target=strategy,
            reason=override_reason.strip(),
            data={"undisposed": missing},
        )
        return
    raise ValidationError(
        f"{missing} pushback{'s' if missing != 1 else ''}, concerns or alternatives still need a disposition. "
        "Answer every point first (a ProductOps admin may override with a written reason)."
    )


@transaction.atomic
def version_publish(
    *,
    strategy: Strategy,
    by: User,
    change_summary: str,
    closes_at=None,
    override_reason: str = "",
    second_round_hours: int = 0,
    now=None,
) -> Version:
    now = now or timezone.now()
    strategy = Strategy.objects.select_for_update().get(pk=strategy.pk)
    viewer = viewer_for(strategy, by)
    overriding = viewer.is_admin and override_reason.strip() and not viewer.is_owner
    if not overriding:
        require(
            (
                phases.can_publish_version(strategy.phase, viewer),
                "Only the owner or a delegate publishes, and never while the feedback window is open.",
            )
        )
    elif strategy.phase not in (phases.REVEAL, phases.DECISION):
        raise PermissionDenied("An override only applies to a new version after the reveal.")
    missing = strategy.missing_parts()
    if missing:
        raise ValidationError(
            {
                name: f"{heading} is empty: every strategy states it before asking for feedback."
                for name, heading in missing
            }
        )
    if not change_summary.strip():
        raise ValidationError(
            {"change_summary": "Say in a sentence what changed, so readers know where to look."}
        )
    if strategy.phase == phases.DRAFT:
        if closes_at is None:
            raise ValidationError({"closes_at": "Choose when the feedback window closes."})
        if closes_at < now + MIN_WINDOW:
            raise ValidationError(
                {"closes_at": "The window must stay open for at least an hour from now."}
            )
    else:
        _require_answers(
            strategy=strategy,
            by=by,
            viewer=viewer,
            override_reason=override_reason,
            action="publish",
        )

    markdown = compose_markdown(strategy)
    _check_size({"body": markdown})
    previous = strategy.versions.order_by("-number").first()
    old = dataclass_sections(previous) if previous else []
    taken = set(Section.objects.filter(version__strategy=strategy).values_list("key", flat=True))
    new = sections.assign_keys(sections.split(markdown), old, taken=taken)
    version = Version.objects.create(
        strategy=strategy,
        number=(previous.number + 1) if previous else 1,
        change_summary=change_summary.strip(),
        body=markdown,
        published_by=by,
        published_at=now,
    )
    Section.objects.bulk_create(
        Section(
            version=version,
            key=s.key,
            heading=s.heading[:300],
            level=s.level or 2,
            position=s.position,
            markdown=s.markdown,
            html=rendering.render(s.markdown),
        )
        for s in new
    )
    strategy.attachments.filter(version__isnull=True).update(version=version)
    if strategy.phase == phases.DRAFT:
        strategy.phase = phases.FEEDBACK
        strategy.feedback_opens_at = now
        strategy.feedback_closes_at = closes_at
        strategy.save(
            update_fields=["phase", "feedback_opens_at", "feedback_closes_at", "updated_at"]
        )
    else:
        strategy.save(update_fields=["updated_at"])
    from strategy import anchors, second_round, tasks

    if previous is not None:
        anchors.carry_forward(version=version)
    if second_round_hours:
        if previous is None:
            raise ValidationError(
                {"second_round_hours": "A second round follows a new version, not the first."}
            )
        second_round.round_open(
            version=version, previous=previous, hours=second_round_hours, now=now
        )
    tasks.notify_version_published.delay_on_commit(version.pk)
    return version


def dataclass_sections(version: Version) -> list[sections.Section]:
    return [
        sections.Section(
            heading=s.heading,
            level=s.level,
            body="",
            key=s.key,
            position=s.position,
            slug=sections.slugify(s.heading) if s.heading else sections.INTRO_KEY,
        )._with_markdown(s.markdown)
        for s in version.sections.all()
    ]


def attachments_visible_to(strategy: Strategy, viewer: phases.Viewer):
    """Published attachments for everyone; the owner and delegates also see the working copy's."""
    qs = strategy.attachments.select_related("version")
    return qs if viewer.is_owner else qs.filter(version__isnull=False)


def attachment_add(*, strategy: Strategy, by: User, upload) -> Attachment:
    """Add a document to the working copy; readers get it with the next published version."""
    require(
        (
            phases.can_edit_draft(strategy.phase, viewer_for(strategy, by)),
            "Only the owner or a delegate adds attachments.",
        )
    )
    if strategy.phase == phases.FEEDBACK:
        raise ValidationError(
            {
                "file": "Attachments cannot change while the feedback window is open: people are "
                "answering the version they read. Add it after the reveal, with a new version."
            }
        )
    name = (upload.name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in Attachment.EXTENSIONS:
        raise ValidationError({"file": f"Attach one of: {', '.join(Attachment.EXTENSIONS)}."})
    if upload.size > Attachment.MAX_BYTES:
        raise ValidationError(
            {"file": f"This file is {upload.size / 1024 / 1024:.1f} MB; the limit is 10 MB."}
        )
    return Attachment.objects.create(
        strategy=strategy, file=upload, name=name, size=upload.size, uploaded_by=by
    )


# --- reading ------------------------------------------------------------------------------------


def read_record(*, version: Version, user: User, section_keys) -> int:
    valid = set(version.sections.values_list("key", flat=True)) | {""}
    keys = {k for k in section_keys if k in valid}
    ReadReceipt.objects.bulk_create(
        [ReadReceipt(user=user, version=version, section_key=k) for k in keys],
        ignore_conflicts=True,
    )
    return len(keys)


def read_confirm(*, strategy: Strategy, by: User, summary: str) -> ReadConfirmation:
    strategy = Strategy.objects.get(pk=strategy.pk)
    viewer = viewer_for(strategy, by)
    if not viewer.is_audience or viewer.speaks_last:
        raise PermissionDenied("Read confirmations come from the audience teams.")
    if strategy.phase != phases.FEEDBACK:
        raise ValidationError("Reading is confirmed while the feedback window is open.")
    summary = " ".join((summary or "").split())
    if len(summary) < 10:
        raise ValidationError(
            {
                "summary": "Write the core bet in your own words, in one line (at least 10 characters)."
            }
        )
    if len(summary) > 280:
        raise ValidationError({"summary": "Keep it to one line: 280 characters at most."})
    version = strategy.versions.order_by("-number").first()
    try:
        with transaction.atomic():
            return ReadConfirmation.objects.create(
                strategy=strategy, version=version, user=by, summary=summary
            )
    except IntegrityError:
        return ReadConfirmation.objects.get(strategy=strategy, user=by)


# --- dispositions and phases --------------------------------------------------------------------


def disposition_set(
    *, point: Point, by: User, status: str, reason: str = "", section_key: str = ""
) -> Disposition:
    strategy = Strategy.objects.get(pk=point.strategy_id)
    require(phases.can_dispose(strategy.phase, viewer_for(strategy, by)))
    reason = (reason or "").strip()
    if status not in Disposition.Status.values:
        raise ValidationError({"status": "Choose adopted, adapted, declined or parked."})
    problem = phases.disposition_reason_problem(status, reason)
    if problem:
        raise ValidationError({"reason": problem})
    if len(reason) > 4000:
        raise ValidationError({"reason": "Keep the reason under 4,000 characters."})
    if (
        section_key
        and not Section.objects.filter(version__strategy=strategy, key=section_key).exists()
    ):
        raise ValidationError({"section_key": "No section of this strategy has that key."})
    with transaction.atomic():
        disposition, _ = Disposition.objects.update_or_create(
            point=point,
            defaults={
                "status": status,
                "reason": reason,
                "section_key": section_key,
                "decided_by": by,
                "decided_at": timezone.now(),
            },
        )
        if point.author_id:
            from strategy import tasks

            tasks.notify_disposition.delay_on_commit(disposition.pk)
    return disposition


@transaction.atomic
def strategy_transition(
    *, strategy: Strategy, by: User, target: str, override_reason: str = "", now=None
) -> Strategy:
    now = now or timezone.now()
    strategy = Strategy.objects.select_for_update().get(pk=strategy.pk)
    viewer = viewer_for(strategy, by)
    if target == phases.FEEDBACK:
        raise ValidationError("Open the window by publishing the first version.")
    if (
        target == phases.FINAL
        and viewer.is_admin
        and not viewer.is_owner
        and override_reason.strip()
    ):
        if strategy.phase not in (phases.REVEAL, phases.DECISION):
            raise ValidationError("Only a strategy in discussion or decision can be finalised.")
    else:
        require(phases.can_transition(strategy.phase, target, viewer))
    if target == phases.FINAL:
        _require_answers(
            strategy=strategy,
            by=by,
            viewer=viewer,
            override_reason=override_reason,
            action="finalise",
        )
        strategy.finalised_at = now
    elif target == phases.DECISION:
        strategy.decided_at = now
    elif target == phases.ARCHIVED:
        strategy.archived_at = now
    strategy.phase = target
    strategy.save(
        update_fields=["phase", "finalised_at", "decided_at", "archived_at", "updated_at"]
    )
    return strategy
