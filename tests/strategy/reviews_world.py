"""A revealed strategy with a constructed pattern of disagreement, shared by the review tests."""

from datetime import timedelta

from django.utils import timezone

from strategy import assumptions, feedback, reviews
from tests.strategy.conftest import confirm, make_draft, open_window, reveal


def say(strategy, user, type, section_key="", **extra):
    if type in ("concern", "pushback", "alternative"):
        extra.setdefault("rationale", "Because the data says otherwise.")
    return feedback.point_create(
        strategy=strategy,
        by=user,
        type=type,
        body=f"{type} from {user}",
        section_key=section_key,
        **extra,
    )


def split_strategy(world, *, revealed=True):
    """Bets: split and blocking; options: unclear; one assumption rated 1,5,1,5; the rest calm."""
    strategy = make_draft(world)
    a = assumptions.assumption_add(strategy=strategy, by=world.leader, text="Wallets win.")
    open_window(strategy, world)
    keys = [s.key for s in strategy.versions.get().sections.all()]
    bets, options = keys[2], keys[3]
    for user in (world.member, world.teammate, world.lead, world.outsider):
        confirm(strategy, user)
    say(strategy, world.member, "support", bets)
    say(strategy, world.teammate, "concern", bets)
    say(strategy, world.lead, "pushback", bets)
    say(strategy, world.member, "question", options)
    say(strategy, world.teammate, "question", options)
    say(strategy, world.lead, "support", keys[0])
    for user, score in [
        (world.member, 1),
        (world.teammate, 5),
        (world.lead, 1),
        (world.outsider, 5),
    ]:
        assumptions.rating_set(assumption=a, by=user, score=score)
    if revealed:
        reveal(strategy)
    return strategy, a, bets, options


def make_session(strategy, world, *, starts_in=timedelta(hours=30), length=60, before=24):
    return reviews.session_create(
        strategy=strategy,
        by=world.leader,
        title="Checkout review",
        starts_at=timezone.now() + starts_in,
        length_minutes=length,
        send_before_hours=before,
    )
