"""The participant, ledger and request lists' rows, built from one flat `values()` query each.

A page holds up to 500 rows. DRF's ModelSerializer costs a field object call per value and a
model instance per row (with its account), which made these lists cost several times a single
row's worth of data. These rows are the same dicts `ParticipantSerializer` and
`LedgerEntrySerializer` and `ResearchRequestSerializer` write, which the tests hold them to; the serializers still document
them and serve single objects.
"""

from django.db.models import OuterRef, Subquery
from rest_framework.fields import DateField, DateTimeField

from research.models import Sample

PARTICIPANT_COLUMNS = (
    "id",
    "external_id",
    "name",
    "email",
    "account__external_id",
    "account__name",
    "time_zone",
    "language",
    "consent",
    "consent_at",
    "do_not_contact",
    "opted_out",
    "plan",
    "region",
    "country",
    "industry",
    "company_size",
    "tenure",
    "usage_level",
    "attributes",
    "next_eligible_at",
    "blocked_rules",
    "contact_count",
    "last_contacted_at",
)

LEDGER_COLUMNS = (
    "id",
    "participant__external_id",
    "team__slug",
    "request_id",
    "kind",
    "method",
    "at",
    "minutes",
    "incentive_cents",
    "source",
    "note",
    "created_at",
)


def _moment():
    """DRF's own datetime formatting (current zone, "Z" for UTC, None stays None), with the zone
    looked up once per page rather than once per value."""
    return DateTimeField(default_timezone=DateTimeField().default_timezone()).to_representation


def participant_rows(rows, *, now, with_email: bool) -> list[dict]:
    """`rows`: dicts of PARTICIPANT_COLUMNS. E-mail only for people who may see contacts."""
    moment = _moment()
    out = []
    for r in rows:
        eligible_at = r["next_eligible_at"]
        row = {
            "id": r["id"],
            "external_id": r["external_id"],
            "name": r["name"],
            "email": r["email"],
            "account": r["account__external_id"],
            "account_name": r["account__name"],
            "time_zone": r["time_zone"],
            "language": r["language"],
            "consent": r["consent"],
            "consent_at": moment(r["consent_at"]),
            "do_not_contact": r["do_not_contact"],
            "opted_out": r["opted_out"],
            "plan": r["plan"],
            "region": r["region"],
            "country": r["country"],
            "industry": r["industry"],
            "company_size": r["company_size"],
            "tenure": r["tenure"],
            "usage_level": r["usage_level"],
            "attributes": r["attributes"],
            "eligible_now": eligible_at is not None and eligible_at <= now,
            "next_eligible_at": moment(eligible_at),
            "blocked_rules": r["blocked_rules"],
            "contact_count": r["contact_count"],
            "last_contacted_at": moment(r["last_contacted_at"]),
        }
        if not with_email:
            del row["email"]
        out.append(row)
    return out


def ledger_rows(rows) -> list[dict]:
    """`rows`: dicts of LEDGER_COLUMNS."""
    moment = _moment()
    return [
        {
            "id": r["id"],
            "participant": r["participant__external_id"],
            "team": r["team__slug"],
            "request": r["request_id"],
            "kind": r["kind"],
            "method": r["method"],
            "at": moment(r["at"]),
            "minutes": r["minutes"],
            "incentive_cents": r["incentive_cents"],
            "source": r["source"],
            "note": r["note"],
            "created_at": moment(r["created_at"]),
        }
        for r in rows
    ]


REQUEST_COLUMNS = (
    "id",
    "title",
    "team__slug",
    "researcher__username",
    "goal",
    "method",
    "session_minutes",
    "participants_needed",
    "criteria",
    "dimensions",
    "deadline",
    "incentive_cents",
    "status",
    "created_at",
    "latest_sample",
    "latest_sample_at",
    "targeting_changed_at",
    "cancelled_at",
    "cancelled_by__username",
    "cancel_reason",
)


def with_latest_sample(requests):
    """Each request's newest sample (id and when drawn) in the same query, for REQUEST_COLUMNS."""
    newest = Sample.objects.filter(request=OuterRef("pk")).order_by("-created_at", "-id")
    return requests.annotate(
        latest_sample=Subquery(newest.values("pk")[:1]),
        latest_sample_at=Subquery(newest.values("created_at")[:1]),
    )


def request_rows(rows) -> list[dict]:
    """`rows`: dicts of REQUEST_COLUMNS."""
    moment = _moment()
    day = DateField().to_representation
    return [
        {
            "id": r["id"],
            "title": r["title"],
            "team": r["team__slug"],
            "researcher": r["researcher__username"],
            "goal": r["goal"],
            "method": r["method"],
            "session_minutes": r["session_minutes"],
            "participants_needed": r["participants_needed"],
            "criteria": r["criteria"],
            "dimensions": r["dimensions"],
            "deadline": day(r["deadline"]),
            "incentive_cents": r["incentive_cents"],
            "status": r["status"],
            "created_at": moment(r["created_at"]),
            "latest_sample": r["latest_sample"],
            # ResearchRequest.sample_is_stale on the newest sample.
            "sample_stale": bool(
                r["latest_sample"] is not None
                and r["targeting_changed_at"]
                and r["latest_sample_at"] < r["targeting_changed_at"]
            ),
            "targeting_changed_at": moment(r["targeting_changed_at"]),
            "cancelled_at": moment(r["cancelled_at"]),
            "cancelled_by": r["cancelled_by__username"],
            "cancel_reason": r["cancel_reason"],
        }
        for r in rows
    ]
