"""The gate cannot be passed without words: anything but "adopted as written" needs a real reason."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from strategy import feedback, services
from strategy.models import Disposition
from tests.strategy.conftest import confirm, make_draft, open_window, reveal

pytestmark = pytest.mark.django_db


@pytest.fixture
def pushback(world):
    strategy = open_window(make_draft(world), world)
    confirm(strategy, world.member)
    point = feedback.point_create(
        strategy=strategy,
        by=world.member,
        type="pushback",
        body="Wallets alone will not do it.",
        rationale="Guests cannot use wallets.",
    )
    reveal(strategy)
    return point


@pytest.mark.parametrize("status", ["parked", "declined", "adapted"])
@pytest.mark.parametrize("reason", ["", "   ", "Later.", "no", "Not now, sorry"])
def test_no_answer_but_adopted_passes_without_a_sentence(pushback, world, status, reason):
    with pytest.raises(ValidationError) as exc:
        services.disposition_set(point=pushback, by=world.leader, status=status, reason=reason)
    assert "reason" in exc.value.message_dict
    assert not Disposition.objects.exists()
    assert services.undisposed_points(pushback.strategy).count() == 1


def test_a_sentence_of_reasoning_is_enough(pushback, world):
    services.disposition_set(
        point=pushback,
        by=world.leader,
        status="parked",
        reason="We revisit guest checkout after the wallet pilot.",
    )
    assert services.undisposed_points(pushback.strategy).count() == 0


def test_adopted_as_written_needs_no_reason(pushback, world):
    services.disposition_set(point=pushback, by=world.leader, status="adopted")
    assert Disposition.objects.get().get_status_display() == "Adopted as written"


def test_the_api_refuses_a_silent_parking_and_names_the_field(pushback, world, api_for):
    response = api_for(world.leader).put(
        reverse("api:strategy-feedback-disposition", args=[pushback.public_id]),
        {"status": "parked", "reason": "Later"},
        format="json",
    )
    assert response.status_code == 400 and "sentence" in str(response.json()["reason"])
    assert not Disposition.objects.exists()


def test_the_page_refuses_a_silent_declining(pushback, world, client_as):
    owner = client_as(world.leader)
    response = owner.post(
        reverse("strategy:dispose", args=[pushback.public_id]),
        {"status": "declined", "reason": ""},
        follow=True,
    )
    assert "at least a sentence" in response.content.decode()
    assert not Disposition.objects.exists()


def test_the_owner_form_preselects_no_disposition(pushback, world, client_as):
    page = (
        client_as(world.leader)
        .get(reverse("strategy:discussion", args=[pushback.strategy.pk]))
        .content.decode()
    )
    select = re.search(r'<select[^>]*name="status"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert re.findall(r'<option value="(\w*)" selected', select) == [""]
    # One careless Save of the untouched form answers nothing.
    client_as(world.leader).post(
        reverse("strategy:dispose", args=[pushback.public_id]), {"status": "", "reason": ""}
    )
    assert not Disposition.objects.exists()


def test_the_database_refuses_a_disposition_without_reason(pushback, world):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Disposition.objects.create(
            point=pushback, status="parked", reason="", decided_by=world.leader
        )
