import pytest
from django.urls import reverse

from productops.accounts.services import audit_record

pytestmark = pytest.mark.django_db


def test_admins_read_who_did_what_and_why(world, client_for):
    audit_record(
        actor=world.lead,
        action="fatigue.override",
        target=world.team,
        reason="Renewal call agreed with the account owner",
    )
    page = client_for(world.admin).get(reverse("accounts:audit_log")).content.decode()
    assert "fatigue.override" in page
    assert "Renewal call agreed with the account owner" in page
    assert "Lea Lead" in page


@pytest.mark.parametrize("who", ["member", "lead", "outsider", "leader", "researcher"])
def test_only_productops_admins_read_the_audit_log(world, client_for, who):
    assert client_for(getattr(world, who)).get(reverse("accounts:audit_log")).status_code == 403


def test_audit_log_has_constant_queries(world, client_for, django_assert_max_num_queries):
    for i in range(30):
        audit_record(actor=world.member, action=f"thing.done{i}", target=world.team)
    client = client_for(world.admin)
    with django_assert_max_num_queries(8):
        client.get(reverse("accounts:audit_log"))
