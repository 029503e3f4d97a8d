"""Running a review session: sealed positions revealed together, leaders last, questions, outcomes."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from strategy import live
from strategy.models import AgendaItem, Position, SessionQuestion
from tests.factories import MembershipFactory, UserFactory
from tests.strategy.reviews_world import make_session, split_strategy

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(world):
    strategy, *_ = split_strategy(world)
    session = make_session(strategy, world)
    live.session_start(session=session, by=world.leader)
    session.refresh_from_db()
    return session, session.current_item


def poll(client, session):
    return client.get(
        reverse("strategy:session_poll", args=[session.public_id]), HTTP_HX_REQUEST="true"
    ).content.decode()


def test_positions_are_sealed_from_everyone_leaders_included_until_revealed(
    running, world, client_as
):
    session, item = running
    live.position_record(item=item, by=world.member, stance="block", line="Wallet fees kill margin")
    live.position_record(item=item, by=world.leader, stance="support", line="Leader view here")
    for user in (world.leader, world.teammate, world.admin):
        html = poll(client_as(user), session)
        assert "Wallet fees kill margin" not in html
        assert "2 positions recorded, sealed" in html
    for user in (world.teammate, world.admin):
        assert "Leader view here" not in poll(client_as(user), session)
    # Each sees their own only.
    assert "Wallet fees kill margin" in poll(client_as(world.member), session)
    assert "Leader view here" not in poll(client_as(world.member), session)


def test_positions_are_revealed_together_and_the_leaders_after_everyone_else(
    running, world, client_as
):
    session, item = running
    live.position_record(item=item, by=world.member, stance="block", line="Wallet fees kill margin")
    live.position_record(item=item, by=world.teammate, stance="concern", line="Pilot first")
    live.position_record(item=item, by=world.leader, stance="support", line="Leader view here")
    client = client_as(world.leader)
    client.post(reverse("strategy:item_reveal", args=[item.public_id]), HTTP_HX_REQUEST="true")
    html = poll(client_as(world.outsider), session)
    assert "Wallet fees kill margin" in html and "Pilot first" in html
    assert "Leader view here" not in html and 'data-testid="leaders-pending"' in html
    client.post(reverse("strategy:item_reveal", args=[item.public_id]), HTTP_HX_REQUEST="true")
    html = poll(client_as(world.outsider), session)
    assert html.index("Pilot first") < html.index("Leader view here")


def test_a_second_position_and_a_position_after_the_reveal_or_close_are_refused(running, world):
    session, item = running
    live.position_record(item=item, by=world.member, stance="concern", line="First thought")
    with pytest.raises(ValidationError, match="already recorded"):
        live.position_record(item=item, by=world.member, stance="block", line="Second thought")
    with pytest.raises(ValidationError) as bad:
        live.position_record(item=item, by=world.teammate, stance="meh", line="")
    assert set(bad.value.message_dict) == {"stance", "line"}
    live.positions_reveal(item=item, by=world.leader)
    with pytest.raises(ValidationError, match="revealed"):
        live.position_record(item=item, by=world.teammate, stance="support", line="Late")
    live.outcome_record(item=item, by=world.leader, decision="Pilot wallets in one market")
    with pytest.raises(ValidationError, match="closed"):
        live.position_record(item=item, by=world.lead, stance="support", line="Too late")
    assert list(Position.objects.values_list("line", flat=True)) == ["First thought"]


def test_a_position_through_the_page_after_the_item_closed_answers_400(running, world, client_as):
    session, item = running
    live.outcome_record(item=item, by=world.leader, decision="Decided")
    resp = client_as(world.member).post(
        reverse("strategy:item_position", args=[item.public_id]),
        {"stance": "support", "line": "Me too"},
        HTTP_HX_REQUEST="true",
    )
    assert resp.status_code == 400 and "This item is closed" in resp.content.decode()
    assert not Position.objects.exists()


def test_questions_queue_by_upvotes_and_nobody_upvotes_twice_or_their_own(
    running, world, client_as
):
    session, item = running
    first = live.question_add(session=session, by=world.member, body="What about fees?")
    second = live.question_add(session=session, by=world.teammate, body="Which market first?")
    live.question_upvote(question=second, by=world.member)
    live.question_upvote(question=second, by=world.member)
    with pytest.raises(ValidationError, match="own question"):
        live.question_upvote(question=first, by=world.member)
    assert SessionQuestion.objects.get(pk=second.pk).votes == 1
    html = poll(client_as(world.outsider), session)
    assert html.index("Which market first?") < html.index("What about fees?")
    # Questions carry no names in the queue.
    assert "Tom Teammate" not in html.split('data-testid="questions"')[1]


def test_only_the_facilitator_steps_reveals_and_records_outcomes(running, world, client_as):
    session, item = running
    client = client_as(world.member)
    for name, arg in [("session_next", session.public_id), ("item_reveal", item.public_id)]:
        assert client.post(reverse(f"strategy:{name}", args=[arg])).status_code == 403
    assert (
        client.post(
            reverse("strategy:item_outcome", args=[item.public_id]), {"decision": "Mine"}
        ).status_code
        == 403
    )
    item.refresh_from_db()
    assert item.positions_revealed_at is None and not item.outcome_decision


def test_the_facilitator_records_an_outcome_and_steps_to_the_end(running, world, client_as):
    session, item = running
    client = client_as(world.leader)
    resp = client.post(
        reverse("strategy:item_outcome", args=[item.public_id]),
        {"decision": "", "owner": "member"},
        HTTP_HX_REQUEST="true",
    )
    assert resp.status_code == 400 and "Record what was decided" in resp.content.decode()
    client.post(
        reverse("strategy:item_outcome", args=[item.public_id]),
        {"decision": "Pilot in NL", "owner": "member", "follow_up": "Fee study"},
        HTTP_HX_REQUEST="true",
    )
    item.refresh_from_db()
    assert item.closed_at and item.outcome_owner == world.member
    count = session.items.filter(settled=False).count()
    for _ in range(count):
        client.post(reverse("strategy:session_next", args=[session.public_id]))
    session.refresh_from_db()
    assert session.status == "ended"
    assert AgendaItem.objects.filter(session=session, settled=False, closed_at=None).count() == 0
    page = client_as(world.member).get(reverse("strategy:session", args=[session.public_id]))
    assert "Outcome: Pilot in NL" in page.content.decode()


def test_the_poll_costs_the_same_queries_with_5_or_50_attendees(running, world, client_as):
    session, item = running
    client = client_as(world.member)

    def measure():
        with CaptureQueriesContext(connection) as ctx:
            html = poll(client, session)
        return len(ctx.captured_queries), html

    live.position_record(item=item, by=world.member, stance="support", line="Yes")
    small, _ = measure()
    for n in range(45):
        person = UserFactory(username=f"attendee{n}")
        MembershipFactory(user=person, team=world.team)
        live.position_record(item=item, by=person, stance="concern", line=f"Line {n}")
        live.question_add(session=session, by=person, body=f"Question {n}")
    live.positions_reveal(item=item, by=world.leader)
    large, html = measure()
    assert large == small <= 10
    assert html.count('data-testid="position"') == 46 and html.count('data-testid="question"') == 45


def test_a_poll_that_has_seen_the_latest_state_gets_no_change_and_any_change_shows(
    running, world, client_as
):
    session, item = running
    client = client_as(world.member)
    session.refresh_from_db()
    url = reverse("strategy:session_poll", args=[session.public_id])
    assert client.get(f"{url}?since={session.revision}").status_code == 204
    live.question_add(session=session, by=world.teammate, body="Is the pilot funded?")
    resp = client.get(f"{url}?since={session.revision}")
    assert resp.status_code == 200 and "Is the pilot funded?" in resp.content.decode()
    session.refresh_from_db()
    assert f"since={session.revision}" in resp.content.decode()
    # An outsider learns nothing, not even "no change".
    stranger = UserFactory(username="stranger")
    assert client_as(stranger).get(f"{url}?since={session.revision}").status_code == 404
