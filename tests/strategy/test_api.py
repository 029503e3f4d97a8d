"""The whole journey through the REST API, with the same rules as the pages."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from strategy import feedback, notifications
from strategy.models import Strategy

pytestmark = pytest.mark.django_db

PARTS = {
    "diagnosis": "Mobile conversion fell.",
    "guiding_policy": "Phones first.",
    "bets": "### Wallets first\n\nWallets by default.",
    "options": "Status quo; wallets; rewrite.",
    "assumptions": "Buyers have wallets.",
}


def test_the_journey_through_the_api(world, api_for):
    ceo = api_for(world.leader)
    created = ceo.post(
        reverse("api:strategy-list"),
        {
            "title": "Checkout 2027",
            "audience_teams": [world.team.slug, world.other_team.slug],
            **PARTS,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    closes = (timezone.now() + timedelta(days=2)).isoformat()
    published = ceo.post(
        reverse("api:strategy-publish", args=[pk]),
        {"change_summary": "v1", "closes_at": closes},
        format="json",
    )
    assert published.status_code == 201 and published.json()["number"] == 1

    feedback_url = reverse("api:strategy-feedback-list")
    for user, body in ((world.member, "Checkout view"), (world.outsider, "Search view")):
        client = api_for(user)
        early = client.post(
            feedback_url, {"strategy": pk, "type": "idea", "body": body}, format="json"
        )
        assert early.status_code == 400 and "confirm you read" in early.json()["detail"]
        assert (
            client.post(
                reverse("api:strategy-read", args=[pk]),
                {"version": 1, "section_keys": ["diagnosis", "wallets-first"]},
                format="json",
            ).status_code
            == 204
        )
        assert (
            client.post(
                reverse("api:strategy-read-confirmation", args=[pk]),
                {"summary": "Wallets first on phones."},
                format="json",
            ).status_code
            == 201
        )
        response = client.post(
            feedback_url,
            {
                "strategy": pk,
                "type": "pushback",
                "body": body,
                "rationale": "Evidence",
                "section_key": "wallets-first",
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
        listed = client.get(feedback_url, {"strategy": pk}).json()["results"]
        assert [p["body"] for p in listed] == [body]

    Strategy.objects.filter(pk=pk).update(
        feedback_opens_at=timezone.now() - timedelta(days=3),
        feedback_closes_at=timezone.now() - timedelta(minutes=1),
    )
    notifications.windows_close_due()

    points = api_for(world.teammate).get(feedback_url, {"strategy": pk}).json()["results"]
    assert sorted(p["body"] for p in points) == ["Checkout view", "Search view"]
    for point in points:
        vote = api_for(world.teammate).post(
            reverse("api:strategy-feedback-vote", args=[point["id"]])
        )
        assert vote.status_code == 200
    assert vote.json()["votes_left"] == 3
    reply = api_for(world.lead).post(
        reverse("api:strategy-feedback-replies", args=[points[0]["id"]]),
        {"body": "Agreed."},
        format="json",
    )
    assert reply.status_code == 201

    blocked = ceo.post(
        reverse("api:strategy-publish", args=[pk]), {"change_summary": "v2"}, format="json"
    )
    assert blocked.status_code == 400 and "still need a disposition" in blocked.json()["detail"]
    for point, status in zip(points, ("adopted", "parked"), strict=True):
        answered = ceo.put(
            reverse("api:strategy-feedback-disposition", args=[point["id"]]),
            {
                "status": status,
                "reason": ""
                if status == "adopted"
                else "We revisit this in the autumn planning round.",
                "section_key": "wallets-first",
            },
            format="json",
        )
        assert answered.status_code == 200
    edited = ceo.patch(
        reverse("api:strategy-detail", args=[pk]),
        {"bets": "### Wallets first\n\nWallets by default, guests too."},
        format="json",
    )
    assert edited.status_code == 200
    assert (
        ceo.post(
            reverse("api:strategy-publish", args=[pk]),
            {"change_summary": "Guests too"},
            format="json",
        ).status_code
        == 201
    )
    diff = (
        api_for(world.member).get(reverse("api:strategy-diff", args=[pk]), {"a": 1, "b": 2}).json()
    )
    assert {d["key"]: d["status"] for d in diff}["wallets-first"] == "changed"
    final = ceo.post(reverse("api:strategy-phase", args=[pk]), {"target": "final"}, format="json")
    assert final.status_code == 200 and final.json()["phase"] == "final"
    after = api_for(world.member).post(
        feedback_url, {"strategy": pk, "type": "idea", "body": "Late"}, format="json"
    )
    assert after.status_code == 403


def test_api_lists_cost_a_fixed_number_of_queries(
    world, api_for, open_strategy, django_assert_max_num_queries
):
    from tests.strategy.conftest import confirm, reveal

    confirm(open_strategy, world.member)
    for n in range(15):
        feedback.point_create(
            strategy=open_strategy, by=world.member, type="idea", body=f"Idea {n}"
        )
    reveal(open_strategy)
    client = api_for(world.teammate)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("api:strategy-feedback-list"), {"strategy": open_strategy.pk})
    assert response.json()["count"] == 15
    with django_assert_max_num_queries(6):
        assert len(client.get(reverse("api:strategy-list")).json()["results"]) == 1


def test_outsiders_and_anonymous_callers_are_refused(world, api_client, api_for, open_strategy):
    assert api_client.get(reverse("api:strategy-list")).status_code in (401, 403)
    assert (
        api_for(world.researcher)
        .get(reverse("api:strategy-detail", args=[open_strategy.pk]))
        .status_code
        == 404
    )
    assert (
        api_for(world.researcher)
        .get(reverse("api:strategy-versions", args=[open_strategy.pk]))
        .status_code
        == 404
    )
    assert (
        api_for(world.researcher).get(reverse("api:strategy-version-list")).json()["results"] == []
    )


def test_the_list_rows_are_what_the_serializer_writes(world, api_for):
    """The list builds its rows by hand (strategy/api_rows.py); they must not drift from the schema."""
    import datetime

    from productops.accounts.models import Team
    from strategy.serializers import StrategySerializer
    from tests.strategy.conftest import make_draft, open_window, reveal

    # Teams added out of name order, a due date, and phases with and without their dates.
    zeta = Team.objects.create(name="Zeta", slug="zeta")
    alpha = Team.objects.create(name="Alpha", slug="alpha")
    draft = make_draft(world, title="Draft", decision_due=datetime.date(2027, 3, 1))
    draft.audience_teams.add(zeta, alpha)
    open_window(make_draft(world, title="Open"), world)
    reveal(open_window(make_draft(world, title="Revealed"), world))
    for person in (world.leader, world.member, world.outsider, world.admin):
        client = api_for(person)
        for query in ({}, {"phase": "reveal"}, {"limit": 1, "offset": 1}):
            answer = client.get(reverse("api:strategy-list"), query).json()
            expected = Strategy.objects.visible_to(person).order_by("-updated_at", "-id")
            if "phase" in query:
                expected = expected.filter(phase=query["phase"])
            assert answer["count"] == expected.count()
            offset = query.get("offset", 0)
            page = list(expected[offset : offset + query.get("limit", 50)])
            assert answer["results"] == [dict(StrategySerializer(s).data) for s in page], (
                person,
                query,
            )
            for row in answer["results"]:
                single = client.get(reverse("api:strategy-detail", args=[row["id"]])).json()
                assert {k: single[k] for k in row} == row
    leader_rows = api_for(world.leader).get(reverse("api:strategy-list")).json()["results"]
    assert next(r for r in leader_rows if r["title"] == "Draft")["audience_teams"] == [
        "alpha",
        "checkout",
        "search",
        "zeta",
    ]
