"""The demo panel tells the story the issue describes: skewed accounts, a vocal few, requests in every state."""

from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count

from research.models import Account, LedgerEntry, Participant, ResearchRequest

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    # One seeding for the module, rolled back afterwards so later tests start from migrations' data.
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo")
        yield
        transaction.set_rollback(True)


def test_the_panel_is_about_five_thousand_people_at_eight_hundred_skewed_accounts(demo):
    assert 4500 <= Participant.objects.count() <= 5500
    assert Account.objects.count() == 800
    sizes = sorted(
        Account.objects.annotate(n=Count("participants")).values_list("n", flat=True),
        reverse=True,
    )
    # A few big accounts carry far more people than the typical one.
    assert sizes[0] >= 20 * max(sizes[len(sizes) // 2], 1)


def test_past_contacts_are_concentrated_on_a_vocal_few(demo):
    per_person = Counter(
        LedgerEntry.objects.filter(kind="invitation").values_list("participant_id", flat=True)
    )
    contacted = sorted(per_person.values(), reverse=True)
    top = sum(contacted[: len(contacted) // 10])
    assert top >= 0.4 * sum(contacted)
    assert len(per_person) < Participant.objects.count() / 2


def test_requests_show_open_sampled_and_cancelled_states(demo):
    requests = ResearchRequest.objects.all()
    open_ones = [r for r in requests if r.cancelled_at is None]
    assert len(open_ones) >= 2
    assert any(r.samples.exists() for r in open_ones)
    cancelled = [r for r in requests if r.cancelled_at is not None]
    assert cancelled and all(r.cancel_reason for r in cancelled)


def test_owned_accounts_name_the_same_owner_as_the_crm(demo):
    owned = Account.objects.filter(owner__isnull=False).select_related("owner")
    assert owned.exists()
    assert all(a.owner_name == a.owner.display_name for a in owned)


def test_a_study_is_in_progress_with_booked_pending_and_completed_sessions(demo):
    from research.models import Availability, Booking, Invitation

    assert set(Availability.objects.values_list("user__username", flat=True)) == {"rita", "admin"}
    statuses = set(Booking.objects.values_list("status", flat=True))
    assert {"confirmed", "completed", "no_show"} <= statuses
    assert Invitation.objects.filter(status="sent").exists()


def test_seed_demo_prints_a_participant_booking_link_that_opens(demo, client):
    import re
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("seed_demo", stdout=out)
    path = re.search(r"http://[^/\s]+(/research/book/\S+/)", out.getvalue()).group(1)
    page = client.get(path)
    assert page.status_code == 200 and "Pick a time" in page.content.decode()
