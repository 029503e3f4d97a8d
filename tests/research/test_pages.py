"""The research pages: who sees what, constant query counts, the participant's explained eligibility."""

from datetime import timedelta

import pytest
from django.utils import timezone

from productops.accounts.models import AuditEntry
from research import eligibility, services
from research.models import FatigueRuleSet, LedgerEntry, Override, Participant
from tests.research.conftest import make_participant


@pytest.mark.parametrize("role", ["member", "outsider", "leader", "researcher", "admin"])
def test_every_signed_in_employee_sees_the_panel_attributes(client_for, world, panel, role):
    client = client_for(getattr(world, role))
    person = panel.people[0]
    for url in (
        "/research/",
        "/research/panel/",
        person.get_absolute_url(),
        panel.big.get_absolute_url(),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    html = client.get(person.get_absolute_url()).content.decode()
    assert person.name in html and person.plan in html
    sees_email = role in ("researcher", "admin")
    assert (person.email in html) is sees_email
    assert (person.email in client.get("/research/panel/").content.decode()) is sees_email


def test_anonymous_visitors_are_sent_to_sign_in(client, panel):
    response = client.get("/research/panel/")
    assert response.status_code == 302 and "/accounts/sign-in/" in response.url


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("/research/requests/new/", {"researcher", "admin"}),
        ("/research/health/", {"researcher", "admin"}),
        ("/research/import/", {"researcher", "admin"}),
        ("/research/rules/", {"admin"}),
    ],
)
def test_recruiting_pages_are_for_researchers_and_rules_for_admins(
    client_for, world, panel, url, allowed
):
    for role in ("member", "outsider", "leader", "researcher", "admin"):
        status = client_for(getattr(world, role)).get(url).status_code
        assert status == (200 if role in allowed else 403), (role, url)


def test_the_panel_list_uses_a_constant_number_of_queries(
    client_for, world, panel, django_assert_max_num_queries
):
    client = client_for(world.researcher)
    client.get("/research/panel/")  # warm the session
    # Session, user, attribute definitions, count, the page's rows, unread notifications.
    with django_assert_max_num_queries(6):
        response = client.get("/research/panel/?plan=pro&status=eligible")
    assert len(response.context["page"]) == 10
    for n in range(100, 160):
        make_participant(n, account=panel.big)
    with django_assert_max_num_queries(6):
        assert len(client.get("/research/panel/").context["page"]) == 50


def test_the_requests_list_uses_a_constant_number_of_queries(
    client_for, world, panel, research_request, django_assert_max_num_queries
):
    client = client_for(world.admin)
    client.get("/research/")
    with django_assert_max_num_queries(9):
        response = client.get("/research/")
    assert research_request.title in response.content.decode()


def test_panel_filters_and_search(client_for, world, panel):
    client = client_for(world.member)
    assert (
        client.get("/research/panel/?region=NA&plan=starter").context["page"].paginator.count == 10
    )
    assert client.get("/research/panel/?q=Person 00007").context["page"].paginator.count == 1
    # Members cannot find people by e-mail address.
    assert (
        client.get(f"/research/panel/?q={panel.people[7].email}").context["page"].paginator.count
        == 0
    )


def test_the_participant_page_explains_each_refusal_in_the_viewers_zone(client_for, world, panel):
    person = panel.people[1]
    at = timezone.now().replace(hour=22, minute=30, second=0, microsecond=0) - timedelta(days=2)
    services.ledger_record(participant=person, kind="invitation", at=at)
    world.member.time_zone = "Asia/Tokyo"
    world.member.save(update_fields=["time_zone"])
    html = client_for(world.member).get(person.get_absolute_url()).content.decode()
    assert "Invitation cooldown" in html
    again = (at + timedelta(days=14)).astimezone(world.member.zone)
    assert again.strftime("%H:%M") in html  # eligible-again shown in Tokyo time
    assert "A researcher can override this cooldown" in html


def test_the_participant_page_shows_ledger_and_non_research_touches(client_for, world, panel):
    person = panel.people[2]
    services.ledger_record(
        participant=person, kind="other", method="cs_call", note="Quarterly check-in"
    )
    html = client_for(world.member).get(person.get_absolute_url()).content.decode()
    assert "Quarterly check-in" in html and "Customer-success call" in html


