"""Django admin keeps the seal: no sealed or withheld feedback, no working copy, no forged history."""

import pytest
from django.contrib import admin
from django.urls import reverse

from productops.accounts.models import AuditEntry
from strategy import feedback, services
from strategy.models import Disposition, ReadConfirmation, Reply, Strategy, Version
from tests.strategy.conftest import confirm, reveal

pytestmark = pytest.mark.django_db

SECRETS = ("Secret anonymous worry", "Named worry in the window", "Wallets first, to win back")


@pytest.fixture
def superadmin(world):
    # The strongest case: a superuser holds every Django permission, so only the portal's rules stop them.
    world.admin.is_superuser = True
    world.admin.save(update_fields=["is_superuser"])
    return world.admin


def give(strategy, user, **fields):
    fields = {"type": "concern", "body": "A concern", "rationale": "Because", **fields}
    return feedback.point_create(strategy=strategy, by=user, **fields)


@pytest.fixture
def sealed(world, open_strategy):
    confirm(open_strategy, world.member)
    anonymous = give(
        open_strategy, world.member, body=SECRETS[0], is_anonymous=True, team=world.team
    )
    named = give(open_strategy, world.member, body=SECRETS[1], rationale="Reasons")
    return anonymous, named


def admin_urls(obj) -> list[str]:
    opts = obj._meta
    return [
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]),
        reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk]),
        reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk]),
    ]


def test_no_admin_page_shows_sealed_feedback_during_the_window(
    world, client_as, superadmin, sealed, open_strategy
):
    client = client_as(superadmin)
    pages = []
    # Every list, search and object page of every registered model, and the point pages by id.
    for model in admin.site._registry:
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        pages += [changelist, changelist + "?q=worry"]
        for obj in model._default_manager.all()[:20]:
            pages += admin_urls(obj)
    for point in sealed:
        pages += admin_urls(point)
    pages.append(reverse("admin:strategy_disposition_add"))
    for url in pages:
        response = client.get(url, follow=True)
        assert response.status_code in (200, 403), url
        html = response.content.decode()
        for secret in SECRETS:
            assert secret not in html, (url, secret)
    # Opening a sealed point by its id says no more than a point that does not exist.
    response = client.get(admin_urls(sealed[1])[0], follow=True)
    assert "doesn’t exist" in response.content.decode()


def test_points_withheld_below_the_floor_stay_out_of_admin_after_the_reveal(
    world, client_as, superadmin, sealed, open_strategy
):
    anonymous, named = sealed
    reveal(open_strategy)
    assert feedback.floor_for(open_strategy).is_withheld(anonymous.team_id)
    client = client_as(superadmin)
    changelist = client.get(reverse("admin:strategy_point_changelist")).content.decode()
    assert f"/strategy/point/{anonymous.pk}/change/" not in changelist
    assert SECRETS[0] not in client.get(admin_urls(anonymous)[0], follow=True).content.decode()
    # A revealed, named point is readable in admin as on the discussion page; its name has no text.
    named_page = client.get(admin_urls(named)[0]).content.decode()
    assert SECRETS[1] in named_page
    assert "Vote count" not in named_page  # tallies follow the discussion page's voting rules
    assert f"/strategy/point/{named.pk}/change/" in changelist
    assert SECRETS[1] not in changelist
    assert str(named) == "Concern point"


def test_admin_never_shows_the_owners_working_copy_or_a_draft(
    world, client_as, superadmin, open_strategy, draft
):
    Strategy.objects.filter(pk=open_strategy.pk).update(diagnosis="Unpublished second thoughts")
    client = client_as(superadmin)
    page = client.get(admin_urls(open_strategy)[0]).content.decode()
    assert open_strategy.title in page
    assert "Unpublished second thoughts" not in page
    assert client.get(admin_urls(draft)[0], follow=True).redirect_chain[-1][0] == reverse(
        "admin:index"
    )


def test_points_versions_strategies_and_dispositions_are_read_only_and_never_deleted(
    world, client_as, superadmin, open_strategy
):
    confirm(open_strategy, world.member)
    point = give(open_strategy, world.member, body="Named worry", rationale="Reasons")
    reveal(open_strategy)
    services.disposition_set(
        point=point,
        by=world.leader,
        status="declined",
        reason="Not this year: the bets section already covers this worry.",
    )
    version = Version.objects.get(strategy=open_strategy)
    disposition = Disposition.objects.get(point=point)
    client = client_as(superadmin)
    for obj in (open_strategy, version, point, disposition):
        change, _, delete = admin_urls(obj)
        assert client.get(change).status_code == 200
        assert client.post(change, {"status": "adopted", "title": "Forged"}).status_code == 403
        assert client.post(delete, {"post": "yes"}).status_code == 403
        opts = obj._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        client.post(
            changelist, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
        )
        assert type(obj).objects.filter(pk=obj.pk).exists()
        add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        assert client.get(add).status_code == 403
    # No disposition "decided by" the owner can be added in admin, so its point dropdown never renders.
    response = client.post(
        reverse("admin:strategy_disposition_add"),
        {"point": point.pk, "status": "adopted", "decided_by": world.leader.pk},
    )
    assert response.status_code == 403
    disposition.refresh_from_db()
    assert disposition.status == "declined" and Disposition.objects.count() == 1
    assert not AuditEntry.objects.filter(action__startswith="admin.").exists()


def test_no_feedback_records_name_carries_its_text(world, open_strategy):
    """Names show in list checkboxes, FK dropdowns, delete pages and Django's own admin log."""
    confirm(open_strategy, world.member)
    point = give(open_strategy, world.member, body="Named worry in the window", rationale="R")
    reply = Reply(point=point, author=world.leader, body="Answer about the worry")
    disposition = Disposition(point=point, status="adopted", decided_by=world.leader)
    confirmation = ReadConfirmation.objects.get(strategy=open_strategy, user=world.member)
    for obj in (point, reply, disposition, confirmation):
        assert "worry" not in str(obj).lower() and "wallets" not in str(obj).lower()
