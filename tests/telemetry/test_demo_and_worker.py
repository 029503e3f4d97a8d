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


@pytest.mark.postgres
@pytest.mark.redis
def test_a_real_worker_reads_and_commits_a_big_import(world, celery_worker_process):
    import secrets

    from telemetry import plan_import
    from telemetry.models import PlanImport

    lines = ["shop:"]
    for i in range(2500):
        lines += [
            f"  item_{i}_viewed:",
            "    type: event",
            f"    description: Item {i} {'was seen ' * 8}",
        ]
    lines += ["  visits:", "    type: counter", "    description: Visits."]
    job = PlanImport.objects.create(
        token=secrets.token_urlsafe(12),
        team=world.team,
        created_by=world.member,
        format="glean",
        filename="metrics.yaml",
        data="\n".join(lines).encode(),
    )
    assert plan_import.plan_import_start(job=job).status == PlanImport.Status.QUEUED

    def status_is(status):
        return lambda: PlanImport.objects.get(pk=job.pk).status == status

    log = celery_worker_process.log
    assert celery_worker_process.wait_until(status_is("ready")), log.read_text()[-2000:]
    job.refresh_from_db()
    assert (job.done, job.total) == (2501, 2501)
    assert plan_import.parsed_plan(job)[1][0].skipped  # the counter, skipped

    job = plan_import.plan_import_request_commit(job=job, by=world.member)
    assert job.status == PlanImport.Status.COMMIT_QUEUED
    assert celery_worker_process.wait_until(status_is("done"), timeout=60), log.read_text()[-2000:]
    assert Event.objects.filter(team=world.team).count() == 2500
