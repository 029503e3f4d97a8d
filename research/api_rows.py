"""The participant and ledger lists' rows, built from one flat `values()` query each.

A page holds up to 500 rows. DRF's ModelSerializer costs a field object call per value and a
model instance per row (with its account), which made these lists cost several times a single
row's worth of data. These rows are the same dicts `ParticipantSerializer` and
`LedgerEntrySerializer` write, which the tests hold them to; the serializers still document
them and serve single objects.
"""

from rest_framework.fields import DateTimeField

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
