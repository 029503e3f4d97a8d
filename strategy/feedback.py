"""Feedback on a strategy: points, replies and dot votes, and who may read which point when."""

import uuid
from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Prefetch, Q
from django.http import Http404
from django.utils import timezone

from productops.accounts.models import Team, User
from strategy import anonymity, phases, receipts, voting
from strategy.access import (
    has_confirmed,
    require,
    strategy_get_for,
    user_audience_teams,
    viewer_for,
)
from strategy.models import (
    AnchorCheck,
    Assumption,
    Participation,
    Point,
    Reply,
    Strategy,
    TeamVoices,
    Vote,
    VoteBudget,
)

# Anonymous points from a team stay hidden until this many of its people have answered.
ANONYMITY_THRESHOLD = anonymity.K


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
    assumption=None,
    now=None,
) -> Point:
    now = now or timezone.now()
    strategy = Strategy.objects.select_for_update().get(pk=strategy.pk)
    viewer = viewer_for(strategy, by)
    require(phases.can_give_feedback(strategy.phase, viewer, strategy.window_open(now)))
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
    if assumption is not None and not isinstance(assumption, Assumption):
        assumption = strategy.assumption_items.filter(public_id=assumption).first() or False
    if assumption is False or (assumption is not None and assumption.strategy_id != strategy.pk):
        errors["assumption"] = "That assumption is not listed on this strategy."
    version = strategy.versions.order_by("-number").first()
    if section_key and not version.sections.filter(key=section_key).exists():
        errors["section_key"] = "That section is not in the current version."
    if errors:
        raise ValidationError(errors)
    public_id = uuid.uuid4()
    point = Point(
        public_id=public_id,
        receipt=receipts.receipt_for(by.pk, public_id) if is_anonymous else "",
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
        assumption=assumption,
        # Anonymous points get the window's opening time so their order reveals nothing either.
        created_at=strategy.feedback_opens_at if is_anonymous else now,
    )
    point.full_clean(exclude=["author", "team", "version", "strategy"])
    point.save()
    Participation.objects.get_or_create(strategy=strategy, user=by)
    return point


def team_voices(strategy: Strategy, team_ids=None) -> dict[int, int]:
    """Live voices per team: people who answered and are members now. Only valid during the window."""
    qs = Participation.objects.filter(strategy=strategy)
    if team_ids is not None:
        qs = qs.filter(user__memberships__team_id__in=team_ids)
    rows = (
        qs.values("user__memberships__team_id")
        .annotate(n=Count("user_id", distinct=True))
        .order_by()
    )
    return {r["user__memberships__team_id"]: r["n"] for r in rows}


def _live_floor(strategy: Strategy) -> tuple[anonymity.Floor, dict[int, int]]:
    team_ids = list(strategy.audience_teams.values_list("pk", flat=True))
    voices = team_voices(strategy, team_ids)
    floor = anonymity.decide({t: voices.get(t, 0) for t in team_ids}, 0)
    small = [t for t in team_ids if floor.is_pooled(t)]
    pool = (
        Participation.objects.filter(strategy=strategy, user__memberships__team_id__in=small)
        .values("user_id")
        .distinct()
        .count()
        if small
        else 0
    )
    return anonymity.decide({t: voices.get(t, 0) for t in team_ids}, pool), voices


def voices_snapshot(strategy: Strategy) -> None:
    """Fix each team's voices as the window closes; later membership changes change nothing."""
    floor, voices = _live_floor(strategy)
    team_ids = strategy.audience_teams.values_list("pk", flat=True)
    TeamVoices.objects.bulk_create(
        [TeamVoices(strategy=strategy, team_id=t, voices=voices.get(t, 0)) for t in team_ids],
        ignore_conflicts=True,
    )
    Strategy.objects.filter(pk=strategy.pk, pooled_voices__isnull=True).update(
        pooled_voices=floor.pool_voices
    )


def floor_for(strategy: Strategy) -> anonymity.Floor:
    """Who may be named and what may be shown: live during the window, the snapshot after it."""
    if not strategy.is_revealed:
        return _live_floor(strategy)[0]
    cached = strategy.__dict__.get("_floor")
    if cached is not None:
        return cached
    rows = dict(TeamVoices.objects.filter(strategy=strategy).values_list("team_id", "voices"))
    # Set once, as the window closes, and never changed: a value already loaded is the stored one.
    pooled = strategy.pooled_voices
    if pooled is None:
        pooled = (
            Strategy.objects.filter(pk=strategy.pk).values_list("pooled_voices", flat=True).first()
        )
    if pooled is None:
        # Revealed before snapshots existed (or by hand): take it now, once.
        voices_snapshot(strategy)
        rows = dict(TeamVoices.objects.filter(strategy=strategy).values_list("team_id", "voices"))
        pooled = Strategy.objects.filter(pk=strategy.pk).values_list("pooled_voices", flat=True)[0]
    floor = anonymity.decide(rows, pooled or 0)
    strategy.__dict__["_floor"] = floor
    return floor


def without_withheld(qs, floor: anonymity.Floor):
    if floor.pool_shown:
        return qs
    return qs.exclude(Q(is_anonymous=True) & ~Q(team_id__in=floor.big_teams))


