"""The strategy list endpoint's rows, built from two flat queries.

`StrategySerializer` over model instances with prefetched teams costs more CPU than the rest of
the request (a field object per value, a related manager per row). These rows are the same
dicts it writes, which the tests hold them to; the serializer still documents them in the
schema and serves single strategies.
"""

from collections import defaultdict

from productops.api_rows import column_rows, columns
from strategy.models import Strategy

# Output key -> column, in the serializer's order; `audience_teams` is filled in below.
_FIELDS = {
    "id": "id",
    "title": "title",
    "owner": "owner__username",
    "audience_teams": "id",  # computed
    "phase": "phase",
    "feedback_opens_at": "feedback_opens_at",
    "feedback_closes_at": "feedback_closes_at",
    "decision_due": "decision_due",
    "revealed_at": "revealed_at",
    "voting_closes_at": "voting_closes_at",
    "finalised_at": "finalised_at",
    "vote_budget": "vote_budget",
    "updated_at": "updated_at",
}


def row_values(strategies):
    """The columns a row needs, from a queryset of strategies (filters and order kept)."""
    return strategies.values(*columns(_FIELDS))


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
    return column_rows(
        values,
        _FIELDS,
        datetimes=(
            "feedback_opens_at",
            "feedback_closes_at",
            "revealed_at",
            "voting_closes_at",
            "finalised_at",
            "updated_at",
        ),
        dates=("decision_due",),
        computed=lambda v: {"audience_teams": teams[v["id"]]},
    )
