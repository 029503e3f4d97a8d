"""Who is looking at a strategy, and whether they may: the one place every view, endpoint and workflow asks."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from productops.accounts.models import User
from strategy import phases, relations
from strategy.models import ReadConfirmation, Strategy


def _relation_annotations(user: User) -> dict:
    return {
        "_is_delegate": relations.is_delegate(user),
        "_is_audience": relations.is_audience(user),
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
