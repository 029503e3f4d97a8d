"""Research in a real browser: Rita files a request, watches the dry run, draws a sample, reads its make-up."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from research import eligibility, services
from research.models import Account, Participant, ResearchRequest, Sample
from tests.factories import MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PLANS = ["free", "starter", "pro", "enterprise"]
REGIONS = ["EMEA", "NA", "APAC"]


def _panel():
    accounts = [Account.objects.create(external_id=f"A{i}", name=f"Shop {i}") for i in range(6)]
    people = []
    for n in range(120):
        people.append(
            Participant(
                external_id=f"P{n}",
                name=f"Customer {n:03d}",
                email=f"customer{n}@shop.example",
                account=accounts[n % 6],
                consent="granted",
                plan=PLANS[n % 4],
                region=REGIONS[n % 3],
                company_size="11-50",
                usage_level="medium",
            )
        )
    Participant.objects.bulk_create(people)
    ids = list(Participant.objects.values_list("pk", flat=True))
    eligibility.refresh_participants(ids=ids)
    # Some pro customers were invited last week: the dry run holds them back.
    for person in Participant.objects.filter(plan="pro").order_by("id")[:4]:
        services.ledger_record(
            participant=person, kind="invitation", at=timezone.now() - timedelta(days=6)
        )


def test_rita_files_a_request_sees_the_dry_run_and_draws_a_representative_sample(
    page, sign_in, screenshot
):
    team = TeamFactory(name="Growth", slug="growth")
    rita = UserFactory(username="rita", display_name="Rita Researcher", is_researcher=True)
    MembershipFactory(user=rita, team=team)
    _panel()

    sign_in(page, "rita")
    page.goto("/research/")
    page.get_by_role("link", name="File a research request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("File a research request")
    dry_run = page.get_by_test_id("dry-run")
    expect(dry_run.get_by_test_id("dry-matching")).to_have_text("120")

    page.get_by_label("Title").fill("Pro onboarding interviews")
    page.get_by_label("Team").select_option(label="Growth")
    page.get_by_label("Goal").fill("Why do pro and enterprise shops stall in their first week?")
    page.get_by_label("Participants").fill("6")
    page.locator("input[name=crit_plan][value=pro]").check()
    page.locator("input[name=crit_plan][value=enterprise]").check()
    expect(dry_run.get_by_test_id("dry-matching")).to_have_text("60")
    expect(dry_run.get_by_test_id("dry-eligible")).to_have_text("56")
    expect(dry_run.get_by_test_id("dry-rules")).to_contain_text("Invitation cooldown")
    page.locator("input[name=dimensions][value=plan]").check()
    page.locator("input[name=dimensions][value=region]").check()
    screenshot(page, "request-form-dry-run")

    page.get_by_role("button", name="File request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pro onboarding interviews")
    expect(page.get_by_test_id("no-sample")).to_be_visible()
    page.get_by_role("button", name="Draw sample").click()

    sample = page.get_by_test_id("sample")
    expect(sample).to_contain_text("Sample of 6")
    makeup = page.get_by_test_id("makeup")
    expect(makeup).to_have_count(2)
    expect(makeup.first).to_contain_text("enterprise")
    expect(makeup.first).to_contain_text("pro")
    expect(page.get_by_test_id("selected").locator("tbody tr")).to_have_count(6)
    expect(page.get_by_test_id("standby").locator("tbody tr").first).to_contain_text("Customer")
    expect(page.get_by_test_id("tvd")).to_be_visible()
    screenshot(page, "request-sample")

    request = ResearchRequest.objects.get()
    drawn = Sample.objects.get(request=request)
    plans = set(
        Participant.objects.filter(
            pk__in=drawn.members.filter(standby=False).values("participant_id")
        ).values_list("plan", flat=True)
    )
    assert plans == {"pro", "enterprise"}
