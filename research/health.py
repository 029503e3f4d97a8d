"""Panel health for ProductOps: is the org hearing from a broad panel, or the same vocal few?"""

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from research import planning, targeting
from research.models import Account, LedgerEntry, Participant

CONTACT_BUCKETS = [
    (0, 0, "0"),
    (1, 1, "1"),
    (2, 2, "2"),
    (3, 4, "3–4"),
    (5, 9, "5–9"),
    (10, None, "10+"),
]
ACCOUNT_BUCKETS = [(0, 0, "0"), (1, 2, "1–2"), (3, 9, "3–9"), (10, 49, "10–49"), (50, None, "50+")]


def _bucket_q(field, low, high) -> Q:
    q = Q(**{f"{field}__gte": low})
    if high is not None:
        q &= Q(**{f"{field}__lte": high})
    return q


def panel_health(*, now=None) -> dict:
    now = now or timezone.now()
    quarter = now - timedelta(days=91)
    year = now - timedelta(days=365)
    people = Participant.objects.aggregate(
        total=Count("id"),
        eligible=Count("id", filter=Q(next_eligible_at__lte=now)),
        # Who may never be contacted as things stand: their own word or lack of it. Not
        # "next_eligible_at is null", which also holds people never refreshed and whole
        # accounts an owner flagged (those show under the rules below).
        never=Count(
            "id",
            filter=~Q(consent=Participant.Consent.GRANTED)
            | Q(opted_out=True)
            | Q(do_not_contact=True),
        ),
        heard_quarter=Count("id", filter=Q(last_contacted_at__gte=quarter)),
        **{
            f"b{i}": Count("id", filter=_bucket_q("contact_count", lo, hi))
            for i, (lo, hi, _l) in enumerate(CONTACT_BUCKETS)
        },
    )
    total = people["total"] or 0
    contacts = [
        {"label": label, "count": people[f"b{i}"], "share": people[f"b{i}"] / total if total else 0}
        for i, (_lo, _hi, label) in enumerate(CONTACT_BUCKETS)
    ]
    touched = Account.objects.annotate(
        touches=Count(
            "participants__ledger",
            filter=Q(
                participants__ledger__at__gte=year,
                participants__ledger__kind__in=["invitation", "session", "other"],
            ),
        )
    )
    per_account = touched.aggregate(
        total=Count("id"),
        **{
            f"b{i}": Count("id", filter=_bucket_q("touches", lo, hi))
            for i, (lo, hi, _l) in enumerate(ACCOUNT_BUCKETS)
        },
    )
    accounts_total = per_account["total"] or 0
    account_dist = [
        {
            "label": label,
            "count": per_account[f"b{i}"],
            "share": per_account[f"b{i}"] / accounts_total if accounts_total else 0,
        }
        for i, (_lo, _hi, label) in enumerate(ACCOUNT_BUCKETS)
    ]
    top = (
        LedgerEntry.objects.filter(at__gte=quarter, account__isnull=False)
        .values("account_id", "account__name")
        .annotate(
            touches=Count("id"),
            sessions=Count("id", filter=Q(kind="session")),
            people=Count("participant_id", distinct=True),
        )
        .order_by("-touches")[:10]
    )
    return {
        "total": total,
        "eligible": people["eligible"],
        "never": people["never"],
        "heard_quarter": people["heard_quarter"],
        "heard_share": people["heard_quarter"] / total if total else 0,
        "contacts": contacts,
        "accounts": account_dist,
        "accounts_total": accounts_total,
        "top_accounts": list(top),
        "by_rule": targeting.refusals_by_rule(Participant.objects.all(), now=now),
        "skew": panel_skew(now=now),
        "skew_dimensions": HEALTH_DIMENSIONS,
    }


# The segments every request is most often stratified on.
HEALTH_DIMENSIONS = ["plan", "region", "company_size"]


def panel_skew(*, now, dimensions=None) -> dict:
    """The eligible panel against the whole panel: what the rules do to its make-up."""
    dimensions = dimensions or HEALTH_DIMENSIONS
    catalogue = targeting.attribute_catalogue()
    return planning.skew(
        matching_qs=Participant.objects.all(),
        eligible_q=Q(next_eligible_at__lte=now),
        dimensions=dimensions,
        columns=targeting._dimension_columns(dimensions, catalogue),
    )
