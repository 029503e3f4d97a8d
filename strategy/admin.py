"""Django admin for strategies, under the same rules as the pages (strategy.access, strategy.feedback).

Confidence ratings, session positions and session questions are not registered at all: nobody
reads one person's rating, not even after the reveal (the pages show only spreads under the k
floor), and a position is sealed until the facilitator reveals it, which admin cannot know.
Decision records and commitments (dissents included) are history: read-only, never deleted.

Everything here is read-only: phases move through the workflow, versions are published, points and
replies come from the audience, and dispositions are the owner's answers. An admin who could edit,
add or delete them could forge the record or break the reveal rule.
"""

from django.contrib import admin
from django.db.models import Q

from productops.accounts.admin_site import ReadOnlyAdmin
from strategy.access import viewer_for
from strategy.feedback import points_visible_to
from strategy.models import (
    AgendaItem,
    Assumption,
    Commitment,
    DecisionRecord,
    Disposition,
    Point,
    ReviewSession,
    Strategy,
    Version,
)

# The owner's unpublished working copy: only the owner and delegates read it, on any path.
WORKING_COPY = [
    "diagnosis",
    "guiding_policy",
    "bets",
    "options",
    "assumptions",
    "body",
    "context_links",
]


def readable_points(user):
    """The points `user` may read on the pages now, minus anonymous ones.

    Anonymous points stay out of admin altogether: admin addresses rows by their database key,
    whose order would place an anonymous point among its author's named ones.
    """
    readable = Q(pk__in=[])
    strategies = Strategy.objects.visible_to(user).filter(points__isnull=False).distinct()
    for strategy in strategies:
        visible = points_visible_to(strategy, user, viewer_for(strategy, user))
        readable |= Q(pk__in=visible.values("pk"))
    return Point.objects.filter(readable, is_anonymous=False)


@admin.register(Strategy)
class StrategyAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["title", "owner", "phase", "feedback_closes_at", "updated_at"]
    list_filter = ["phase"]
    list_select_related = ["owner"]
    search_fields = ["title"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(pk__in=Strategy.objects.visible_to(request.user).values("pk"))
        )

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and viewer_for(obj, request.user).is_owner:
            return fields
        return [f for f in fields if f not in WORKING_COPY]


@admin.register(Version)
class VersionAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["strategy", "number", "published_at"]
    list_select_related = ["strategy"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(strategy__in=Strategy.objects.visible_to(request.user).values("pk"))
        )


@admin.register(Point)
class PointAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Only points the pages would show this person; no search, since searching text reads it."""

    list_display = ["__str__", "strategy", "team", "author", "created_at"]
    list_filter = ["type"]
    list_select_related = ["strategy", "team", "author"]
    # Tallies show on the discussion page when its voting rules allow; not here around them.
    # The receipt is a keyed hash of an anonymous author; admin has no use for it.
    exclude = ["vote_count", "receipt"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).filter(pk__in=readable_points(request.user).values("pk"))
        )


@admin.register(Disposition)
class DispositionAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["__str__", "point", "decided_by", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["point", "decided_by"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(point__in=readable_points(request.user).values("pk"))
        )


@admin.register(Assumption)
class AssumptionAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["__str__", "strategy", "position"]
    list_select_related = ["strategy"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(strategy__in=Strategy.objects.visible_to(request.user).values("pk"))
        )


def _of_visible_strategies(request, qs, path="strategy"):
    return qs.filter(**{f"{path}__in": Strategy.objects.visible_to(request.user).values("pk")})


@admin.register(ReviewSession)
class ReviewSessionAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["title", "strategy", "starts_at", "status", "agenda_sent_at"]
    list_select_related = ["strategy"]
    exclude = ["current_item"]

    def get_queryset(self, request):
        return _of_visible_strategies(request, super().get_queryset(request))


@admin.register(AgendaItem)
class AgendaItemAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Titles, time boxes and outcomes; positions on an item are never shown here."""

    list_display = ["__str__", "session", "minutes", "settled", "closed_at"]
    list_select_related = ["session"]

    def get_queryset(self, request):
        return _of_visible_strategies(request, super().get_queryset(request), "session__strategy")


@admin.register(DecisionRecord)
class DecisionRecordAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["__str__", "owner", "review_on", "finalised_at", "reopened_at"]
    list_select_related = ["strategy", "owner"]

    def get_queryset(self, request):
        return _of_visible_strategies(request, super().get_queryset(request))


@admin.register(Commitment)
class CommitmentAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["__str__", "record", "user", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["record__strategy", "user"]

    def get_queryset(self, request):
        return _of_visible_strategies(request, super().get_queryset(request), "record__strategy")
