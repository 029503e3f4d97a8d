import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from productops.accounts.models import AuditEntry
from productops.celery import app as celery_app
from telemetry import conventions, health, linting, naming, services, tasks
from telemetry.models import ConventionVersion, Event, NamingHealthSnapshot, TeamVocabulary

pytestmark = pytest.mark.django_db


def _convention_post(client, **changes):
    form = client.get(reverse("telemetry:convention")).context["form"]
    data = {name: field.initial for name, field in form.fields.items() if field.initial is not None}
    data.update({k: v for k, v in changes.items()})
    data = {k: v for k, v in data.items() if v is not False}
    # Publishing takes two steps: the impact is previewed, then exactly those rules are published.
    preview = client.post(reverse("telemetry:convention"), {**data, "action": "preview"})
    if preview.status_code != 200 or preview.context["impact"] is None:
        return preview
    return client.post(
        reverse("telemetry:convention"),
        {**data, "action": "publish", "fingerprint": preview.context["fingerprint"]},
    )


def test_each_publish_is_a_new_numbered_audited_version(
    world, client_for, django_capture_on_commit_callbacks
):
    client = client_for(world.admin)
    with django_capture_on_commit_callbacks(execute=False):
        response = _convention_post(
            client, preset="segment", rule_max_length=40, note="Shorter names"
        )
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=False):
        _convention_post(client, preset="segment", rule_max_length=50, note="A bit longer")
    versions = list(ConventionVersion.objects.order_by("number"))
    assert [(v.number, v.rules["max_length"], v.author) for v in versions] == [
        (1, 40, world.admin),
        (2, 50, world.admin),
    ]
    assert conventions.current_convention().convention.max_length == 50
    audits = AuditEntry.objects.filter(action="telemetry.convention.published").order_by("id")
    assert [a.reason for a in audits] == ["Shorter names", "A bit longer"]
    page = client_for(world.member).get(reverse("telemetry:convention")).content.decode()
    assert "v2" in page and "Shorter names" in page


def test_publishing_queues_a_relint_after_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        conventions.convention_publish(
            by=world.admin, rules=naming.PRESETS["snake"].to_dict(), preset="snake"
        )
    assert len(callbacks) == 1


@pytest.mark.parametrize("who", ["member", "lead", "outsider", "leader"])
def test_only_admins_change_the_convention(world, client_for, who):
    client = client_for(getattr(world, who))
    page = client.get(reverse("telemetry:convention"))
    assert page.status_code == 200 and page.context["form"] is None
    assert client.post(reverse("telemetry:convention"), {"preset": "snake"}).status_code == 403
    assert not ConventionVersion.objects.exists()


