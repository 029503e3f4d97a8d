"""Demo strategies: one in its feedback window; one revealed, with rated assumptions and a review
session scheduled from where people disagree; one final with its "you said, we did" story, its
decision record and one registered dissent."""

import contextlib
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from productops.accounts.models import Team, User
from strategy import assumptions, decisions, feedback, notifications, reviews, services
from strategy.models import DecisionRecord, Point, Strategy, Version

OPEN_TITLE = "Mobile-first checkout, 2027"
FINAL_TITLE = "Search that understands shoppers"
REVIEW_TITLE = "Delivery promise you can trust"

REVIEW_PARTS = {
    "diagnosis": "One order in nine arrives after the promised date, and late orders are returned three times as often.",
    "guiding_policy": "Promise only what we can keep: show a delivery date we hit 95% of the time, even if it is later.",
    "bets": "### Honest dates\n\nDates from carrier data, not marketing targets.\n\n### What we give up\n\nNo 'next-day' badge on marketplace items this year.",
    "options": "- **Status quo**: optimistic dates.\n- **Honest dates** (chosen).\n- **Own delivery fleet**: years away.",
    "assumptions": "See the assumptions register.",
}
REVIEW_ASSUMPTIONS = [
    (
        "Shoppers prefer a later date they can trust to an earlier one that slips.",
        [4, 5, 4, 4, 5, 4],
    ),
    ("Carrier data is good enough to predict dates within a day.", [1, 5, 2, 5, 1, 4]),
    ("Dropping the next-day badge costs less than 1% of marketplace sales.", [2, 3, 4, 2, 5, 1]),
]

OPEN_PARTS = {
    "diagnosis": (
        "Checkout conversion on phones fell from 61% to 54% in twelve months while desktop held steady. "
        "Session recordings show most abandonment at the payment step: typing card details on a small screen, "
        "then a 3-D Secure redirect that loses the basket one time in twelve."
    ),
    "guiding_policy": (
        "Make paying on a phone effortless **before** we build anything new in checkout. "
        "Every checkout change in 2027 must shorten the path from basket to confirmation on mobile."
    ),
    "bets": (
        "### Wallets first\n\nApple Pay and Google Pay as the default on mobile, cards one tap away.\n\n"
        "### Keep the basket through 3-D Secure\n\nRedirects return to a restored basket, always.\n\n"
        "### What we give up\n\nNo new payment markets in the first half of 2027; the loyalty redesign waits until Q3."
    ),
    "options": (
        "- **Status quo**: keep tuning the existing flow. Cheap, but a year of tuning moved conversion by half a point.\n"
        "- **Wallets first** (chosen): biggest effect for the smallest change.\n"
        "- **Full checkout rewrite**: cleaner, but two quarters with nothing shipped."
    ),
    "assumptions": (
        "- At least 60% of our mobile buyers have a wallet set up.\n"
        "- Card typing, not price or delivery cost, is the main reason people leave at payment.\n"
        "- Payment providers keep wallet fees at card level."
    ),
    "context_links": "https://example.com/checkout-funnel-2026\nhttps://example.com/session-recordings-summary",
}

FINAL_PARTS = {
    "diagnosis": 'A third of searches end without a click. Shoppers type what they mean ("warm jacket for hiking"), our index matches words.',
    "guiding_policy": "Invest in understanding intent over adding filters. Measure search by the purchases it leads to, not by clicks.",
    "bets": "### Semantic retrieval\n\nAdd vector retrieval beside keyword search for long queries.\n\n### What we give up\n\nNo new filter types this year.",
    "options": "- **Status quo**: more synonyms by hand.\n- **Semantic retrieval** (chosen).\n- **Buy a hosted search product**: fast, but we lose control of ranking.",
    "assumptions": "- Long queries convert worse today because of matching, not intent.\n- Latency stays under 100 ms with the extra retrieval step.",
}


def _members(slug: str, n: int) -> list[User]:
    # The people you sign in as (dev, rita, admin) are left to give their own feedback.
    return list(
        User.objects.filter(memberships__team__slug=slug)
        .exclude(username__in=["dev", "rita", "admin"])
        .order_by("username")[:n]
    )


