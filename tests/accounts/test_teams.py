import pytest
from django.urls import reverse

from productops.accounts.models import AuditEntry, Membership

pytestmark = pytest.mark.django_db


def test_everyone_signed_in_sees_the_directory_and_team_pages(world, client_for):
    client = client_for(world.outsider)
    assert "Checkout" in client.get(reverse("accounts:team_list")).content.decode()
    page = client.get(reverse("accounts:team_detail", args=["checkout"])).content.decode()
    assert "Mia Member" in page
    assert "Edit team" not in page


def test_a_lead_edits_the_team_and_it_is_audited(world, client_for):
    response = client_for(world.lead).post(
        reverse("accounts:team_edit", args=["checkout"]),
        {"name": "Checkout", "mission": "Make paying effortless.", "product_area": "Commerce"},
    )
    assert response.status_code == 302
    world.team.refresh_from_db()
    assert world.team.mission == "Make paying effortless."
    assert AuditEntry.objects.filter(action="team.edited", actor=world.lead).exists()


@pytest.mark.parametrize("who", ["member", "outsider", "leader", "researcher"])
def test_non_leads_cannot_change_a_team(world, client_for, who):
    client = client_for(getattr(world, who))
    assert client.get(reverse("accounts:team_edit", args=["checkout"])).status_code == 403
    assert (
        client.post(
            reverse("accounts:membership_add", args=["checkout"]), {"username": who, "role": "lead"}
        ).status_code
        == 403
    )
    membership = Membership.objects.get(user=world.member)
    assert (
        client.post(
            reverse("accounts:membership_remove", args=["checkout", membership.pk])
        ).status_code
        == 403
    )
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_adding_a_member_validates_the_username(world, client_for):
    client = client_for(world.lead)
    response = client.post(
        reverse("accounts:membership_add", args=["checkout"]),
        {"username": "nobody", "role": "member"},
    )
    assert response.status_code == 400
    assert "No active colleague signs in as" in response.content.decode()
    response = client.post(
        reverse("accounts:membership_add", args=["checkout"]),
        {"username": "member", "role": "member"},
    )
    assert "is already in Checkout" in response.content.decode()
    response = client.post(
        reverse("accounts:membership_add", args=["checkout"]),
        {"username": "outsider", "role": "member"},
    )
    assert response.status_code == 302
    assert world.outsider.is_member_of(world.team)


def test_a_person_can_be_in_several_teams(world):
    Membership.objects.create(user=world.member, team=world.other_team)
    assert world.member.memberships.count() == 2


def test_team_directory_has_constant_queries(world, client_for, django_assert_max_num_queries):
    client = client_for(world.member)
    with django_assert_max_num_queries(6):
        client.get(reverse("accounts:team_list"))
    with django_assert_max_num_queries(8):
        client.get(reverse("accounts:team_detail", args=["checkout"]))


def test_my_teams_on_home_count_all_their_people(world, client_for):
    page = client_for(world.member).get("/").content.decode()
    assert "3 people" in page


def test_a_name_loaded_from_its_name_columns_prints_without_another_query(
    world, django_assert_num_queries
):
    from productops.accounts.models import Membership, User

    for person in (world.member, world.lead):
        if person is world.lead:
            User.objects.filter(pk=person.pk).update(display_name="")
        membership = (
            Membership.objects.select_related("user")
            .only("user", *User.name_columns("user"))
            .get(user=person, team=world.team)
        )
        with django_assert_num_queries(0):
            name = membership.user.name
        assert name == User.objects.get(pk=person.pk).name
