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
