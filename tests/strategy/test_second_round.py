"""The second round after vN+1: limited to changed sections, sealed, one verdict per answered point."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from strategy import feedback, second_round, services
from strategy.models import AnswerVerdict, SecondRound, Version
from tests.strategy.conftest import confirm, make_draft, open_window, reveal

pytestmark = pytest.mark.django_db
REASON = "We checked the funnel again and the payment step is where it breaks."


@pytest.fixture
def answered(world):
    strategy = open_window(make_draft(world), world)
    for user in (world.member, world.teammate, world.lead, world.outsider):
        confirm(strategy, user)
    named = feedback.point_create(
        strategy=strategy,
        by=world.member,
        type="concern",
        section_key="diagnosis",
        body="Typing is not the main cause.",
        rationale="Recordings show address forms.",
    )
    anonymous = feedback.point_create(
        strategy=strategy,
        by=world.teammate,
        type="concern",
        section_key="diagnosis",
        body="Price matters more.",
        rationale="Survey says so.",
        is_anonymous=True,
        team=world.team,
    )
    feedback.point_create(
        strategy=strategy, by=world.lead, type="idea", section_key="diagnosis", body="Lead's idea."
    )
    elsewhere = feedback.point_create(
        strategy=strategy,
        by=world.outsider,
        type="concern",
        section_key="guiding-policy",
        body="Policy too vague.",
        rationale="No metric.",
    )
    reveal(strategy)
    for point in (named, anonymous, elsewhere):
        services.disposition_set(point=point, by=world.leader, status="adapted", reason=REASON)
    strategy.diagnosis = (
        "Checkout conversion fell 4 points; most mobile buyers leave at the address form."
    )
    strategy.save()
    return strategy, named, anonymous, elsewhere


def publish(strategy, world, hours):
    return services.version_publish(
        strategy=strategy,
        by=world.leader,
        change_summary="Diagnosis corrected.",
        second_round_hours=hours,
    )


def test_a_bad_length_or_no_change_publishes_nothing(answered, world):
    strategy, *_ = answered
    with pytest.raises(ValidationError, match="between 1 and 72"):
        publish(strategy, world, 100)
    assert Version.objects.filter(strategy=strategy).count() == 1
    publish(strategy, world, 0)
    with pytest.raises(ValidationError, match="nothing for a second round"):
        publish(strategy, world, 24)
    assert (
        Version.objects.filter(strategy=strategy).count() == 2 and not SecondRound.objects.exists()
    )


def test_authors_of_answered_points_in_changed_sections_give_one_sealed_verdict(
    answered, world, client_as
):
    strategy, named, anonymous, elsewhere = answered
    publish(strategy, world, 24)
    member = client_as(world.member)
    page = member.get(strategy.get_absolute_url()).content.decode()
    assert page.count('data-testid="verdict-form"') == 1
    member.post(
        reverse("strategy:verdict", args=[named.public_id]),
        {"verdict": "object", "line": "Still blames typing."},
    )
    with pytest.raises(ValidationError, match="already answered"):
        second_round.verdict_record(point=named, by=world.member, verdict="agree", line="Fine")
    # The anonymous author answers through their receipt; nothing stores who.
    second_round.verdict_record(point=anonymous, by=world.teammate, verdict="agree", line="Fair.")
    with pytest.raises(ValidationError, match="sections that changed"):
        second_round.verdict_record(point=elsewhere, by=world.outsider, verdict="agree", line="ok")
    assert AnswerVerdict.objects.count() == 2
    for user in (world.leader, world.outsider, world.admin):
        html = client_as(user).get(strategy.get_absolute_url()).content.decode()
        assert "Still blames typing." not in html and "sealed until then" in html


def test_after_the_round_closes_everyone_sees_the_verdicts_under_each_points_voice(
    answered, world, client_as
):
    strategy, named, anonymous, elsewhere = answered
    publish(strategy, world, 24)
    second_round.verdict_record(point=named, by=world.member, verdict="object", line="No.")
    second_round.verdict_record(point=anonymous, by=world.teammate, verdict="agree", line="Fair.")
    SecondRound.objects.update(
        opens_at=timezone.now() - timedelta(hours=25),
        closes_at=timezone.now() - timedelta(minutes=1),
    )
    with pytest.raises(ValidationError, match="No second round is open"):
        second_round.verdict_record(point=named, by=world.member, verdict="agree", line="x")
    html = client_as(world.outsider).get(strategy.get_absolute_url()).content.decode()
    assert html.count('data-testid="verdict"') == 2
    assert "Mia Member" in html and "Anonymous, Checkout" in html
    assert "<strong>1</strong> agree, <strong>1</strong> still object" in html
