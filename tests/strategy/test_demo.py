import pytest
from django.core.management import call_command
from django.urls import reverse

from strategy.models import Disposition, Point, Strategy

pytestmark = pytest.mark.django_db


def test_the_demo_tells_both_stories_and_is_safe_to_run_twice(client_as):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (Strategy.objects.count(), Point.objects.count(), Disposition.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (Strategy.objects.count(), Point.objects.count(), Disposition.objects.count()) == counts
    open_one = Strategy.objects.get(phase="feedback")
    final = Strategy.objects.get(phase="final")
    assert open_one.points.values("team").distinct().count() >= 2
    assert final.versions.count() == 2
    from productops.accounts.models import User

    dev = User.objects.get(username="dev")
    assert client_as(dev).get(open_one.get_absolute_url()).status_code == 200
    cpo = User.objects.get(username="cpo")
    page = client_as(cpo).get(reverse("strategy:you_said_we_did", args=[final.pk])).content.decode()
    assert "Query understanding becomes step one" in page and "?a=1&amp;b=2" in page


def test_the_demo_has_rated_assumptions_a_scheduled_session_and_a_decision_with_dissent(
    client_as,
):
    from productops.accounts.models import User
    from strategy import assumptions
    from strategy.demo import FINAL_TITLE, REVIEW_TITLE
    from strategy.models import DecisionRecord, ReviewSession

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    review = Strategy.objects.get(title=REVIEW_TITLE)
    assert review.is_revealed
    spreads = assumptions.spreads(review)
    assert len(spreads) == 3 and all(s.overall.n >= 3 for s in spreads)
    session = ReviewSession.objects.get(strategy=review)
    assert session.status == "scheduled"
    agenda = list(session.items.filter(settled=False))
    # The split assumption about carrier data is on the agenda; the agreed one is not.
    assert any("Carrier data" in i.title for i in agenda)
    assert not any("prefer a later date" in i.title for i in agenda)
    assert session.items.filter(settled=True).exists()
    record = DecisionRecord.objects.get(strategy__title=FINAL_TITLE)
    assert record.finalised_at and record.strategy.phase == "final"
    assert record.commitments.filter(kind="dissent").count() == 1
    cpo = User.objects.get(username="cpo")
    page = client_as(cpo).get(reverse("strategy:decision", args=[record.strategy_id]))
    assert "registered dissent" in page.content.decode()
    page = client_as(review.owner).get(reverse("strategy:session", args=[session.public_id]))
    assert page.status_code == 200 and "Carrier data" in page.content.decode()
