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
