import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from productops.accounts.models import AuditEntry
from strategy import feedback, services
from strategy.models import Disposition, ReadReceipt, Section, Strategy, Version
from tests.strategy.conftest import confirm, make_draft, open_window, reveal

pytestmark = pytest.mark.django_db

PARKED_REASON = "We come back to this once the wallet pilot reports."


def _with_pushback(world):
    strategy = open_window(make_draft(world), world)
    confirm(strategy, world.member)
    point = feedback.point_create(
        strategy=strategy,
        by=world.member,
        type="pushback",
        body="No",
        rationale="Because",
        section_key="diagnosis",
    )
    reveal(strategy)
    return strategy, point


def test_a_draft_with_an_empty_part_cannot_open_and_the_form_names_it(world, client_as):
    draft = make_draft(world, assumptions="  ")
    response = client_as(world.leader).post(
        reverse("strategy:publish", args=[draft.pk]),
        {"change_summary": "v1", "closes_at": "2099-01-01T10:00"},
    )
    assert response.status_code == 200
    assert "What would have to be true is empty" in response.content.decode()
    assert not Version.objects.exists()
    assert Strategy.objects.get(pk=draft.pk).phase == "draft"


def test_a_one_megabyte_body_is_refused_with_a_clear_error(world, client_as, api_for):
    draft = make_draft(world)
    huge = "x" * 1_048_576
    response = api_for(world.leader).patch(
        reverse("api:strategy-detail", args=[draft.pk]), {"body": huge}, format="json"
    )
    assert response.status_code == 400 and "body" in response.json()
    form_data = {
        "title": "T",
        "audience_teams": [world.team.pk],
        "diagnosis": huge,
        "guiding_policy": "g",
        "bets": "b",
        "options": "o",
        "assumptions": "a",
        "vote_budget": 5,
    }
    page = client_as(world.leader).post(reverse("strategy:edit", args=[draft.pk]), form_data)
    assert page.status_code == 200 and "the limit is" in page.content.decode()
    assert Strategy.objects.get(pk=draft.pk).diagnosis == draft.diagnosis


def test_a_published_version_cannot_be_edited(world, api_for, open_strategy):
    version = open_strategy.versions.get()
    version.change_summary = "Rewritten history"
    with pytest.raises(ValidationError, match="cannot be changed"):
        version.save()
    url = reverse("api:strategy-version-detail", args=[version.pk])
    assert (
        api_for(world.leader).patch(url, {"change_summary": "x"}, format="json").status_code == 405
    )
    assert api_for(world.leader).delete(url).status_code == 405
    assert Version.objects.get().change_summary == "First version."


def test_no_new_version_during_the_window(world, open_strategy):
    with pytest.raises(PermissionDenied):
        services.version_publish(strategy=open_strategy, by=world.leader, change_summary="sneaky")
    assert Version.objects.count() == 1


def test_a_new_version_waits_for_every_pushback_to_be_answered(world, client_as):
    strategy, point = _with_pushback(world)
    response = client_as(world.leader).post(
        reverse("strategy:publish", args=[strategy.pk]), {"change_summary": "v2"}
    )
    assert "still need a disposition" in response.content.decode()
    assert Version.objects.count() == 1
    services.disposition_set(
        point=point, by=world.leader, status="declined", reason="We disagree, and here is why."
    )
    services.version_publish(strategy=strategy, by=world.leader, change_summary="v2")
    assert Version.objects.count() == 2


def test_finalising_waits_too_unless_an_admin_overrides_with_a_reason(world):
    strategy, point = _with_pushback(world)
    with pytest.raises(ValidationError, match="still need a disposition"):
        services.strategy_transition(strategy=strategy, by=world.leader, target="final")
    with pytest.raises(PermissionDenied):
        services.strategy_transition(strategy=strategy, by=world.admin, target="final")
    services.strategy_transition(
        strategy=strategy,
        by=world.admin,
        target="final",
        override_reason="Board deadline; owner on leave.",
    )
    assert Strategy.objects.get(pk=strategy.pk).phase == "final"
    entry = AuditEntry.objects.get(action="strategy.finalise.override")
    assert entry.actor == world.admin and entry.reason == "Board deadline; owner on leave."