def test_choosing_a_preset_loads_its_rules(world, client_for):
    response = client_for(world.admin).get(
        reverse("telemetry:convention"), {"preset": "camel"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert '<option value="camel" selected>' in html
    assert "<html" not in html


def test_a_broken_rule_is_a_form_error_not_a_500(world, client_for):
    response = _convention_post(
        client_for(world.admin), preset="segment", rule_abbreviations="btn button"
    )
    assert response.status_code == 400
    assert "rule_abbreviations" in response.context["form"].errors
    assert not ConventionVersion.objects.exists()


def test_relinting_follows_a_new_convention_and_updates_health(world, register):
    register("Order Completed")
    register("order_completed_twice")
    assert health.naming_health_by_team()[world.team.pk].conforming == 1
    conventions.convention_publish(
        by=world.admin, rules=naming.PRESETS["snake"].to_dict(), preset="snake"
    )
    assert linting.events_relint() == 2
    states = dict(Event.objects.values_list("name", "lint_state"))
    assert states["Order Completed"] == "warnings"
    assert Event.objects.get(name="Order Completed").lint_suggestion == "order_completed"
    today = NamingHealthSnapshot.objects.get(team=world.team, day=timezone.now().date())
    assert today.total == 2


def test_exceptions_survive_relinting(world, register):
    event = register("mp_app_launch")
    services.event_set_exception(event=event, by=world.member, reason="Legacy SDK still sends it")
    linting.events_relint()
    event.refresh_from_db()
    assert event.lint_state == "exception"


def test_a_member_adds_team_words_without_asking(world, client_for, register):
    event = register("Voucher Rebooked")
    before = event.lint_state
    client = client_for(world.teammate)
    response = client.post(
        reverse("telemetry:vocabulary", args=["checkout"]),
        {"actions": "rebook = rebooked", "objects": "voucher"},
    )
    assert response.status_code == 302
    vocabulary = TeamVocabulary.objects.get(team=world.team)
    assert vocabulary.actions == {"rebook": "rebooked"} and vocabulary.object_words == ["voucher"]
    assert AuditEntry.objects.filter(action="telemetry.vocabulary.saved").exists()
    linting.events_relint(team_id=world.team.pk)
    event.refresh_from_db()
    assert event.lint_state == "ok"
    assert before in {"ok", "warnings"}


def test_team_words_only_add_to_the_organisation_rules(world):
    conventions.team_vocabulary_save(
        team=world.team, by=world.member, actions={"zap": "zapped"}, objects=["voucher"]
    )
    team = conventions.team_convention(conventions.current_convention().convention, world.team)
    org = conventions.current_convention().convention
    assert set(org.actions.items()) <= set(team.actions.items())
    assert (team.event_case, team.tense, team.max_length, team.word_order) == (
        org.event_case,
        org.tense,
        org.max_length,
        org.word_order,
    )


def test_outsiders_cannot_change_a_teams_words(world, client_for):
    response = client_for(world.outsider).post(
        reverse("telemetry:vocabulary", args=["checkout"]), {"actions": "zap = zapped"}
    )
    assert response.status_code == 403
    assert not TeamVocabulary.objects.exists()


def test_bad_team_words_are_form_errors(world, client_for):
    response = client_for(world.member).post(
        reverse("telemetry:vocabulary", args=["checkout"]), {"actions": "zap zapped"}
    )
    assert response.status_code == 400
    assert "actions" in response.context["form"].errors


def test_nightly_snapshot_task_writes_one_row_per_team_per_day(world, register):
    register("Order Completed")
    register("addToCart")
    register("Results Viewed", team=world.other_team, by=world.outsider)
    assert tasks.take_naming_health_snapshots() == 2
    assert (
        tasks.take_naming_health_snapshots() == 2
    )  # the same day again refreshes, never duplicates
    today = timezone.now().date()
    rows = {
        s.team_id: (s.total, s.conforming) for s in NamingHealthSnapshot.objects.filter(day=today)
    }
    assert rows == {world.team.pk: (2, 1), world.other_team.pk: (1, 1)}


def test_the_snapshot_job_is_scheduled_nightly():
    entry = celery_app.conf.beat_schedule["telemetry.take_naming_health_snapshots"]
    assert entry["task"] == "telemetry.tasks.take_naming_health_snapshots"
    assert entry["schedule"].hour == {2}


def test_health_pages_show_share_and_trend(
    world, client_for, register, django_assert_max_num_queries
):
    register("Order Completed")
    register("addToCart")
    today = timezone.now().date()
    for days_ago, conforming in [(3, 0), (2, 1), (1, 1)]:
        NamingHealthSnapshot.objects.create(
            team=world.team,
            day=today - datetime.timedelta(days=days_ago),
            total=2,
            conforming=conforming,
        )
    client = client_for(world.outsider)
    with django_assert_max_num_queries(10):
        org = client.get(reverse("telemetry:health"))
    row = next(r for r in org.context["rows"] if r["team"] == world.team)
    assert row["health"].percent == 50
    assert row["chart"].points.count(",") == 3
    team_page = client.get(reverse("telemetry:team_health", args=["checkout"]))
    assert team_page.context["health"].percent == 50
    assert "addToCart" in team_page.content.decode()


def test_deprecated_events_do_not_count_against_a_team(world, register):
    register("addToCart", status="deprecated")
    register("Order Completed")
    assert health.naming_health_by_team()[world.team.pk].percent == 100


def test_home_cards_show_my_teams_health(world, client_for, register):
    register("view_product")
    register("Order Completed")
    page = client_for(world.member).get(reverse("home")).content.decode()
    assert "Checkout: 50% of 2 events" in page
    assert "view_product → Product Viewed" in page
    assert (
        "Checkout"
        not in client_for(world.outsider)
        .get(reverse("home"))
        .content.decode()
        .split("Needs you")[-1]
    )
