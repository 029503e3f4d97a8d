"""Who may do what, in one place for pages and the API."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from rest_framework import permissions

from productops.accounts.models import Team


def admin_required(view):
    """For ProductOps-admin pages; signed-in non-admins get 403, never a redirect loop."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_productops_admin:
            raise PermissionDenied("Only ProductOps admins can open this page.")
        return view(request, *args, **kwargs)

    return wrapper


def can_manage_team(user, team: Team) -> bool:
    return user.is_productops_admin or user.leads(team)


def get_team_for_manager(request, slug: str) -> Team:
    team = get_object_or_404(Team, slug=slug)
    if not can_manage_team(request.user, team):
        raise PermissionDenied("Only this team's leads and ProductOps admins can change the team.")
    return team


class IsProductOpsAdmin(permissions.BasePermission):
    message = "Only ProductOps admins can do this."

    def has_permission(self, request, view):
        return bool(
            request.user and request.user.is_authenticated and request.user.is_productops_admin
        )