def label_voices(points, floor: anonymity.Floor):
    """Anonymous points of small teams speak for "across teams", never their team."""
    for point in points:
        point.anon_team_shown = point.is_anonymous and not floor.is_pooled(point.team_id)
    return points


def points_visible_to(strategy: Strategy, user: User, viewer: phases.Viewer):
    """The points this person may read now. During the window: their own and clarifying questions only."""
    qs = strategy.points.all()
    if strategy.is_revealed:
        return without_withheld(qs, floor_for(strategy))
    if strategy.phase == phases.FEEDBACK:
        return qs.filter(Q(author=user) | Q(is_clarifying=True))
    return qs.none()


def may_withhold(strategy: Strategy) -> bool:
    return strategy.is_revealed and floor_for(strategy).may_withhold


def withheld_count(strategy: Strategy) -> int:
    """For tests and operators only: pages never show it (see Floor.may_withhold)."""
    if not strategy.is_revealed:
        return 0
    floor = floor_for(strategy)
    if floor.pool_shown:
        return 0
    return strategy.points.filter(is_anonymous=True).exclude(team_id__in=floor.big_teams).count()


def section_counts(strategy: Strategy) -> dict[str, dict[str, int]]:
    """Counts by section and type, never including a point that is withheld for its author's sake."""
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    points = without_withheld(Point.objects.filter(strategy=strategy), floor_for(strategy))
    for row in points.counts_by_section_and_type():
        counts[row["section_key"]][row["type"]] = row["n"]
    return counts


def point_get_for(user: User, pk) -> tuple[Point, Strategy, phases.Viewer]:
    try:
        point = Point.objects.select_related("strategy").get(public_id=pk)
    except (Point.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404("No such point.") from exc
    strategy, viewer = strategy_get_for(user, point.strategy_id)
    if not points_visible_to(strategy, user, viewer).filter(pk=point.pk).exists():
        raise Http404("No such point.")
    return point, strategy, viewer


def my_points(strategy: Strategy, user: User) -> list[Point]:
    """This person's own points, named and anonymous, with their dispositions.

    Anonymous ones are found by recomputing the person's receipt against each anonymous point:
    nothing stored says whose they are. Withheld ones are included: their author may always see them.
    """
    # Most readers wrote nothing here: tell which points are theirs from a few columns, and load
    # whole rows only for those. An anonymous point has no author, so none is counted twice.
    rows = strategy.points.filter(Q(author=user) | Q(is_anonymous=True)).values_list(
        "pk", "is_anonymous", "receipt", "public_id", named=True
    )
    mine = [r.pk for r in rows if not r.is_anonymous or receipts.is_mine(r, user)]
    if not mine:
        return []
    named, anonymous = [], []
    for p in strategy.points.filter(pk__in=mine).select_related("disposition", "team"):
        (anonymous if p.is_anonymous else named).append(p)
    if anonymous:
        floor = floor_for(strategy)
        label_voices(anonymous, floor)
        for point in anonymous:
            point.withheld = strategy.is_revealed and floor.is_withheld(point.team_id)
    return sorted(named + anonymous, key=lambda p: str(p.public_id))


def own_point_get(user: User, public_id) -> Point:
    """A point its author wrote, named or anonymous; 404 for anyone else (no hint it exists)."""
    try:
        point = Point.objects.select_related("strategy").get(public_id=public_id)
    except (Point.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404("No such point.") from exc
    if point.author_id != user.pk and not receipts.is_mine(point, user):
        raise Http404("No such point.")
    return point


@transaction.atomic
def point_withdraw(*, point: Point, by: User, now=None) -> None:
    """The author takes their point back while the window is open; after it, others have read it."""
    strategy = Strategy.objects.select_for_update().get(pk=point.strategy_id)
    if point.author_id != by.pk and not receipts.is_mine(point, by):
        raise PermissionDenied("Only the author can withdraw a point.")
    if not strategy.window_open(now or timezone.now()):
        raise ValidationError(
            "A point can be withdrawn only while the window is open; now answer it in the discussion."
        )
    Point.objects.filter(pk=point.pk).delete()


def reply_create(*, point: Point, by: User, body: str, now=None) -> Reply:
    now = now or timezone.now()
    strategy = Strategy.objects.get(pk=point.strategy_id)
    viewer = viewer_for(strategy, by)
    require(
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
    require(
        phases.can_vote(
            strategy.phase, viewer_for(strategy, by), voting_open=strategy.voting_open()
        )
    )
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
    require(
        phases.can_vote(
            strategy.phase, viewer_for(strategy, by), voting_open=strategy.voting_open()
        )
    )
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


def prefetch_discussion(qs):
    return qs.select_related("team", "author", "disposition").prefetch_related(
        Prefetch("replies", queryset=Reply.objects.select_related("author")),
        # The author's own word that a point no longer applies after a new version.
        Prefetch(
            "anchor_checks",
            queryset=AnchorCheck.objects.filter(decision="withdraw").select_related("version"),
            to_attr="withdrawn_checks",
        ),
    )
