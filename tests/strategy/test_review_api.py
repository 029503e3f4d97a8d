"""The review workflow through the REST API: same rules, same seals, bounded lists."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from strategy import assumptions
from strategy.models import ConfidenceRating, DecisionRecord, Position, ReviewSession
from tests.strategy.conftest import make_draft, open_window, reveal
from tests.strategy.reviews_world import split_strategy

pytestmark = pytest.mark.django_db


@pytest.fixture
def window(world):
    strategy = make_draft(world)
    a = assumptions.assumption_add(strategy=strategy, by=world.leader, text="Wallets win.")
    open_window(strategy, world)
    return strategy, a


def test_ratings_through_the_api_are_bounded_and_sealed(window, world, api_for):
    strategy, a = window
    rating_url = reverse("api:strategy-assumption-rating", args=[a.public_id])
    member = api_for(world.member)
    resp = member.put(rating_url, {"score": 6}, format="json")
    assert resp.status_code == 400 and "score" in str(resp.json())
    assert not ConfidenceRating.objects.exists()
    for user, score in [(world.member, 1), (world.teammate, 5), (world.lead, 3)]:
        assert api_for(user).put(rating_url, {"score": score}, format="json").status_code == 200
    listing = reverse("api:strategy-assumption-list") + f"?strategy={strategy.pk}"
    for user in (world.leader, world.admin, world.outsider):
        body = api_for(user).get(listing).json()
        assert body["results"][0]["spread"] is None and body["results"][0]["teams"] == []
        assert body["results"][0]["my_rating"] is None
    assert member.get(listing).json()["results"][0]["my_rating"]["score"] == 1
    reveal(strategy)
    resp = member.put(rating_url, {"score": 4}, format="json")
    assert resp.status_code == 400 and "window" in str(resp.json())
    spread = api_for(world.leader).get(listing).json()["results"][0]["spread"]
    assert spread["n"] == 3 and spread["counts"] == [1, 0, 1, 0, 1]


def test_only_the_owner_lists_assumptions_through_the_api(window, world, api_for):
    strategy, a = window
    url = reverse("api:strategy-assumption-list")
    assert (
        api_for(world.member).post(url, {"strategy": strategy.pk, "text": "X"}).status_code == 403
    )
    resp = api_for(world.leader).post(url, {"strategy": strategy.pk, "text": "Fees stay low."})
    assert resp.status_code == 201 and resp.json()["text"] == "Fees stay low."


def test_sessions_positions_questions_and_outcomes_through_the_api(world, api_for):
    strategy, *_ = split_strategy(world)
    owner, member = api_for(world.leader), api_for(world.member)
    url = reverse("api:strategy-session-list")
    data = {
        "strategy": strategy.pk,
        "title": "API review",
        "starts_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "length_minutes": 45,
        "send_before_hours": 12,
    }
    resp = owner.post(url, data, format="json")
    assert resp.status_code == 400 and "starts_at" in str(resp.json())
    assert not ReviewSession.objects.exists()
    data["starts_at"] = (timezone.now() + timedelta(days=1)).isoformat()
    assert member.post(url, data, format="json").status_code == 403
    created = owner.post(url, data, format="json").json()
    assert created["agenda"] and created["settled"]
    sid = created["id"]
    listing = member.get(url + f"?strategy={strategy.pk}").json()
    assert listing["count"] == 1 and listing["results"][0]["id"] == sid

    owner.post(reverse("api:strategy-session-start", args=[sid]))
    item = owner.get(reverse("api:strategy-session-live", args=[sid])).json()["item"]["id"]
    pos_url = reverse("api:strategy-agenda-item-positions", args=[item])
    assert (
        member.post(pos_url, {"stance": "block", "line": "SEALED"}, format="json").status_code
        == 201
    )
    resp = member.post(pos_url, {"stance": "support", "line": "again"}, format="json")
    assert resp.status_code == 400 and "already recorded" in str(resp.json())
    state = owner.get(reverse("api:strategy-session-live", args=[sid])).json()
    assert state["positions"]["recorded"] == 1 and state["positions"]["shown"] == []
    assert "SEALED" not in str(state)

    q = member.post(reverse("api:strategy-session-questions", args=[sid]), {"body": "Fees?"}).json()
    assert owner.post(reverse("api:strategy-question-upvote", args=[q["id"]])).json()["votes"] == 1

    owner.post(reverse("api:strategy-agenda-item-reveal", args=[item]))
    state = api_for(world.outsider).get(reverse("api:strategy-session-live", args=[sid])).json()
    assert [p["line"] for p in state["positions"]["shown"]] == ["SEALED"]
    resp = owner.put(
        reverse("api:strategy-agenda-item-outcome", args=[item]),
        {"decision": "Pilot first", "owner": "member", "follow_up": "Fee study"},
        format="json",
    )
    assert resp.json()["outcome_owner"] == "member" and resp.json()["closed_at"]
    resp = api_for(world.teammate).post(
        pos_url, {"stance": "support", "line": "late"}, format="json"
    )
    assert resp.status_code == 400 and "closed" in str(resp.json())
    assert Position.objects.count() == 1


def test_decision_records_and_dissent_through_the_api(world, api_for):
    strategy = reveal(open_window(make_draft(world), world))
    owner, member = api_for(world.leader), api_for(world.member)
    url = reverse("api:strategy-decision-list")
    data = {
        "strategy": strategy.pk,
        "decided": "Wallets first.",
        "given_up": "New markets.",
        "owner": "leader",
        "review_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "finalise": True,
    }
    resp = owner.post(url, data, format="json")
    assert resp.status_code == 400 and "review_on" in str(resp.json())
    assert not DecisionRecord.objects.exists()
    data["review_on"] = (timezone.localdate() + timedelta(days=90)).isoformat()
    record = owner.post(url, data, format="json").json()
    assert record["finalised_at"]
    data["decided"] = "Rewritten after the fact."
    resp = owner.post(url, data, format="json")
    assert resp.status_code == 400 and "final" in str(resp.json())
    commit_url = reverse("api:strategy-decision-commitments", args=[record["id"]])
    resp = member.post(commit_url, {"kind": "dissent", "statement": "Fees."}, format="json")
    assert resp.status_code == 400 and "prediction" in str(resp.json())
    member.post(
        commit_url,
        {"kind": "dissent", "statement": "Fees.", "prediction": "Margin falls by Q3."},
        format="json",
    )
    shown = api_for(world.outsider).get(url + f"?strategy={strategy.pk}").json()
    assert shown["decided"] == "Wallets first."
    assert shown["commitments"][0]["prediction"] == "Margin falls by Q3."


def test_the_assumption_list_has_a_fixed_query_count(
    window, world, api_for, django_assert_max_num_queries
):
    strategy, a = window
    for n in range(20):
        assumptions.assumption_add(strategy=strategy, by=world.leader, text=f"Assumption {n}")
    reveal(strategy)
    client = api_for(world.leader)
    url = reverse("api:strategy-assumption-list") + f"?strategy={strategy.pk}"
    client.get(url)
    with django_assert_max_num_queries(12):
        body = client.get(url).json()
    assert body["count"] == 21


def test_groups_verdicts_and_anchor_answers_through_the_api(world, api_for):
    from strategy import feedback, services
    from strategy.models import AnchorCheck, AnswerVerdict, Disposition
    from tests.strategy.conftest import confirm

    strategy = open_window(make_draft(world), world)
    for user in (world.member, world.teammate, world.lead):
        confirm(strategy, user)
    # A third voice from Checkout, so its anonymous point is shown under the k floor.
    feedback.point_create(strategy=strategy, by=world.lead, type="idea", body="Pilot first.")
    a = feedback.point_create(
        strategy=strategy,
        by=world.member,
        type="concern",
        section_key="diagnosis",
        body="Wallet fees will eat the margin on small orders.",
        rationale="Finance numbers.",
        quote="mobile users abandon at payment",
    )
    feedback.point_create(
        strategy=strategy,
        by=world.teammate,
        type="pushback",
        section_key="diagnosis",
        body="The margin on small orders gets eaten by wallet fees.",
        rationale="Same numbers.",
        is_anonymous=True,
        team=world.team,
    )
    reveal(strategy)
    owner, member = api_for(world.leader), api_for(world.member)
    groups_url = reverse("api:strategy-point-group-list") + f"?strategy={strategy.pk}"
    assert member.post(groups_url).status_code == 403
    assert owner.post(groups_url).json() == {"groups": 1}
    assert member.get(groups_url).status_code == 403
    group = owner.get(groups_url).json()[0]
    assert group["open"] == 2 and "Anonymous, Checkout" in group["voices"]
    reason = "Fees are fixed by contract for two years, margins hold."
    answer = reverse("api:strategy-point-group-answer", args=[group["id"]])
    assert owner.post(answer, {"status": "declined", "reason": "no"}).status_code == 400
    assert owner.post(answer, {"status": "declined", "reason": reason}).json() == {"answered": 2}
    assert Disposition.objects.count() == 2

    strategy.diagnosis = "Checkout conversion fell; most mobile buyers abandon at the payment step."
    strategy.save()
    services.version_publish(
        strategy=strategy, by=world.leader, change_summary="Diagnosis.", second_round_hours=12
    )
    verdict = reverse("api:strategy-second-round-verdict", args=[a.public_id])
    assert (
        api_for(world.teammate).post(verdict, {"verdict": "agree", "line": "x"}).status_code == 404
    )
    assert member.post(verdict, {"verdict": "maybe", "line": "x"}).status_code == 400
    assert member.post(verdict, {"verdict": "object", "line": "Still high."}).status_code == 201
    assert AnswerVerdict.objects.count() == 1

    checks = member.get(
        reverse("api:strategy-anchor-check-list") + f"?strategy={strategy.pk}"
    ).json()
    assert len(checks) == 1 and checks[0]["point"] == str(a.public_id)
    check_url = reverse("api:strategy-anchor-check-detail", args=[checks[0]["id"]])
    assert api_for(world.outsider).put(check_url, {"decision": "keep"}).status_code == 404
    assert member.put(check_url, {"decision": "keep"}).json()["decision"] == "keep"
    assert AnchorCheck.objects.get().decision == "keep"
