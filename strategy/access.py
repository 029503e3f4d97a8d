"""Who is looking at a strategy, and whether they may: the one place every view, endpoint and workflow asks."""

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.http import Http404

from productops.accounts.models import Membership, User
from strategy import phases
from strategy.models import ReadConfirmation, Strategy

# Written as SQL: two Exists() subqueries cost more to compile than the rest of the page's
# lookup, and every strategy page and endpoint starts here. Same joins as
# `delegates=user` and `audience_teams__memberships__user=user`.
_IS_DELEGATE = (
    f"EXISTS (SELECT 1 FROM {Strategy.delegates.through._meta.db_table} d"
    f" WHERE d.strategy_id = {Strategy._meta.db_table}.id AND d.user_id = %s)"
)
_IS_AUDIENCE = (
    f"EXISTS (SELECT 1 FROM {Strategy.audience_teams.through._meta.db_table} a"
    f" JOIN {Membership._meta.db_table} m ON m.team_id = a.team_id"
    f" WHERE a.strategy_id = {Strategy._meta.db_table}.id AND m.user_id = %s)"
)


def _relation_annotations(user: User) -> dict:
    return {
        "_is_delegate": RawSQL(_IS_DELEGATE, [user.pk], output_field=BooleanField()),
        "_is_audience": RawSQL(_IS_AUDIENCE, [user.pk], output_field=BooleanField()),
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


def require(allowed_reason: tuple[bool, str]) -> None:
    allowed, reason = allowed_reason
    if not allowed:
        raise PermissionDenied(reason)


def audience_members(strategy: Strategy):
    return User.objects.filter(is_active=True, memberships__team__strategies=strategy).distinct()


def user_audience_teams(strategy: Strategy, user: User):
    return strategy.audience_teams.filter(memberships__user=user)


def has_confirmed(strategy: Strategy, user: User) -> bool:
    return ReadConfirmation.objects.filter(strategy=strategy, user=user).exists()
