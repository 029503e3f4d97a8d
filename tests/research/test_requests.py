"""Research requests: the form with its live dry run, criteria validation, sampling and overlaps."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from research import eligibility, fatigue, services, targeting
from research.models import AttributeDefinition, Participant, ResearchRequest, Sample


def _form_data(world, **extra):
    data = {
        "title": "Pro merchants and the new checkout",
        "team": world.team.pk,
        "goal": "Understand why pro merchants abandon the payment step.",
        "method": "interview",
        "session_minutes": 45,
        "participants_needed": 4,
        "deadline": (timezone.localdate() + timedelta(days=20)).isoformat(),
        "incentive": "25",
        "crit_plan": ["pro", "enterprise"],
        "dimensions": ["plan", "region"],
    }
    data.update(extra)
    return data


def test_the_live_dry_run_counts_matches_and_rule_exclusions(client_for, world, panel):
    blocked = Participant.objects.filter(plan="pro").order_by("id").first()
    services.ledger_record(participant=blocked, kind="invitation")
    world.researcher.memberships.create(team=world.team)
    response = client_for(world.researcher).post(
        "/research/requests/dry-run/", _form_data(world), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="dry-matching">20<' in html  # pro + enterprise = half of 40
    assert 'data-testid="dry-eligible">19<' in html
    assert "Invitation cooldown" in html
    assert "<html" not in html  # the fragment only


def test_filing_a_request_saves_clean_criteria(client_for, world, panel):
    world.researcher.memberships.create(team=world.team)
    response = client_for(world.researcher).post("/research/requests/new/", _form_data(world))
    request = ResearchRequest.objects.get()
    assert response.status_code == 302 and response.url == request.get_absolute_url()
    assert request.criteria == {"plan": ["enterprise", "pro"]}
    assert request.dimensions == ["plan", "region"]
    assert request.incentive_cents == 2500
    assert request.researcher == world.researcher


def test_the_form_refuses_a_team_the_researcher_is_not_in(client_for, world, panel):
    response = client_for(world.researcher).post("/research/requests/new/", _form_data(world))
    assert response.status_code == 200
    assert "team" in response.context["form"].errors
    assert not ResearchRequest.objects.exists()


def test_the_form_refuses_too_many_dimensions_and_past_deadlines(client_for, world, panel):
    world.researcher.memberships.create(team=world.team)
    data = _form_data(
        world,
        dimensions=["plan", "region", "tenure", "usage_level"],
        deadline=(timezone.localdate() - timedelta(days=1)).isoformat(),
    )
    response = client_for(world.researcher).post("/research/requests/new/", data)
    errors = response.context["form"].errors
    assert "at most 3" in errors["dimensions"][0]
    assert "past" in errors["deadline"][0]
    assert not ResearchRequest.objects.exists()


def test_unknown_attributes_in_criteria_are_named(db):
    with pytest.raises(ValidationError) as error:
        targeting.criteria_clean({"plna": ["pro"]})
    message = error.value.message_dict["criteria"][0]
    assert "Unknown attribute 'plna'" in message and "plan" in message


def test_unknown_values_of_a_known_attribute_are_named(db):
    with pytest.raises(ValidationError) as error:
        targeting.criteria_clean({"plan": ["platinum"]})
    assert "'platinum'" in error.value.message_dict["criteria"][0]


def test_custom_attributes_filter_the_panel(panel):
    AttributeDefinition.objects.create(name="seats", label="Seats", type="number")
    for n, person in enumerate(panel.people[:10]):
        Participant.objects.filter(pk=person.pk).update(attributes={"seats": n * 10})
    criteria = targeting.criteria_clean({"seats": {"min": 50}})
    assert targeting.matching(criteria).count() == 5


def test_a_sample_is_stratified_reproducible_and_prefers_the_least_contacted(
    world, panel, research_request
):
    now = timezone.now()
    # Every "pro" person but one has been heard from a lot (long ago: still eligible).
    pros = list(Participant.objects.filter(plan="pro").order_by("id"))
    for person in pros[1:]:
        for days in (200, 250, 300):
            services.ledger_record(participant=person, kind="other", at=now - timedelta(days=days))
    first = targeting.sample_draw(request=research_request, by=world.researcher, seed=42)
    again = targeting.sample_draw(request=research_request, by=world.researcher, seed=42)

    def ids(sample):
        return list(
            sample.members.order_by("standby", "rank").values_list("participant_id", flat=True)
        )

    assert ids(first) == ids(again)
    selected = Participant.objects.filter(
        pk__in=first.members.filter(standby=False).values("participant_id")
    )
    assert selected.count() == 8
    # Proportional on plan: 10 of each plan eligible -> 2 each.
    assert sorted(selected.values_list("plan", flat=True)) == sorted(
        ["free", "starter", "pro", "enterprise"] * 2
    )
    assert pros[0] in selected, "the never-contacted pro customer comes first"
    assert first.tvd == pytest.approx(0.0)
    assert first.members.filter(standby=True).count() > 0


def test_asking_for_more_than_are_eligible_warns_and_draws_what_there_is(
    world, panel, research_request
):
    research_request.participants_needed = 60
    research_request.save(update_fields=["participants_needed"])
    # Caps off, so the only limit is who matches.
    services.rules_update(
        rules=fatigue.Rules(
            account_max_sessions_per_quarter=1000, account_max_minutes_per_quarter=10**5
        ),
        by=world.admin,
    )
    sample = targeting.sample_draw(request=research_request, by=world.researcher, seed=1)
    assert sample.size == 40
    assert sample.warnings[0] == (
        "Only 40 of 60 participants could be drawn: only 40 eligible people match."
    )
    dry = targeting.dry_run(criteria={}, needed=60, request=research_request)
    assert any(
        w.startswith("Only 40 eligible participants match for 60 wanted") for w in dry["warnings"]
    )
    assert dry["impossible"] and dry["warnings"][0].startswith("Cannot be filled")


def test_a_drawn_person_refused_for_this_request_is_replaced(world, panel, research_request):
    # Incentive cap: this request's incentive would push one person over it; the denormalised
    # columns cannot know that, the full check of the drawn people does.
    services.rules_update(
        rules=services.rules_current().__class__(incentive_cap_cents_per_year=5000), by=world.admin
    )
    research_request.incentive_cents = 3000
    research_request.participants_needed = 40
    research_request.save(update_fields=["incentive_cents", "participants_needed"])
    rich = panel.people[0]
    services.ledger_record(participant=rich, kind="incentive", incentive_cents=4000)
    assert Participant.objects.get(pk=rich.pk).eligible_now()
    sample = targeting.sample_draw(request=research_request, by=world.researcher, seed=3)
    assert not sample.members.filter(participant=rich).exists()
    assert sample.makeup["limited_by"]["incentive-cap"] == 1


def test_members_of_other_teams_see_overlapping_requests(world, panel, research_request):
    research_request.criteria = {"plan": ["pro"]}
    research_request.save(update_fields=["criteria"])
    deadline = timezone.localdate() + timedelta(days=10)
    assert targeting.overlapping_requests(
        criteria={"plan": ["pro", "free"]}, deadline=deadline
    ) == [research_request]
    assert targeting.overlapping_requests(criteria={"plan": ["free"]}, deadline=deadline) == []
    later = timezone.localdate() + timedelta(days=400)
    assert targeting.overlapping_requests(criteria={"plan": ["pro"]}, deadline=later) == [
        research_request
    ]


def test_drawing_from_the_request_page_shows_the_make_up(
    client_for, world, panel, research_request
):
    client = client_for(world.researcher)
    response = client.post(f"/research/requests/{research_request.pk}/sample/", follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert Sample.objects.filter(request=research_request).count() == 1
    assert 'data-testid="makeup"' in html and "enterprise" in html
    assert 'data-testid="standby"' in html
    assert "person" in html and "@customer.example" in html  # researchers see e-mail addresses


def test_team_members_see_the_sample_without_e_mail_addresses(
    client_for, world, panel, research_request
):
    targeting.sample_draw(request=research_request, by=world.researcher, seed=5)
    html = client_for(world.member).get(research_request.get_absolute_url()).content.decode()
    assert 'data-testid="selected"' in html
    assert "@customer.example" not in html
    assert "Draw a new sample" not in html


def test_outsiders_cannot_open_another_teams_request(client_for, world, research_request):
    assert client_for(world.outsider).get(research_request.get_absolute_url()).status_code == 403


def test_only_researchers_and_admins_draw_samples(client_for, world, panel, research_request):
    response = client_for(world.member).post(f"/research/requests/{research_request.pk}/sample/")
    assert response.status_code == 403
    assert not Sample.objects.exists()


def test_closed_requests_cannot_be_sampled(world, panel, research_request):
    research_request.status = ResearchRequest.Status.CLOSED
    research_request.save(update_fields=["status"])
    with pytest.raises(ValidationError):
        targeting.sample_draw(request=research_request, by=world.researcher)


def test_the_hash_prefilter_returns_exactly_what_the_full_ranking_would(db):
    from tests.research.conftest import make_participant

    for n in range(400):
        make_participant(n, plan="pro", region="EMEA")
    eligibility.refresh_participants(ids=Participant.objects.values_list("pk", flat=True))
    contacted = Participant.objects.order_by("id")[:5]
    for person in contacted:
        services.ledger_record(
            participant=person, kind="other", at=timezone.now() - timedelta(days=300)
        )
    catalogue = targeting.attribute_catalogue()
    eligible = Participant.objects.eligible()
    columns = targeting._dimension_columns(["plan"], catalogue)
    for seed in (1, 2, 3):
        fast, population = targeting._candidates(
            eligible, ["plan"], catalogue, per_stratum=26, seed=seed
        )
        exact = targeting._ranked(eligible, columns, per_stratum=26, seed=seed, keep=1.0)
        assert sorted(c.id for c in fast) == sorted(row[0] for row in exact)
        assert population == {("pro",): 400}
        assert not {c.id for c in fast} & {p.pk for p in contacted}


@pytest.mark.parametrize(("field", "value"), [("participants_needed", 0), ("session_minutes", 481)])
def test_the_form_bounds_numbers_on_the_server_not_only_in_the_browser(
    client_for, world, panel, field, value
):
    world.researcher.memberships.create(team=world.team)
    response = client_for(world.researcher).post(
        "/research/requests/new/", _form_data(world, **{field: value})
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not ResearchRequest.objects.exists()
