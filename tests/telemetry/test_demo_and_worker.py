import pytest

from productops.accounts import demo as accounts_demo
from telemetry import conventions, demo, health, linting, naming, services
from telemetry.models import Alias, ConventionVersion, Event, NamingHealthSnapshot


@pytest.mark.django_db
def test_the_demo_tells_a_story_and_is_safe_to_run_twice():
    accounts_demo.seed()
    demo.seed()
    counts = (Event.objects.count(), Alias.objects.count(), NamingHealthSnapshot.objects.count())
    demo.seed()
    assert (
        Event.objects.count(),
        Alias.objects.count(),
        NamingHealthSnapshot.objects.count(),
    ) == counts
    assert Event.objects.count() >= 200
    assert ConventionVersion.objects.count() == 2
    states = set(Event.objects.values_list("lint_state", flat=True))
    assert states == {"ok", "warnings", "exception"}
    shares = [h.share for h in health.naming_health_by_team().values()]
    assert len(shares) == 8 and min(shares) < 0.3 < 0.5 < max(shares)
    # The same idea written several ways, as real catalogues have it.
    assert linting.lint_names(["add_to_cart"])[0]["duplicates"]


@pytest.mark.postgres
@pytest.mark.redis
def test_a_real_worker_relints_after_the_convention_changes(world, celery_worker_process):
    for name in ["Order Completed", "order_refunded"]:
        services.event_register(team=world.team, name=name, by=world.member)
    conventions.convention_publish(
        by=world.admin, rules=naming.PRESETS["snake"].to_dict(), preset="snake"
    )

    def relinted():
        # The worker re-lints the events first and writes the day's snapshot after.
        return (
            dict(Event.objects.values_list("name", "lint_state"))
            == {
                "Order Completed": "warnings",
                "order_refunded": "ok",
            }
            and NamingHealthSnapshot.objects.filter(team=world.team).exists()
        )

    assert celery_worker_process.wait_until(relinted), celery_worker_process.log.read_text()[-2000:]
    assert NamingHealthSnapshot.objects.get(team=world.team).conforming == 1
