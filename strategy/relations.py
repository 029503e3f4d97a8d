"""How one person relates to each strategy in a query: delegate, audience, has answered.

Each is an EXISTS written as SQL rather than Exists(...filter(OuterRef("pk"))): Django takes
longer to compile those subqueries than the rest of the lookup, and every strategy page, the
list, the home page and the API ask them. The strategy's own column comes from the query
(F("pk")), so the SQL stays right when the query is aliased or used as a subquery. Same joins as
`delegates=user`, `audience_teams__memberships__user=user` and `participations__user=user`.
"""

from functools import cache

from django.apps import apps
from django.db.models import BooleanField, Expression, F


@cache
def _templates() -> dict[str, str]:
    strategy = apps.get_model("strategy", "Strategy")
    participation = apps.get_model("strategy", "Participation")
    membership = apps.get_model("accounts", "Membership")
    delegates = strategy.delegates.through._meta.db_table
    audience = strategy.audience_teams.through._meta.db_table
    return {
        "delegate": f"EXISTS (SELECT 1 FROM {delegates} d"
        " WHERE d.strategy_id = {strategy} AND d.user_id = %s)",
        "audience": f"EXISTS (SELECT 1 FROM {audience} a"
        f" JOIN {membership._meta.db_table} m ON m.team_id = a.team_id"
        " WHERE a.strategy_id = {strategy} AND m.user_id = %s)",
        "answered": f"EXISTS (SELECT 1 FROM {participation._meta.db_table} p"
        " WHERE p.strategy_id = {strategy} AND p.user_id = %s)",
    }


class _Relation(Expression):
    def __init__(self, kind: str, user_pk: int):
        super().__init__(output_field=BooleanField())
        self.kind, self.user_pk = kind, user_pk
        self.strategy = F("pk")

    def get_source_expressions(self):
        return [self.strategy]

    def set_source_expressions(self, exprs):
        (self.strategy,) = exprs

    def as_sql(self, compiler, connection):
        column, params = compiler.compile(self.strategy)
        return _templates()[self.kind].format(strategy=column), (*params, self.user_pk)


def is_delegate(user) -> Expression:
    return _Relation("delegate", user.pk)


def is_audience(user) -> Expression:
    """A member of one of the strategy's audience teams."""
    return _Relation("audience", user.pk)


def has_answered(user) -> Expression:
    """Gave feedback on the strategy (a Participation row: it says nothing of which point)."""
    return _Relation("answered", user.pk)
