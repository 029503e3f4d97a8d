"""The strategy list endpoint's rows, built from two flat queries.

`StrategySerializer` over model instances with prefetched teams costs more CPU than the rest of
the request (a field object per value, a related manager per row). These rows are the same
dicts it writes, which the tests hold them to; the serializer still documents them in the
schema and serves single strategies.
"""

from collections import defaultdict

from rest_framework.fields import DateField, DateTimeField

from strategy.models import Strategy

# The serializer's field order; `owner` and `audience_teams` are filled in below.
_COLUMNS = (
    "id",
    "title",
    "owner__username",
    "phase",
    "feedback_opens_at",
    "feedback_closes_at",
    "decision_due",
    "revealed_at",
    "voting_closes_at",
    "finalised_at",
    "vote_budget",
    "updated_at",
)


def row_values(strategies):
    """The columns a row needs, from a queryset of strategies (filters and order kept)."""
    return strategies.values(*_COLUMNS)


def strategy_rows(values) -> list[dict]:
    """`values`: dicts from `row_values`, in the order to answer."""
    values = list(values)
    teams = defaultdict(list)
    # The serializer reads prefetched teams, which come in Team's own order (by name).
    for strategy_id, slug in (
        Strategy.audience_teams.through.objects.filter(strategy_id__in=[v["id"] for v in values])
        .order_by("team__name")
        .values_list("strategy_id", "team__slug")
    ):
        teams[strategy_id].append(slug)
    # DRF's own fields, so dates are written exactly as the serializer writes them.
    when, day = DateTimeField(), DateField()
    rows = []
    for v in values:
        row = {
            "id": v["id"],
            "title": v["title"],
            "owner": v["owner__username"],
            "audience_teams": teams[v["id"]],
            "phase": v["phase"],
        }
        for name in ("feedback_opens_at", "feedback_closes_at"):
            row[name] = when.to_representation(v[name]) if v[name] is not None else None
        row["decision_due"] = (
            day.to_representation(v["decision_due"]) if v["decision_due"] is not None else None
        )
        for name in ("revealed_at", "voting_closes_at", "finalised_at"):
            row[name] = when.to_representation(v[name]) if v[name] is not None else None
        row["vote_budget"] = v["vote_budget"]
        row["updated_at"] = when.to_representation(v["updated_at"])
        rows.append(row)
    return rows
