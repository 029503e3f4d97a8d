"""Strategy workflows shared by the pages, the API and the tasks. Every rule is checked here."""

from collections import defaultdict
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q
from django.http import Http404
from django.utils import timezone

from productops.accounts.models import Team, User
from productops.accounts.services import audit_record
from strategy import phases, rendering, sections, voting
from strategy.models import (
    TEMPLATE_PARTS,
    Attachment,
    Disposition,
    Participation,
    Point,
    ReadConfirmation,
    ReadReceipt,
    Reply,
    Section,
    Strategy,
    Version,
    Vote,
    VoteBudget,
)

# Anonymous points from a team stay hidden until this many of its people have answered.
ANONYMITY_THRESHOLD = 3
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


# --- who is looking ---------------------------------------------------------------------------


def _relation_annotations(user: User) -> dict:
    return {
        "_is_delegate": Exists(
            Strategy.delegates.through.objects.filter(strategy=OuterRef("pk"), user=user)
        ),
        "_is_audience": Exists(
            Strategy.audience_teams.through.objects.filter(
                strategy=OuterRef("pk"), team__memberships__user=user
            )
        ),
    }


def viewer_for(strategy: Strategy, user: User) -> phases.Viewer:
    if not user.is_authenticated:
        return phases.Viewer()
    if hasattr(strategy, "_is_delegate"):
        is_delegate, is_audience = strategy._is_delegate, strategy._is_audience
    else:
        is_delegate = strategy.delegates.filter(pk=user.pk).exists()
        is_audience = strategy.audience_teams.filter(memberships__user=user).exists()
    return phases.Viewer(
        is_owner=strategy.owner_id == user.pk or is_delegate,
        is_leadership=user.is_leadership,
        is_audience=is_audience,
        is_admin=user.is_productops_admin,
    )


