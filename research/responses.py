"""Past response rates and time to fill, for dry runs and standby lists.

Counting a year of ledger takes hundreds of milliseconds on a large panel, so each panel refresh
stores the figures with its run (PanelRefresh.response_stats) and a dry run reads them, through
a ten-minute cache. A rate over a year of history barely moves within a day; without a recent
run (a new install) they are counted live.
"""

from datetime import timedelta

from django.core.cache import cache
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from research.models import LedgerEntry, PanelRefresh

DEFAULT_RESPONSE_RATE = 0.35
DEFAULT_FILL_DAYS = 14
# Enough invitations for a rate to mean something; below this the overall (or default) rate applies.
MIN_INVITATIONS = 20
STORED_FOR = timedelta(days=2)
_CACHE_KEY = "research:response-stats"


def response_stats_compute(*, now) -> dict:
    """{"counts": {method: [invitations, sessions]}, "fill_days": median days} over the past year."""
    since = now - timedelta(days=365)
    counts: dict[str, list[int]] = {}
    rows = (
        LedgerEntry.objects.filter(at__gte=since, kind__in=["invitation", "session"])
        .values_list("method", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    for method, kind, n in rows:
        counts.setdefault(method, [0, 0])[0 if kind == "invitation" else 1] += n
    return {"counts": counts, "fill_days": _fill_days(since)}


def _fill_days(since) -> int:
    """Median days from a past request's first invitation to its last session."""
    spans = (
        LedgerEntry.objects.filter(request__isnull=False, at__gte=since)
        .values("request_id")
        .annotate(
            first=Min("at", filter=Q(kind="invitation")), last=Max("at", filter=Q(kind="session"))
        )
        .filter(first__isnull=False, last__isnull=False)
        .values_list("first", "last")[:500]
    )
    days = sorted(max(1, (last - first).days) for first, last in spans if last > first)
    return days[len(days) // 2] if days else DEFAULT_FILL_DAYS


def _stats(now) -> dict:
    stats = cache.get(_CACHE_KEY)
    if stats is None:
        now = now or timezone.now()
        stats = (
            PanelRefresh.objects.filter(finished_at__gte=now - STORED_FOR)
            .exclude(response_stats={})
            .order_by("-finished_at")
            .values_list("response_stats", flat=True)
            .first()
        ) or response_stats_compute(now=now)
        cache.set(_CACHE_KEY, stats, 600)
    return stats


def forget() -> None:
    """Drop the cached figures (a refresh stored new ones)."""
    cache.delete(_CACHE_KEY)


def response_rate(*, method: str = "", now=None) -> float:
    """Sessions per invitation over the past year, for the method when there is enough history."""
    counts = _stats(now)["counts"]
    invitations = sum(c[0] for c in counts.values())
    sessions = sum(c[1] for c in counts.values())
    m_invitations, m_sessions = counts.get(method, (0, 0)) if method else (0, 0)
    if method and m_invitations >= MIN_INVITATIONS:
        rate = m_sessions / m_invitations
    elif invitations >= MIN_INVITATIONS:
        rate = sessions / invitations
    else:
        rate = DEFAULT_RESPONSE_RATE
    return min(1.0, max(0.05, rate))


def typical_fill_days(*, now=None) -> int:
    """Median days from a past request's first invitation to its last session."""
    return _stats(now)["fill_days"]