def _confirm_and_give(strategy, user, summary, **point):
    services.read_record(
        version=strategy.versions.order_by("-number").first(),
        user=user,
        section_keys=["", "diagnosis", "guiding-policy", "wallets-first"],
    )
    services.read_confirm(strategy=strategy, by=user, summary=summary)
    return feedback.point_create(strategy=strategy, by=user, **point)


def _open_strategy(ceo: User, teams: dict[str, Team]) -> None:
    strategy = services.strategy_create(
        by=ceo,
        title=OPEN_TITLE,
        audience_teams=[teams[s] for s in ("checkout", "payments", "mobile-apps", "growth")],
        **OPEN_PARTS,
    )
    services.version_publish(
        strategy=strategy,
        by=ceo,
        change_summary="First version for the teams' feedback.",
        closes_at=timezone.now() + timedelta(days=5),
    )
    strategy.refresh_from_db()
    checkout, payments, mobile = (
        _members("checkout", 4),
        _members("payments", 3),
        _members("mobile-apps", 3),
    )
    if checkout:
        _confirm_and_give(
            strategy,
            checkout[0],
            "Wallets become the default way to pay on phones.",
            type="pushback",
            section_key="wallets-first",
            body="Wallets alone will not fix guest checkout: a third of mobile buyers never sign in.",
            rationale="Guest buyers rarely have a saved wallet on our domain; their drop-off is the steepest.",
            confidence="high",
        )
    if len(checkout) > 1:
        _confirm_and_give(
            strategy,
            checkout[1],
            "Mobile payment friction first, new features later.",
            type="question",
            is_clarifying=True,
            section_key="guiding-policy",
            body="Does “mobile” include the mobile web, or only the apps?",
        )
    if payments:
        _confirm_and_give(
            strategy,
            payments[0],
            "Wallets first, no new markets until H2.",
            type="risk",
            section_key="what-we-give-up",
            body="Pausing new markets delays the Brazil launch that sales already promised for Q2.",
            rationale="Two enterprise deals depend on Pix.",
        )
    if len(payments) > 1:
        _confirm_and_give(
            strategy,
            payments[1],
            "Make paying on phones effortless.",
            type="alternative",
            team=teams["payments"],
            body="Fix the 3-D Secure redirect first, wallets second.",
            rationale="The redirect loses 1 in 12 baskets — a bigger, cheaper win.",
            cost="One squad for six weeks.",
        )
    for user in mobile:
        _confirm_and_give(
            strategy,
            user,
            "Wallet payments on mobile as the default.",
            type="concern",
            section_key="keep-the-basket-through-3-d-secure",
            body="Restoring the basket after the redirect needs app deep links we do not have yet.",
            rationale="Both apps open the web view and lose the session.",
            is_anonymous=True,
            team=teams["mobile-apps"],
        )
    # The owner answers the clarifying question for everyone; it is the only reply allowed during the window.
    question = strategy.points.filter(is_clarifying=True).first()
    if question:
        feedback.reply_create(
            point=question,
            by=ceo,
            body="Both: the apps and the mobile web. The numbers above combine them.",
        )