def test_only_the_owner_gives_a_disposition(world, api_for):
    strategy, point = _with_pushback(world)
    for user in (world.member, world.admin):
        response = api_for(user).put(
            reverse("api:strategy-feedback-disposition", args=[point.public_id]),
            {"status": "adopted"},
            format="json",
        )
        assert response.status_code == 403
    response = api_for(world.leader).put(
        reverse("api:strategy-feedback-disposition", args=[point.public_id]),
        {"status": "declined"},
        format="json",
    )
    assert response.status_code == 400 and "reason" in response.json()
    assert not Disposition.objects.exists()
    response = api_for(world.leader).put(
        reverse("api:strategy-feedback-disposition", args=[point.public_id]),
        {"status": "adopted", "section_key": "diagnosis"},
        format="json",
    )
    assert response.status_code == 200 and Disposition.objects.get().status == "adopted"


def test_sections_keep_their_keys_and_reading_shows_what_changed_since(world, client_as):
    strategy, point = _with_pushback(world)
    services.read_record(
        version=strategy.versions.get(), user=world.member, section_keys=["diagnosis"]
    )
    services.disposition_set(
        point=point,
        by=world.leader,
        status="adapted",
        reason="The diagnosis now names Android, where it hurts.",
        section_key="diagnosis",
    )
    strategy.diagnosis = "Conversion fell 4 points; abandonment at payment doubled on Android."
    strategy.save()
    services.version_publish(strategy=strategy, by=world.leader, change_summary="Sharper diagnosis")
    keys = [
        list(
            Section.objects.filter(version__number=n)
            .order_by("position")
            .values_list("key", flat=True)
        )
        for n in (1, 2)
    ]
    assert keys[0] == keys[1]
    page = client_as(world.member).get(strategy.get_absolute_url()).content.decode()
    assert "You last read version 1" in page
    diff = (
        client_as(world.member)
        .get(reverse("strategy:diff", args=[strategy.pk]) + "?since=read")
        .content.decode()
    )
    assert "Since you last read" in diff and "doubled on Android" in diff
    assert diff.count('data-testid="diff-section"') == 1
    assert ReadReceipt.objects.filter(user=world.member).count() >= 2


def test_the_api_diff_and_versions(world, api_for):
    strategy, point = _with_pushback(world)
    services.disposition_set(point=point, by=world.leader, status="parked", reason=PARKED_REASON)
    strategy.bets += "\n\n### Card scanning\n\nScan cards with the camera."
    strategy.save()
    services.version_publish(strategy=strategy, by=world.leader, change_summary="Card scanning")
    diff = (
        api_for(world.member)
        .get(reverse("api:strategy-diff", args=[strategy.pk]), {"a": 1, "b": 2})
        .json()
    )
    assert {d["key"]: d["status"] for d in diff}["card-scanning"] == "added"
    versions = (
        api_for(world.member).get(reverse("api:strategy-versions", args=[strategy.pk])).json()
    )
    assert [v["number"] for v in versions] == [1, 2]
    added = next(s for s in versions[1]["sections"] if s["key"] == "card-scanning")
    assert added["html"].startswith("<h3>Card scanning</h3>")


def test_you_said_we_did_lists_each_point_with_its_disposition_and_diff(world, client_as):
    strategy, point = _with_pushback(world)
    services.disposition_set(
        point=point,
        by=world.leader,
        status="adapted",
        reason="Narrowed to Android, where abandonment doubled.",
        section_key="diagnosis",
    )
    strategy.diagnosis += " Android especially."
    strategy.save()
    services.version_publish(strategy=strategy, by=world.leader, change_summary="Android")
    assert (
        client_as(world.member)
        .get(reverse("strategy:you_said_we_did", args=[strategy.pk]))
        .status_code
        == 403
    )
    services.strategy_transition(strategy=strategy, by=world.leader, target="final")
    page = (
        client_as(world.member)
        .get(reverse("strategy:you_said_we_did", args=[strategy.pk]))
        .content.decode()
    )
    assert "You said:</strong> No" in page and "Adapted" in page and "Narrowed to Android" in page
    assert "?a=1&amp;b=2#s-diagnosis" in page


