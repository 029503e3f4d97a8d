"""The participant, ledger and request lists' rows, built from one flat `values()` query each.

A page holds up to 500 rows. DRF's ModelSerializer costs a field object call per value and a
model instance per row (with its account), which made these lists cost several times a single
row's worth of data. These rows are the same dicts `ParticipantSerializer`,
`LedgerEntrySerializer` and `ResearchRequestSerializer` write, which the tests hold them to; the
serializers still document them and serve single objects.
"""

from django.db.models import OuterRef, Subquery

from productops.api_rows import column_rows, columns
from research.models import Sample

# Output key -> column, in the serializers' order.
PARTICIPANT_FIELDS = {
    "id": "id",
    "external_id": "external_id",
    "name": "name",
    "email": "email",
    "account": "account__external_id",
    "account_name": "account__name",
    "time_zone": "time_zone",
    "language": "language",
    "consent": "consent",
    "consent_at": "consent_at",
    "do_not_contact": "do_not_contact",
    "opted_out": "opted_out",
    "plan": "plan",
    "region": "region",
    "country": "country",
    "industry": "industry",
    "company_size": "company_size",
    "tenure": "tenure",
    "usage_level": "usage_level",
    "attributes": "attributes",
    "eligible_now": "next_eligible_at",  # computed
    "next_eligible_at": "next_eligible_at",
    "blocked_rules": "blocked_rules",
    "contact_count": "contact_count",
    "last_contacted_at": "last_contacted_at",
}
PARTICIPANT_COLUMNS = columns(PARTICIPANT_FIELDS)

LEDGER_FIELDS = {
    "id": "id",
    "participant": "participant__external_id",
    "team": "team__slug",
    "request": "request_id",
    "kind": "kind",
    "method": "method",
    "at": "at",
    "minutes": "minutes",
    "incentive_cents": "incentive_cents",
    "source": "source",
    "note": "note",
    "created_at": "created_at",
}
LEDGER_COLUMNS = columns(LEDGER_FIELDS)

REQUEST_FIELDS = {
    "id": "id",
    "title": "title",
    "team": "team__slug",
    "researcher": "researcher__username",
    "goal": "goal",
    "method": "method",
    "session_minutes": "session_minutes",
    "participants_needed": "participants_needed",
    "criteria": "criteria",
    "dimensions": "dimensions",
    "deadline": "deadline",
    "incentive_cents": "incentive_cents",
    "status": "status",
    "created_at": "created_at",
    "latest_sample": "latest_sample",
    "sample_stale": "latest_sample",  # computed
    "targeting_changed_at": "targeting_changed_at",
    "cancelled_at": "cancelled_at",
    "cancelled_by": "cancelled_by__username",
    "cancel_reason": "cancel_reason",
}
REQUEST_COLUMNS = columns(REQUEST_FIELDS, "latest_sample_at")


def participant_rows(rows, *, now, with_email: bool) -> list[dict]:
    """`rows`: dicts of PARTICIPANT_COLUMNS. E-mail only for people who may see contacts."""

    def eligible_now(r):
        at = r["next_eligible_at"]
        return {"eligible_now": at is not None and at <= now}

    out = column_rows(
        rows,
        PARTICIPANT_FIELDS,
        datetimes=("consent_at", "next_eligible_at", "last_contacted_at"),
        computed=eligible_now,
    )
    if not with_email:
        for row in out:
            del row["email"]
    return out


def ledger_rows(rows) -> list[dict]:
    """`rows`: dicts of LEDGER_COLUMNS."""
    return column_rows(rows, LEDGER_FIELDS, datetimes=("at", "created_at"))


def with_latest_sample(requests):
    """Each request's newest sample (id and when drawn) in the same query, for REQUEST_COLUMNS."""
    newest = Sample.objects.filter(request=OuterRef("pk")).order_by("-created_at", "-id")
    return requests.annotate(
        latest_sample=Subquery(newest.values("pk")[:1]),
        latest_sample_at=Subquery(newest.values("created_at")[:1]),
    )


def _sample_stale(r) -> dict:
    # ResearchRequest.sample_is_stale on the newest sample.
    return {
        "sample_stale": bool(
            r["latest_sample"] is not None
            and r["targeting_changed_at"]
            and r["latest_sample_at"] < r["targeting_changed_at"]
        )
    }


def request_rows(rows) -> list[dict]:
    """`rows`: dicts of REQUEST_COLUMNS."""
    return column_rows(
        rows,
        REQUEST_FIELDS,
        datetimes=("created_at", "targeting_changed_at", "cancelled_at"),
        dates=("deadline",),
        computed=_sample_stale,
    )
