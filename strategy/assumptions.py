"""The assumptions register and sealed confidence ratings.

During the window each member of the audience rates their confidence in each assumption (1–5)
on their own: nobody, the owner and leadership included, sees a rating or a count until the reveal.
After it the owner and the audience see the spread per assumption, and per team only where the
team's raters reach the k floor; smaller teams are pooled "across teams" under the same floor.
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from productops.accounts.models import Team, User
from strategy import anonymity, phases
from strategy.access import require, strategy_get_for, user_audience_teams, viewer_for
from strategy.models import Assumption, ConfidenceRating, Strategy

SCORES = (1, 2, 3, 4, 5)
SCORE_LABELS = {
    1: "1 · Very unsure",
    2: "2 · Doubtful",
    3: "3 · Could go either way",
    4: "4 · Fairly sure",
    5: "5 · Certain",
}
MAX_ASSUMPTIONS = 30


@transaction.atomic
def assumption_add(*, strategy: Strategy, by: User, text: str) -> Assumption:
    """The owner lists assumptions before or during the window; after it, the ratings are fixed."""
    strategy = Strategy.objects.select_for_update().get(pk=strategy.pk)
    if not viewer_for(strategy, by).is_owner:
        raise PermissionDenied("Only the owner or a delegate lists the assumptions.")
    if strategy.phase not in (phases.DRAFT, phases.FEEDBACK):
        raise ValidationError(
            {"text": "Assumptions are listed before the reveal; after it they are rated already."}
        )
    text = " ".join((text or "").split())
    if not text:
        raise ValidationError({"text": "Write the assumption: what would have to be true."})
    if len(text) > 500:
        raise ValidationError({"text": "Keep an assumption under 500 characters."})
    if strategy.assumption_items.filter(text=text).exists():
        raise ValidationError({"text": "That assumption is already listed."})
    if strategy.assumption_items.count() >= MAX_ASSUMPTIONS:
        raise ValidationError({"text": f"A strategy lists at most {MAX_ASSUMPTIONS} assumptions."})
    last = strategy.assumption_items.order_by("-position").first()
    return Assumption.objects.create(
        strategy=strategy, text=text, position=(last.position + 1) if last else 0
    )


@transaction.atomic
def assumption_remove(*, assumption: Assumption, by: User) -> None:
    strategy = Strategy.objects.select_for_update().get(pk=assumption.strategy_id)
    if not viewer_for(strategy, by).is_owner:
        raise PermissionDenied("Only the owner or a delegate removes an assumption.")
    if strategy.phase != phases.DRAFT:
        raise ValidationError(
            {"assumption": "Once the window opened, people may have rated it: it stays listed."}
        )
    assumption.delete()


def assumption_get_for(user: User, public_id) -> tuple[Assumption, Strategy, phases.Viewer]:
    try:
        assumption = Assumption.objects.get(public_id=public_id)
    except (Assumption.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404("No such assumption.") from exc
    strategy, viewer = strategy_get_for(user, assumption.strategy_id)
    return assumption, strategy, viewer


@transaction.atomic
def rating_set(
    *,
    assumption: Assumption,
    by: User,
    score,
    reason: str = "",
    team: Team | None = None,
    now=None,
) -> ConfidenceRating:
    """Record or change one's own confidence while the window is open."""
    now = now or timezone.now()
    strategy = Strategy.objects.select_for_update().get(pk=assumption.strategy_id)
    viewer = viewer_for(strategy, by)
    allowed, why = phases.can_give_feedback(strategy.phase, viewer, True)
    if not allowed:
        raise PermissionDenied(why.replace("give feedback", "rate assumptions"))
    if not strategy.window_open(now):
        raise ValidationError(
            {"score": "Ratings are taken only while the feedback window is open; it is closed."}
        )
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = None
    if score not in SCORES:
        raise ValidationError(
            {"score": "Rate your confidence from 1 (very unsure) to 5 (certain)."}
        )
    reason = " ".join((reason or "").split())
    if len(reason) > 500:
        raise ValidationError({"reason": "Keep the reason under 500 characters."})
    teams = user_audience_teams(strategy, by)
    if team is not None and not teams.filter(pk=team.pk).exists():
        raise ValidationError({"team": "You can only rate for an audience team you belong to."})
    team = team or teams.order_by("pk").first()
    rating, _ = ConfidenceRating.objects.update_or_create(
        assumption=assumption,
        user=by,
        defaults={"score": score, "reason": reason, "team": team},
    )
    return rating