def test_overriding_from_the_page_needs_a_reason(client_for, world, panel, research_request):
    person = panel.people[3]
    services.ledger_record(participant=person, kind="invitation")
    client = client_for(world.researcher)
    url = f"/research/participants/{person.pk}/override/"
    refused = client.post(
        url, {"request": research_request.pk, "rule": "invitation-cooldown", "reason": ""}
    )
    assert refused.status_code == 400
    assert not Override.objects.exists()
    done = client.post(
        url,
        {
            "request": research_request.pk,
            "rule": "invitation-cooldown",
            "reason": "Follow-up on her payment bug report",
        },
    )
    assert done.status_code == 302
    override = Override.objects.get()
    assert override.request == research_request and override.participant == person
    assert AuditEntry.objects.filter(action="research.override.granted").count() == 1


def test_members_cannot_override(client_for, world, panel):
    response = client_for(world.member).post(
        f"/research/participants/{panel.people[4].pk}/override/",
        {"rule": "invitation-cooldown", "reason": "I would like to talk to them"},
    )
    assert response.status_code == 403


def test_the_account_page_shows_its_quarter_against_the_caps(client_for, world, panel):
    person = panel.big.participants.first()
    services.ledger_record(
        participant=person, kind="session", minutes=60, at=timezone.now() - timedelta(days=3)
    )
    html = client_for(world.member).get(panel.big.get_absolute_url()).content.decode()
    assert 'data-testid="account-sessions">1 <span class="fs-6 text-body-secondary">of 10' in html


def test_panel_health_shows_contacts_accounts_and_refusals(client_for, world, panel):
    now = timezone.now()
    vocal = panel.people[0]
    for days in (5, 20, 40):
        LedgerEntry.objects.create(
            participant=vocal, account=vocal.account, kind="other", at=now - timedelta(days=days)
        )
    eligibility.refresh_participants(ids=[vocal.pk])
    Participant.objects.filter(pk=panel.people[1].pk).update(opted_out=True)
    eligibility.refresh_participants(ids=[panel.people[1].pk])
    response = client_for(world.admin).get("/research/health/")
    health = response.context["h"]
    assert health["total"] == 40
    assert health["heard_quarter"] == 1
    assert {b["label"]: b["count"] for b in health["contacts"]}["3–4"] == 1
    assert health["top_accounts"][0]["account__name"] == "Bigcorp"
    assert {r["rule"]: r["count"] for r in health["by_rule"]}["opt-out"] == 1
    assert "Bigcorp" in response.content.decode()


def test_admins_edit_the_rules_as_a_new_audited_version(client_for, world, panel):
    client = client_for(world.admin)
    form = client.get("/research/rules/").context["form"]
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields
    }
    data.update(
        {
            "invitation_cooldown_days": 30,
            "note": "Customers said two weeks felt pushy",
            "method_survey": 2,
        }
    )
    data["respect_owner_flag"] = "on"
    response = client.post("/research/rules/", data)
    assert response.status_code == 302
    ruleset = FatigueRuleSet.objects.get()
    assert ruleset.rules["invitation_cooldown_days"] == 30
    assert ruleset.rules["max_sessions_per_year_by_method"] == {"survey": 2}
    assert AuditEntry.objects.get(action="research.rules.edited").data[
        "invitation_cooldown_days"
    ] == [14, 30]
    assert services.rules_current().invitation_cooldown_days == 30


def test_home_cards_show_researchers_their_requests_and_admins_the_risky_ones(
    client_for, world, research_request, django_assert_max_num_queries
):
    from research import home

    with django_assert_max_num_queries(0):
        assert home.cards(world.member) == []
    with django_assert_max_num_queries(1):
        mine = home.cards(world.researcher)
    assert mine[0]["title"] == "Your open research requests" and mine[0]["count"] == 1
    due = research_request.deadline
    assert mine[0]["items"] == [
        {
            "label": f"Checkout friction interviews (Checkout, due {due.day} {due:%b})",
            "url": research_request.get_absolute_url(),
        }
    ]
    research_request.risk = "only 3 eligible for about 23 invitations needed"
    research_request.save(update_fields=["risk"])
    with django_assert_max_num_queries(2):
        admin_cards = home.cards(world.admin)
    assert [c["title"] for c in admin_cards] == ["Requests about to hit fatigue rules"]
    assert admin_cards[0]["items"] == [
        {
            "label": "Checkout: Checkout friction interviews — only 3 eligible for about 23 "
            "invitations needed",
            "url": research_request.get_absolute_url(),
        }
    ]
    assert "only 3 eligible" in client_for(world.admin).get("/").content.decode()
