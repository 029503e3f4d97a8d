"""When a new version changes a quoted passage, the anchor moves and the author is asked."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from productops.accounts.models import Notification
from strategy import anchoring, anchors, feedback, services
from strategy.models import AnchorCheck, Point
from tests.strategy.conftest import confirm, make_draft, open_window, reveal

pytestmark = pytest.mark.django_db


def test_relocate_finds_the_reworded_sentence_and_gives_up_on_unrelated_text():
    candidates = [
        ("diagnosis", "Checkout conversion fell 4 points in a year."),
        ("diagnosis", "Most mobile buyers abandon at the payment step."),
        ("bets", "We bet on wallets first."),
    ]
    key, text, score = anchoring.relocate("mobile users abandon at payment", candidates)
    assert (key, text) == ("diagnosis", "Most mobile buyers abandon at the payment step.")
    assert anchoring.relocate("quarterly hiring plan for the warehouse", candidates) is None
    assert anchoring.still_there(
        "fell 4  points", "Checkout conversion **fell 4 points** in a year."
    )


@pytest.fixture
def anchored(world):
    strategy = open_window(make_draft(world), world)
    for user in (world.member, world.teammate):
        confirm(strategy, user)
    named = feedback.point_create(
        strategy=strategy,
        by=world.member,
        type="idea",
        body="Show wallets only to returning buyers.",
        section_key="diagnosis",
        quote="mobile users abandon at payment",
    )
    anonymous = feedback.point_create(
        strategy=strategy,
        by=world.teammate,
        type="idea",
        body="Measure abandonment per device.",
        section_key="diagnosis",
        quote="mobile users abandon at payment",
        is_anonymous=True,
        team=world.team,
    )
    kept = feedback.point_create(
        strategy=strategy,
        by=world.member,
        type="idea",
        body="Good framing.",
        section_key="diagnosis",
        quote="Checkout conversion fell 4 points",
    )
    reveal(strategy)
    strategy.diagnosis = "Checkout conversion fell 4 points in a year; most mobile buyers abandon at the payment step."
    strategy.save()
    services.version_publish(
        strategy=strategy, by=world.leader, change_summary="Sharper diagnosis."
    )
    return strategy, named, anonymous, kept


def test_publishing_moves_broken_anchors_and_asks_named_authors(anchored, world):
    strategy, named, anonymous, kept = anchored
    named.refresh_from_db()
    assert "payment step" in named.quote
    check = AnchorCheck.objects.get(point=named)
    assert check.from_quote == "mobile users abandon at payment" and check.version.number == 2
    # The passage the third point quoted is still there: nothing to ask.
    assert not AnchorCheck.objects.filter(point=kept).exists()
    asked = Notification.objects.filter(key=f"strategy:anchor:{check.public_id}")
    assert list(asked.values_list("recipient__username", flat=True)) == ["member"]
    # The anonymous author is asked too, but by no stored notification.
    anon_check = AnchorCheck.objects.get(point=anonymous)
    assert not Notification.objects.filter(key=f"strategy:anchor:{anon_check.public_id}").exists()


def test_the_anonymous_author_finds_the_question_by_receipt_and_nobody_else(
    anchored, world, client_as
):
    strategy, named, anonymous, kept = anchored
    page = client_as(world.teammate).get(strategy.get_absolute_url()).content.decode()
    assert page.count('data-testid="anchor-check"') == 1 and "Does it still apply?" in page
    other = client_as(world.lead).get(strategy.get_absolute_url()).content.decode()
    assert 'data-testid="anchor-check"' not in other
    check = AnchorCheck.objects.get(point=anonymous)
    with pytest.raises(Http404):
        anchors.check_get_for(world.member, check.public_id)
    resp = client_as(world.teammate).post(
        reverse("strategy:anchor_answer", args=[check.public_id]), {"decision": "withdraw"}
    )
    assert resp.status_code == 302
    check.refresh_from_db()
    assert check.decision == "withdraw"
    assert Point.objects.filter(pk=anonymous.pk).exists()  # on record, marked as no longer applying


def test_keep_once_and_re_aim_only_at_real_words(anchored, world):
    strategy, named, anonymous, kept = anchored
    check = AnchorCheck.objects.get(point=named)
    with pytest.raises(ValidationError, match="appear in that section"):
        anchors.check_answer(
            check=check, by=world.member, decision="reaim", section_key="diagnosis", quote="made up"
        )
    anchors.check_answer(
        check=check,
        by=world.member,
        decision="reaim",
        section_key="diagnosis",
        quote="fell 4 points",
    )
    named.refresh_from_db()
    assert named.quote == "fell 4 points"
    with pytest.raises(ValidationError, match="already answered"):
        anchors.check_answer(check=check, by=world.member, decision="keep")


def test_everyone_sees_when_an_author_says_their_point_no_longer_applies(
    anchored, world, client_as
):
    strategy, named, anonymous, kept = anchored
    check = AnchorCheck.objects.get(point=named)
    anchors.check_answer(check=check, by=world.member, decision="withdraw")
    html = (
        client_as(world.outsider)
        .get(reverse("strategy:discussion", args=[strategy.pk]))
        .content.decode()
    )
    assert html.count('data-testid="no-longer-applies"') == 1
    assert "no longer applies since version 2" in html