def my_ratings(strategy: Strategy, user: User) -> dict[int, ConfidenceRating]:
    """A person's own ratings: the only ratings anyone sees one by one."""
    if not user.is_authenticated:
        return {}
    return {
        r.assumption_id: r
        for r in ConfidenceRating.objects.filter(assumption__strategy=strategy, user=user)
    }


@dataclass
class Spread:
    label: str
    n: int
    counts: list[int]  # how many rated 1..5
    mean: float | None
    stdev: float | None
    hidden: bool = False

    @property
    def bars(self) -> list[tuple[int, int, int]]:
        """(score, count, percent of the largest bar) for CSS bars."""
        top = max(self.counts) or 1
        return [(s, c, round(100 * c / top)) for s, c in zip(SCORES, self.counts, strict=True)]


@dataclass
class AssumptionSpread:
    assumption: Assumption
    overall: Spread
    teams: list[Spread] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


def spread_of(label: str, scores: list[int]) -> Spread:
    counts = [scores.count(s) for s in SCORES]
    if not scores:
        return Spread(label, 0, counts, None, None)
    return Spread(
        label,
        len(scores),
        counts,
        round(statistics.fmean(scores), 2),
        round(statistics.pstdev(scores), 2),
    )


def spreads(strategy: Strategy) -> list[AssumptionSpread]:
    """Per assumption and team, after the reveal only. Empty before it: the ratings are sealed.

    A team's figures show only when at least K of its people rated; the others are pooled
    "across teams", shown once that pool reaches K too. Reasons come without score or name,
    alphabetically, and only where K people rated at all.
    """
    if not strategy.is_revealed:
        return []
    assumptions = list(strategy.assumption_items.all())
    rows = ConfidenceRating.objects.filter(assumption__strategy=strategy).values_list(
        "assumption_id", "team_id", "team__name", "score", "reason"
    )
    by_assumption: dict[int, list] = defaultdict(list)
    for row in rows:
        by_assumption[row[0]].append(row)
    result = []
    for assumption in assumptions:
        ratings = by_assumption.get(assumption.pk, [])
        overall = spread_of("Everyone", [r[3] for r in ratings])
        if overall.n < anonymity.K:
            overall = Spread("Everyone", overall.n, [0] * 5, None, None, hidden=overall.n > 0)
            result.append(AssumptionSpread(assumption, overall))
            continue
        per_team: dict[tuple, list[int]] = defaultdict(list)
        for _, team_id, team_name, score, _ in ratings:
            per_team[(team_id, team_name)].append(score)
        teams, pool = [], []
        for (team_id, name), scores in sorted(per_team.items(), key=lambda kv: kv[0][1] or ""):
            if team_id is not None and anonymity.figures_shown(len(scores)):
                teams.append(spread_of(name, scores))
            else:
                pool.extend(scores)
        if pool and not anonymity.figures_shown(len(pool)):
            # The overall figures minus the shown teams' would give the small pool's ratings,
            # one or two people's: then no team is broken out at all.
            teams = [Spread(anonymity.POOL_LABEL, 0, [0] * 5, None, None, hidden=True)]
        elif pool:
            teams.append(spread_of(anonymity.POOL_LABEL, pool))
        reasons = sorted(r[4] for r in ratings if r[4])
        result.append(AssumptionSpread(assumption, overall, teams, reasons))
    return result


def assumption_for_point(strategy: Strategy, public_id) -> Assumption | None:
    if not public_id:
        return None
    found = strategy.assumption_items.filter(public_id=public_id).first()
    if found is None:
        raise ValidationError({"assumption": "That assumption is not listed on this strategy."})
    return found


def require_owner(strategy: Strategy, viewer: phases.Viewer) -> None:
    require((viewer.is_owner, "Only the owner or a delegate does this."))