def _final_strategy(cpo: User, teams: dict[str, Team]) -> None:
    strategy = services.strategy_create(
        by=cpo,
        title=FINAL_TITLE,
        audience_teams=[teams[s] for s in ("search", "catalogue", "data-platform")],
        **FINAL_PARTS,
    )
    services.version_publish(
        strategy=strategy,
        by=cpo,
        change_summary="First version.",
        closes_at=timezone.now() + timedelta(hours=2),
    )
    strategy.refresh_from_db()
    search, catalogue, data = (
        _members("search", 3),
        _members("catalogue", 3),
        _members("data-platform", 2),
    )
    given = []
    if search:
        given.append(
            _confirm_and_give(
                strategy,
                search[0],
                "Understand intent rather than add filters.",
                type="pushback",
                section_key="semantic-retrieval",
                body="Vector retrieval on every query will break the 100 ms budget.",
                rationale="Our p95 is already 82 ms.",
            )
        )
    if catalogue:
        given.append(
            _confirm_and_give(
                strategy,
                catalogue[0],
                "Semantic search for long queries.",
                type="concern",
                section_key="what-we-give-up",
                body="Dropping new filters hurts fashion, where size and colour filters are most used.",
                rationale="Filters drive 40% of fashion purchases.",
            )
        )
    if data:
        given.append(
            _confirm_and_give(
                strategy,
                data[0],
                "Measure search by purchases.",
                type="alternative",
                team=teams["data-platform"],
                body="Start with better query understanding (spelling, synonyms from logs) before vectors.",
                rationale="Half the zero-result queries are misspellings.",
                cost="One quarter, no new infrastructure.",
            )
        )
    if len(search) > 1:
        given.append(
            _confirm_and_give(
                strategy,
                search[1],
                "Semantic retrieval beside keywords.",
                type="support",
                body="Measuring by purchases is overdue.",
            )
        )
    Strategy.objects.filter(pk=strategy.pk).update(
        feedback_opens_at=timezone.now() - timedelta(days=20),
        feedback_closes_at=timezone.now() - timedelta(days=13),
    )
    notifications.windows_close_due()
    voters = search + catalogue + data
    for voter in voters:
        for point in given[:2]:
            # Demo voting is best effort: a voter may have run out of dots.
            with contextlib.suppress(ValidationError, PermissionDenied):
                feedback.vote_cast(point=Point.objects.get(pk=point.pk), by=voter)
    answers = {
        "pushback": (
            "adapted",
            "Vectors only for queries of four words or more, which keeps p95 under 100 ms.",
            "semantic-retrieval",
        ),
        "concern": (
            "adopted",
            "Fashion keeps its size and colour filters; we only freeze new filter types.",
            "what-we-give-up",
        ),
        "alternative": (
            "adapted",
            "Query understanding becomes step one; vectors follow in Q2.",
            "semantic-retrieval",
        ),
    }
    for point in given:
        status, reason, key = answers.get(
            point.type,
            ("parked", "We come back to this when we plan the second half of the year.", ""),
        )
        if point.type == "support":
            continue
        services.disposition_set(
            point=Point.objects.get(pk=point.pk),
            by=cpo,
            status=status,
            reason=reason,
            section_key=key,
        )
    strategy.refresh_from_db()
    strategy.bets = (
        "### Query understanding first\n\nSpelling correction and synonyms learnt from logs, in Q1.\n\n"
        "### Semantic retrieval\n\nAdd vector retrieval beside keyword search for queries of four words or more, from Q2.\n\n"
        "### What we give up\n\nNo new filter types this year; existing fashion filters stay."
    )
    strategy.save()
    services.version_publish(
        strategy=strategy,
        by=cpo,
        change_summary="Query understanding first; vectors only for long queries; fashion filters stay.",
    )
    _decision_record(strategy, cpo, finalise=True)
    ago = timezone.now() - timedelta(days=12)
    Version.objects.filter(strategy=strategy, number=1).update(
        published_at=timezone.now() - timedelta(days=20)
    )
    Version.objects.filter(strategy=strategy, number=2).update(published_at=ago)
    Strategy.objects.filter(pk=strategy.pk).update(
        revealed_at=timezone.now() - timedelta(days=13),
        voting_closes_at=ago,
        finalised_at=ago + timedelta(hours=2),
    )


def _decision_record(strategy: Strategy, owner: User, *, finalise: bool) -> None:
    """The decision, frozen when finalised, with commitments and one registered dissent."""
    record = decisions.record_save(
        strategy=strategy,
        by=owner,
        decided="Query understanding first (spelling, synonyms from logs), then vector retrieval for queries of four words or more.",
        given_up="No new filter types this year; fashion keeps the filters it has.",
        owner=owner,
        review_on=timezone.localdate() + timedelta(days=120),
    )
    if finalise:
        decisions.record_finalise(record=record, by=owner)
    people = _members("search", 2) + _members("catalogue", 1)
    for person in people[:-1]:
        with contextlib.suppress(ValidationError, PermissionDenied):
            decisions.commitment_record(record=record, by=person, kind="commit")
    if people:
        with contextlib.suppress(ValidationError, PermissionDenied):
            decisions.commitment_record(
                record=record,
                by=people[-1],
                kind="dissent",
                statement="Freezing new filters will cost fashion more than semantic search wins back.",
                prediction="Fashion conversion from search falls by more than 2 points by the end of Q2.",
            )


