import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from telemetry import services
from telemetry.models import Event


@pytest.mark.postgres
def test_two_people_registering_the_same_name_at_once_get_one_event(world, transactional_db):
    barrier = threading.Barrier(2)
    outcomes = []

    def register(user):
        try:
            barrier.wait()
            services.event_register(team=world.team, name="Order Completed", by=user)
            outcomes.append("created")
        except ValidationError as exc:
            outcomes.append(exc.message_dict["name"][0])
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(u,)) for u in (world.member, world.teammate)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Event.objects.filter(name="Order Completed").count() == 1
    assert outcomes.count("created") == 1
    assert any("registered" in o or "already" in o for o in outcomes if o != "created")


@pytest.mark.postgres
def test_two_ci_jobs_syncing_the_same_new_events_at_once_both_succeed(world, transactional_db):
    from telemetry import code_sync
    from telemetry.locations import EventLocation

    barrier = threading.Barrier(2)
    reports, errors = [], []
    entries = [
        {"name": f"Step {i} Completed", "source": "code", "locations": [f"app.ts:{i + 1}"]}
        for i in range(20)
    ]

    def sync(user):
        try:
            barrier.wait()
            reports.append(
                code_sync.events_sync(team=world.team, by=user, entries=[dict(e) for e in entries])
            )
        except Exception as exc:  # noqa: BLE001 - the test reports whatever went wrong
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=sync, args=(u,)) for u in (world.member, world.teammate)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Event.objects.filter(name__startswith="Step ").count() == 20
    assert EventLocation.objects.count() == 20
    created = sorted(reports[0]["created"] + reports[1]["created"])
    assert created == sorted(e["name"] for e in entries)  # each registered exactly once
