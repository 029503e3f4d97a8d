"""Every page and endpoint of the foundation refuses whoever it should."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = [
    ("home", []),
    ("accounts:profile", []),
    ("accounts:notifications", []),
    ("accounts:team_list", []),
    ("accounts:team_detail", ["checkout"]),
    ("accounts:team_edit", ["checkout"]),
    ("accounts:audit_log", []),
    ("telemetry:index", []),
    ("strategy:index", []),
    ("research:index", []),
]


@pytest.mark.parametrize("name,args", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(world, client, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert "/accounts/sign-in/" in response.url


@pytest.mark.parametrize(
    "name,args,allowed",
    [
        ("accounts:team_edit", ["checkout"], {"lead", "admin"}),
        ("accounts:audit_log", [], {"admin"}),
    ],
)
@pytest.mark.parametrize(
    "who", ["member", "teammate", "lead", "outsider", "leader", "researcher", "admin"]
)
def test_restricted_pages_per_role(world, client_for, name, args, allowed, who):
    status = client_for(getattr(world, who)).get(reverse(name, args=args)).status_code
    assert status == (200 if who in allowed else 403)
