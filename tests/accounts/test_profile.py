import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from productops.accounts.services import notify

pytestmark = pytest.mark.django_db


def test_profile_saves_name_zone_and_preference(world, client_for):
    client = client_for(world.member)
    response = client.post(
        reverse("accounts:profile"),
        {
            "display_name": "  Mia   M.  ",
            "email": "mia@example.com",
            "time_zone": "America/New_York",
            "notification_preference": "digest",
        },
        follow=True,
    )
    assert "Your profile is saved" in response.content.decode()
    world.member.refresh_from_db()
    assert world.member.display_name == "Mia M."
    assert world.member.time_zone == "America/New_York"
    assert world.member.notification_preference == "digest"


def test_an_unknown_time_zone_is_refused_and_nothing_changes(world, client_for):
    response = client_for(world.member).post(
        reverse("accounts:profile"),
        {
            "display_name": "Mia",
            "email": "mia@example.com",
            "time_zone": "Mars/Olympus",
            "notification_preference": "immediate",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    world.member.refresh_from_db()
    assert world.member.time_zone == "Europe/Berlin"
    assert world.member.display_name == "Mia Member"


def test_times_are_shown_in_the_viewers_zone_across_dst(world, client_for):
    # 00:30 UTC on the night Europe/Berlin leaves summer time is 02:30 CEST; an hour later it is 02:30 CET.
    before = dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)
    after = dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC)
    for key, moment in [("before", before), ("after", after)]:
        notify(recipients=[world.member], key=key, title=f"Moment {key}")
        world.member.notifications.filter(key=key).update(created_at=moment)
    page = client_for(world.member).get(reverse("accounts:notifications")).content.decode()
    assert page.count("Sun 25 Oct 2026, 02:30") == 2
    assert "2026-10-25T02:30:00+02:00" in page
    assert "2026-10-25T02:30:00+01:00" in page
    world.member.time_zone = "America/New_York"
    world.member.save(update_fields=["time_zone"])
    page = client_for(world.member).get(reverse("accounts:notifications")).content.decode()
    assert "Sat 24 Oct 2026, 20:30" in page
    assert timezone.get_current_timezone_name() == "UTC"  # middleware does not leak the zone
