"""Similar points answered once: build groups with strategy.clustering, answer a group, split a point out.

Only points the pages show go in (withheld ones stay out under the k floor), only after the reveal,
and only those still awaiting an answer. A group never names anyone beyond what its points show.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import Http404

from productops.accounts.models import User
from strategy import clustering, feedback, phases, services
from strategy.access import strategy_get_for, viewer_for
from strategy.models import Point, PointGroup, Strategy

GROUPED_KINDS = ("concern", "pushback", "risk", "question", "alternative", "idea")


def _require_owner(strategy: Strategy, by: User) -> None:
    allowed, why = phases.can_dispose(strategy.phase, viewer_for(strategy, by))
    if not allowed:
        raise PermissionDenied(why)


def candidates(strategy: Strategy):
    return feedback.without_withheld(
        Point.objects.filter(
            strategy=strategy,
            type__in=GROUPED_KINDS,
            disposition__isnull=True,
            kept_apart=False,
        ),
        feedback.floor_for(strategy),
    )


@transaction.atomic
def groups_build(*, strategy: Strategy, by: User) -> int:
    """(Re)group the points still awaiting an answer; returns how many groups there are now."""
    strategy = Strategy.objects.select_for_update().get(pk=strategy.pk)
    _require_owner(strategy, by)
    points = list(candidates(strategy).values_list("pk", "type", "body", "rationale"))
    # Regrouping starts from the unanswered points alone; answered groups keep their record.
    Point.objects.filter(pk__in=[p[0] for p in points]).update(group=None)
    PointGroup.objects.filter(strategy=strategy).annotate(n=Count("points")).filter(n=0).delete()
    found = clustering.cluster(
        [
            clustering.Item(str(pk), kind, f"{body} {rationale}")
            for pk, kind, body, rationale in points
        ]
    )
    for keys in found:
        group = PointGroup.objects.create(strategy=strategy)
        Point.objects.filter(pk__in=[int(k) for k in keys]).update(group=group)
    return len(found)


def groups_for(strategy: Strategy) -> list[PointGroup]:
    """Groups with two or more points visible now, their points labelled under the k floor."""
    if not strategy.is_revealed:
        return []
    floor = feedback.floor_for(strategy)
    visible = feedback.without_withheld(Point.objects.all(), floor).select_related(
        "team", "author", "disposition"
    )
    groups = list(
        PointGroup.objects.filter(strategy=strategy).prefetch_related(
            Prefetch("points", queryset=visible.order_by("public_id"))
        )
    )
    shown = []
    for group in groups:
        members = feedback.label_voices(list(group.points.all()), floor)
        if len(members) < 2:
            continue
        group.members = members
        group.voices = sorted({p.voice for p in members})
        group.open = sum(1 for p in members if not hasattr(p, "disposition"))
        shown.append(group)
    return sorted(shown, key=lambda g: -len(g.members))


def group_get_for(user: User, public_id) -> tuple[PointGroup, Strategy]:
    try:
        group = PointGroup.objects.get(public_id=public_id)
    except (PointGroup.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404("No such group.") from exc
    strategy, viewer = strategy_get_for(user, group.strategy_id)
    return group, strategy


@transaction.atomic
def group_dispose(
    *, group: PointGroup, by: User, status: str, reason: str = "", section_key: str = ""
) -> int:
    """One answer for every visible point of the group still awaiting one; all or none."""
    strategy = Strategy.objects.get(pk=group.strategy_id)
    _require_owner(strategy, by)
    points = list(candidates(strategy).filter(group=group))
    if not points:
        raise ValidationError({"status": "Every point of this group has its answer already."})
    for point in points:
        services.disposition_set(
            point=point, by=by, status=status, reason=reason, section_key=section_key
        )
    return len(points)


@transaction.atomic
def group_split(*, point: Point, by: User) -> None:
    """The owner takes a point out of a group it does not belong to; it is never regrouped."""
    strategy = Strategy.objects.get(pk=point.strategy_id)
    _require_owner(strategy, by)
    group_id = point.group_id
    if group_id is None:
        raise ValidationError({"point": "This point is not in a group."})
    Point.objects.filter(pk=point.pk).update(group=None, kept_apart=True)
    left = Point.objects.filter(group_id=group_id)
    if left.count() < 2:
        left.update(group=None)
        PointGroup.objects.filter(pk=group_id).delete()
