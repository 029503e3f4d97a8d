import pytest
from django.core.management import call_command

from productops.accounts.models import Membership, Team, User

pytestmark = pytest.mark.django_db


def test_seed_demo_is_safe_to_run_twice_and_creates_the_demo_sign_ins():
    call_command("seed_demo")
    counts = (User.objects.count(), Team.objects.count(), Membership.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), Team.objects.count(), Membership.objects.count()) == counts
    assert Team.objects.count() == 8
    assert 35 <= User.objects.count() <= 50
    for username, role in [
        ("admin", "is_productops_admin"),
        ("ceo", "is_leadership"),
        ("rita", "is_researcher"),
    ]:
        user = User.objects.get(username=username)
        assert getattr(user, role)
        assert user.check_password("demo")
    dev = User.objects.get(username="dev")
    assert dev.check_password("demo")
    assert dev.memberships.exists()
    assert not (dev.is_productops_admin or dev.is_leadership or dev.is_researcher)