def test_an_admin_may_publish_over_open_points_only_with_a_written_reason(world):
    strategy, point = _with_pushback(world)
    with pytest.raises(PermissionDenied):
        services.version_publish(strategy=strategy, by=world.admin, change_summary="v2")
    services.version_publish(
        strategy=strategy,
        by=world.admin,
        change_summary="v2",
        override_reason="Legal asked for the fix today.",
    )
    assert Version.objects.count() == 2
    entry = AuditEntry.objects.get(action="strategy.publish.override")
    assert entry.reason == "Legal asked for the fix today." and entry.data == {"undisposed": 1}


def test_a_new_version_notifies_the_audience_and_leadership(world):
    from productops.accounts.models import Notification
    from strategy import tasks
    from tests.factories import UserFactory

    cfo = UserFactory(username="cfo", is_leadership=True)
    strategy, point = _with_pushback(world)
    services.disposition_set(point=point, by=world.leader, status="parked", reason=PARKED_REASON)
    version = services.version_publish(strategy=strategy, by=world.leader, change_summary="Sharper")
    tasks.notify_version_published(version.pk)
    people = set(
        Notification.objects.filter(key=f"strategy:{strategy.pk}:version:2").values_list(
            "recipient__username", flat=True
        )
    )
    assert {"member", "teammate", "lead", "outsider", "cfo"} <= people
    assert "researcher" not in people
    assert cfo.notifications.get().url.endswith("diff/?a=1&b=2")


def test_feedback_text_is_shown_as_text(world, client_as):
    strategy = open_window(make_draft(world), world)
    confirm(strategy, world.member)
    feedback.point_create(
        strategy=strategy,
        by=world.member,
        type="idea",
        body='<script>alert("x")</script><img src=x onerror=alert(1)>',
    )
    reveal(strategy)
    page = (
        client_as(world.teammate)
        .get(reverse("strategy:discussion", args=[strategy.pk]))
        .content.decode()
    )
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert" in page


def test_declining_without_a_reason_on_the_page_says_why_and_saves_nothing(world, client_as):
    strategy, point = _with_pushback(world)
    response = client_as(world.leader).post(
        reverse("strategy:dispose", args=[point.public_id]),
        {"status": "declined", "reason": ""},
        follow=True,
    )
    assert "at least a sentence" in response.content.decode()
    assert not Disposition.objects.exists()


def test_the_dashboard_offers_an_admin_only_the_audited_override(world, client_as):
    strategy, point = _with_pushback(world)
    page = (
        client_as(world.admin)
        .get(reverse("strategy:dashboard", args=[strategy.pk]))
        .content.decode()
    )
    assert "Move to: Final" in page and "Admin override reason (audited)" in page
    assert "Move to: Decision" not in page
    owner_page = (
        client_as(world.leader)
        .get(reverse("strategy:dashboard", args=[strategy.pk]))
        .content.decode()
    )
    assert "Move to: Decision" in owner_page and "Admin override reason" not in owner_page
    response = client_as(world.admin).post(
        reverse("strategy:transition", args=[strategy.pk]),
        {"target": "final", "override_reason": "Board deadline."},
    )
    assert response.status_code == 302
    assert Strategy.objects.get(pk=strategy.pk).phase == "final"


def test_opening_the_page_records_the_read_once_and_a_reload_writes_nothing(world, client_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    strategy = open_window(make_draft(world), world)
    client = client_as(world.member)
    client.get(strategy.get_absolute_url())
    assert ReadReceipt.objects.filter(user=world.member, section_key="").count() == 1
    with CaptureQueriesContext(connection) as queries:
        assert client.get(strategy.get_absolute_url()).status_code == 200
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert writes == []
    assert ReadReceipt.objects.filter(user=world.member, section_key="").count() == 1
