"""Ids say nothing: points and replies are known by random public ids, never the database key,
and an anonymous point's creation time is never shown."""

import re
import uuid

import pytest
from django.urls import reverse

from productops.accounts.models import Notification
from strategy import feedback, services, tasks
from tests.strategy.conftest import confirm, make_draft, open_window, reveal

pytestmark = pytest.mark.django_db


@pytest.fixture
def sandwich(world):
    """An anonymous point written between two of its author's named points."""
    strategy = open_window(make_draft(world), world)
    for person in (world.member, world.teammate, world.lead):
        confirm(strategy, person)
    kwargs = {"type": "pushback", "rationale": "Guests cannot pay with wallets."}
    first = feedback.point_create(strategy=strategy, by=world.member, body="Named one.", **kwargs)
    anonymous = feedback.point_create(
        strategy=strategy,
        by=world.member,
        body="The anonymous one.",
        team=world.team,
        is_anonymous=True,
        **kwargs,
    )
    last = feedback.point_create(strategy=strategy, by=world.member, body="Named two.", **kwargs)
    for person in (world.teammate, world.lead):
        feedback.point_create(strategy=strategy, by=person, type="idea", body="Idea.")
    reveal(strategy)
    return strategy, first, anonymous, last


def test_the_api_shows_random_ids_and_no_time_for_anonymous_points(sandwich, world, api_for):
    strategy, first, anonymous, last = sandwich
    listed = (
        api_for(world.outsider)
        .get(reverse("api:strategy-feedback-list"), {"strategy": strategy.pk})
        .json()["results"]
    )
    ids = [p["id"] for p in listed]
    assert all(uuid.UUID(i).version == 4 for i in ids)
    assert str(anonymous.pk) not in ids and anonymous.pk not in ids
    by_body = {p["body"]: p for p in listed}
    assert by_body["The anonymous one."]["created_at"] is None
    assert by_body["Named one."]["created_at"] is not None
    # Listed by random id, not by when they were written.
    assert ids == sorted(ids)


def test_the_database_key_does_not_open_a_point(sandwich, world, api_for, client_as):
    strategy, first, anonymous, last = sandwich
    assert (
        api_for(world.outsider).get(f"/api/v1/strategy/feedback/{anonymous.pk}/").status_code == 404
    )
    assert (
        client_as(world.outsider).post(f"/strategy/points/{anonymous.pk}/vote/").status_code == 404
    )
    ok = api_for(world.outsider).get(
        reverse("api:strategy-feedback-detail", args=[anonymous.public_id])
    )
    assert ok.status_code == 200 and ok.json()["id"] == str(anonymous.public_id)


def test_pages_anchor_and_post_by_public_id_only(sandwich, world, client_as):
    strategy, first, anonymous, last = sandwich
    page = client_as(world.leader).get(reverse("strategy:discussion", args=[strategy.pk]))
    html = page.content.decode()
    anchors = re.findall(r'id="point-([^"]+)"', html)
    assert f"{anonymous.public_id}" in anchors
    assert not [a for a in anchors if re.fullmatch(r"\d+(-title)?", a)]
    assert f"/strategy/points/{anonymous.public_id}/disposition/" in html
    assert f"/strategy/points/{anonymous.pk}/" not in html
    assert f'id="status-{anonymous.public_id}"' in html


def test_a_reply_redirects_to_the_public_anchor_and_the_api_reply_id_is_random(
    sandwich, world, client_as, api_for
):
    strategy, first, anonymous, last = sandwich
    response = client_as(world.teammate).post(
        reverse("strategy:reply", args=[anonymous.public_id]), {"body": "Agreed."}
    )
    assert response["Location"].endswith(f"#point-{anonymous.public_id}")
    reply = api_for(world.teammate).post(
        reverse("api:strategy-feedback-replies", args=[anonymous.public_id]),
        {"body": "Me too."},
        format="json",
    )
    assert uuid.UUID(reply.json()["id"]).version == 4


def test_the_disposition_notification_links_the_public_anchor(sandwich, world):
    strategy, first, anonymous, last = sandwich
    disposition = services.disposition_set(point=first, by=world.leader, status="adopted")
    tasks.notify_disposition(disposition.pk)
    note = Notification.objects.get(recipient=world.member, key__endswith="disposition")
    assert note.url.endswith(f"#point-{first.public_id}")


def test_the_owner_answers_a_clarifying_question_through_its_public_id(world, client_as):
    strategy = open_window(make_draft(world), world)
    confirm(strategy, world.member)
    question = feedback.point_create(
        strategy=strategy,
        by=world.member,
        type="question",
        body="What counts as mobile?",
        is_clarifying=True,
    )
    owner = client_as(world.leader)
    page = owner.get(strategy.get_absolute_url()).content.decode()
    assert f"/strategy/points/{question.public_id}/reply/" in page
    assert f'id="answer-{question.public_id}"' in page
    response = owner.post(
        reverse("strategy:reply", args=[question.public_id]),
        {"body": "Apps and mobile web.", "next": strategy.get_absolute_url()},
    )
    assert response.status_code == 302
    assert question.replies.get().body == "Apps and mobile web."


def test_a_malformed_id_is_a_plain_404(world, api_for):
    response = api_for(world.member).get("/api/v1/strategy/feedback/" + "-" * 36 + "/")
    assert response.status_code == 404