def _review_strategy(owner: User, teams: dict[str, Team]) -> None:
    strategy = services.strategy_create(
        by=owner,
        title=REVIEW_TITLE,
        audience_teams=[teams[s] for s in ("checkout", "growth", "mobile-apps")],
        **REVIEW_PARTS,
    )
    listed = [
        assumptions.assumption_add(strategy=strategy, by=owner, text=text)
        for text, _ in REVIEW_ASSUMPTIONS
    ]
    services.version_publish(
        strategy=strategy,
        by=owner,
        change_summary="First version for the teams' feedback.",
        closes_at=timezone.now() + timedelta(hours=2),
    )
    strategy.refresh_from_db()
    raters = _members("checkout", 3) + _members("growth", 3)
    for (_, scores), assumption in zip(REVIEW_ASSUMPTIONS, listed, strict=True):
        for person, score in zip(raters, scores, strict=False):
            assumptions.rating_set(assumption=assumption, by=person, score=score)
    section = strategy.versions.get().sections.filter(key="honest-dates").first()
    key = section.key if section else ""
    notes = [
        ("support", "Trust beats speed for our repeat buyers.", ""),
        (
            "pushback",
            "Later dates will lose the impulse buyers to competitors.",
            "Growth sees 30% of marketplace orders from the next-day badge.",
        ),
        (
            "concern",
            "Two of our carriers send no tracking data at all.",
            "Their parcels would all get guessed dates.",
        ),
    ]
    for person, (kind, body, why) in zip(raters[1:], notes, strict=False):
        with contextlib.suppress(ValidationError, PermissionDenied):
            _confirm_and_give(
                strategy,
                person,
                "Promise delivery dates we keep.",
                type=kind,
                section_key=key,
                body=body,
                rationale=why,
            )
    Strategy.objects.filter(pk=strategy.pk).update(
        feedback_opens_at=timezone.now() - timedelta(days=8),
        feedback_closes_at=timezone.now() - timedelta(days=1),
    )
    notifications.windows_close_due()
    strategy.refresh_from_db()
    reviews.session_create(
        strategy=strategy,
        by=owner,
        title="Review: delivery promise",
        starts_at=timezone.now() + timedelta(days=2),
        length_minutes=45,
        send_before_hours=24,
    )


@transaction.atomic
def seed(stdout=None) -> None:
    teams = {t.slug: t for t in Team.objects.all()}
    ceo = User.objects.filter(username="ceo").first()
    cpo = User.objects.filter(username="cpo").first() or ceo
    if ceo is None or not {
        "checkout",
        "payments",
        "mobile-apps",
        "growth",
        "search",
        "catalogue",
        "data-platform",
    } <= set(teams):
        if stdout:
            stdout.write("Strategy demo skipped: the demo organisation is missing.")
        return
    if not Strategy.objects.filter(title=OPEN_TITLE).exists():
        _open_strategy(ceo, teams)
    if not Strategy.objects.filter(title=FINAL_TITLE).exists():
        _final_strategy(cpo, teams)
    final = Strategy.objects.filter(title=FINAL_TITLE, phase="final").first()
    if final and not DecisionRecord.objects.filter(strategy=final).exists():
        _decision_record(final, final.owner, finalise=True)
    if not Strategy.objects.filter(title=REVIEW_TITLE).exists():
        _review_strategy(ceo, teams)
    if stdout:
        stdout.write(
            "Strategy demo: one strategy open for feedback; one revealed with rated assumptions "
            "and a review session; one final with “you said, we did” and its decision record."
        )