def strategy_get_for(user: User, pk) -> tuple[Strategy, phases.Viewer]:
    """The strategy and how `user` relates to it; 404 for anyone who may not see it (no hint it exists)."""
    if not user.is_authenticated:
        raise Http404("No such strategy.")
    try:
        # One query answers both "which strategy" and "how does this person relate to it".
        strategy = (
            Strategy.objects.select_related("owner")
            .annotate(**_relation_annotations(user))
            .get(pk=pk)
        )
    except (Strategy.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such strategy.") from exc
    viewer = viewer_for(strategy, user)
    if not phases.can_view(strategy.phase, viewer):
        raise Http404("No such strategy.")
    return strategy, viewer


def _deny(allowed_reason: tuple[bool, str]) -> None:
    allowed, reason = allowed_reason
    if not allowed:
        raise PermissionDenied(reason)


def audience_members(strategy: Strategy):
    return User.objects.filter(is_active=True, memberships__team__strategies=strategy).distinct()


def user_audience_teams(strategy: Strategy, user: User):
    return strategy.audience_teams.filter(memberships__user=user)


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
    _deny(
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
    """Pushbacks, concerns and alternatives the owner can see and has not answered yet."""
    hidden = _withheld_team_ids(strategy)
    qs = strategy.points.filter(type__in=phases.MUST_ANSWER_TYPES, disposition__isnull=True)
    if hidden:
        qs = qs.exclude(is_anonymous=True, team_id__in=hidden)
    return qs


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
    now=None,
) -> Version:
    now = now or timezone.now()
    strategy = Strategy.objects.select_for_update().get(pk=strategy.pk)
    viewer = viewer_for(strategy, by)
    overriding = viewer.is_admin and override_reason.strip() and not viewer.is_owner
    if not overriding:
        _deny(
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
    if strategy.phase == phases.DRAFT:
        strategy.phase = phases.FEEDBACK
        strategy.feedback_opens_at = now
        strategy.feedback_closes_at = closes_at
        strategy.save(
            update_fields=["phase", "feedback_opens_at", "feedback_closes_at", "updated_at"]
        )
    else:
        strategy.save(update_fields=["updated_at"])
    from strategy import tasks

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


def attachment_add(*, strategy: Strategy, by: User, upload) -> Attachment:
    _deny(
        (
            phases.can_edit_draft(strategy.phase, viewer_for(strategy, by)),
            "Only the owner or a delegate adds attachments.",
        )
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


def has_confirmed(strategy: Strategy, user: User) -> bool:
    return ReadConfirmation.objects.filter(strategy=strategy, user=user).exists()


# --- feedback -----------------------------------------------------------------------------------


@transaction.atomic
def point_create(
    *,
    strategy: Strategy,
    by: User,
    type: str,
    body: str,
    section_key: str = "",
    quote: str = "",
    rationale: str = "",
    cost: str = "",
    confidence: str = "",
    team: Team | None = None,
    on_behalf_of_team: bool = False,
    is_anonymous: bool = False,
    is_clarifying: bool = False,
    now=None,
) -> Point:
    now = now or timezone.now()
    strategy = Strategy.objects.select_for_update().get(pk=strategy.pk)
    viewer = viewer_for(strategy, by)
    _deny(phases.can_give_feedback(strategy.phase, viewer, strategy.window_open(now)))
    if not has_confirmed(strategy, by):
        raise ValidationError(
            "First confirm you read the strategy: write the core bet in one line."
        )
    errors = {}
    body, rationale, cost, quote = (
        body.strip(),
        rationale.strip(),
        cost.strip(),
        " ".join(quote.split()),
    )
    if type not in Point.Type.values:
        errors["type"] = "Choose question, concern, pushback, risk, idea, support or alternative."
    if not body:
        errors["body"] = "Say what you think."
    if type in phases.MUST_ANSWER_TYPES and not rationale:
        errors["rationale"] = (
            "Give the reasoning: pushbacks, concerns and alternatives need a rationale the owner can answer."
        )
    if type == Point.Type.ALTERNATIVE:
        if not cost:
            errors["cost"] = "Say what the alternative would cost."
        if team is None:
            errors["team"] = "An alternative is put forward by a team: choose yours."
        on_behalf_of_team = True
    if is_clarifying and type != Point.Type.QUESTION:
        errors["is_clarifying"] = "Only questions can be clarifying."
    if is_clarifying and is_anonymous:
        errors["is_anonymous"] = (
            "Clarifying questions and their answers are shown to everyone during the window, so they carry your name."
        )
    if (is_anonymous or on_behalf_of_team) and team is None:
        errors["team"] = "Choose the team you speak for."
    if team is not None and not user_audience_teams(strategy, by).filter(pk=team.pk).exists():
        errors["team"] = "You can only speak for an audience team you belong to."
    if confidence and confidence not in Point.Confidence.values:
        errors["confidence"] = "Choose low, medium or high."
    version = strategy.versions.order_by("-number").first()
    if section_key and not version.sections.filter(key=section_key).exists():
        errors["section_key"] = "That section is not in the current version."
    if errors:
        raise ValidationError(errors)
    point = Point(
        strategy=strategy,
        version=version,
        section_key=section_key,
        quote=quote[:500],
        type=type,
        body=body,
        rationale=rationale,
        cost=cost,
        confidence=confidence,
        author=None if is_anonymous else by,
        team=team,
        on_behalf_of_team=on_behalf_of_team and not is_anonymous,
        is_anonymous=is_anonymous,
        is_clarifying=is_clarifying,
        # Anonymous points get the window's opening time so their order reveals nothing either.
        created_at=strategy.feedback_opens_at if is_anonymous else now,
    )
    point.full_clean(exclude=["author", "team", "version", "strategy"])
    point.save()
    Participation.objects.get_or_create(strategy=strategy, user=by)
    return point


def _withheld_team_ids(strategy: Strategy) -> set[int]:
    """Teams whose anonymous points stay hidden: fewer than the threshold of their people answered."""
    anon_teams = set(
        strategy.points.filter(is_anonymous=True)
        .order_by()
        .values_list("team_id", flat=True)
        .distinct()
    )
    if not anon_teams:
        return set()
    voices = team_voices(strategy, anon_teams)
    return {t for t in anon_teams if voices.get(t, 0) < ANONYMITY_THRESHOLD}


def team_voices(strategy: Strategy, team_ids=None) -> dict[int, int]:
    qs = Participation.objects.filter(strategy=strategy)
    if team_ids is not None:
        qs = qs.filter(user__memberships__team_id__in=team_ids)
    rows = (
        qs.values("user__memberships__team_id")
        .annotate(n=Count("user_id", distinct=True))
        .order_by()
    )
    return {r["user__memberships__team_id"]: r["n"] for r in rows}


def points_visible_to(strategy: Strategy, user: User, viewer: phases.Viewer):
    """The points this person may read now. During the window: their own and clarifying questions only."""
    qs = strategy.points.all()
    if strategy.is_revealed:
        hidden = _withheld_team_ids(strategy)
        return qs.exclude(is_anonymous=True, team_id__in=hidden) if hidden else qs
    if strategy.phase == phases.FEEDBACK:
        return qs.filter(Q(author=user) | Q(is_clarifying=True))
    return qs.none()


def withheld_count(strategy: Strategy) -> int:
    if not strategy.is_revealed:
        return 0
    hidden = _withheld_team_ids(strategy)
    return strategy.points.filter(is_anonymous=True, team_id__in=hidden).count() if hidden else 0


def section_counts(strategy: Strategy) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for row in Point.objects.filter(strategy=strategy).counts_by_section_and_type():
        counts[row["section_key"]][row["type"]] = row["n"]
    return counts


def point_get_for(user: User, pk) -> tuple[Point, Strategy, phases.Viewer]:
    try:
        point = Point.objects.select_related("strategy").get(pk=pk)
    except (Point.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such point.") from exc
    strategy, viewer = strategy_get_for(user, point.strategy_id)
    if not points_visible_to(strategy, user, viewer).filter(pk=point.pk).exists():
        raise Http404("No such point.")
    return point, strategy, viewer


def reply_create(*, point: Point, by: User, body: str, now=None) -> Reply:
    now = now or timezone.now()
    strategy = Strategy.objects.get(pk=point.strategy_id)
    viewer = viewer_for(strategy, by)
    _deny(
        phases.can_reply(
            strategy.phase,
            viewer,
            window_open=strategy.window_open(now),
            to_clarifying_question=point.is_clarifying,
        )
    )
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Write a reply."})
    if len(body) > 4000:
        raise ValidationError({"body": "Keep a reply under 4,000 characters."})
    return Reply.objects.create(point=point, author=by, body=body, created_at=now)


# --- votes --------------------------------------------------------------------------------------


def vote_cast(*, point: Point, by: User) -> VoteBudget:
    strategy = Strategy.objects.get(pk=point.strategy_id)
    _deny(phases.can_vote(strategy.phase, viewer_for(strategy, by)))
    with transaction.atomic():
        VoteBudget.objects.get_or_create(
            strategy=strategy, user=by, defaults={"budget": strategy.vote_budget}
        )
        # Lock the budget row: two tabs voting at once queue here instead of overspending.
        budget = VoteBudget.objects.select_for_update().get(strategy=strategy, user=by)
        if Vote.objects.filter(point=point, user=by).exists():
            return budget
        problem = voting.check_budget(budget.budget, budget.spent)
        if problem:
            raise ValidationError({"vote": problem})
        Vote.objects.create(point=point, user=by)
        VoteBudget.objects.filter(pk=budget.pk).update(spent=F("spent") + 1)
        Point.objects.filter(pk=point.pk).update(vote_count=F("vote_count") + 1)
        budget.refresh_from_db()
        return budget


def vote_withdraw(*, point: Point, by: User) -> VoteBudget | None:
    strategy = Strategy.objects.get(pk=point.strategy_id)
    _deny(phases.can_vote(strategy.phase, viewer_for(strategy, by)))
    with transaction.atomic():
        budget = VoteBudget.objects.select_for_update().filter(strategy=strategy, user=by).first()
        if budget is None:
            return None
        if Vote.objects.filter(point=point, user=by).delete()[0]:
            VoteBudget.objects.filter(pk=budget.pk).update(spent=F("spent") - 1)
            Point.objects.filter(pk=point.pk).update(vote_count=F("vote_count") - 1)
        budget.refresh_from_db()
        return budget


def votes_left(strategy: Strategy, user: User) -> int:
    budget = VoteBudget.objects.filter(strategy=strategy, user=user).first()
    return voting.remaining(strategy.vote_budget, budget.spent if budget else 0)


# --- dispositions and phases --------------------------------------------------------------------


def disposition_set(
    *, point: Point, by: User, status: str, reason: str = "", section_key: str = ""
) -> Disposition:
    strategy = Strategy.objects.get(pk=point.strategy_id)
    _deny(phases.can_dispose(strategy.phase, viewer_for(strategy, by)))
    reason = (reason or "").strip()
    if status not in Disposition.Status.values:
        raise ValidationError({"status": "Choose adopted, adapted, declined or parked."})
    if status == Disposition.Status.DECLINED and not reason:
        raise ValidationError(
            {"reason": "Say why it is declined: the author deserves the reasoning."}
        )
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
        _deny(phases.can_transition(strategy.phase, target, viewer))
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


def prefetch_discussion(qs):
    return qs.select_related("team", "author", "disposition").prefetch_related(
        Prefetch("replies", queryset=Reply.objects.select_related("author"))
    )
