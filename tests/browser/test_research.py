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


def test_rita_edits_her_request_watches_the_dry_run_and_redraws_the_stale_sample(
    page, sign_in, screenshot
):
    team = TeamFactory(name="Growth", slug="growth")
    rita = UserFactory(username="rita", display_name="Rita Researcher", is_researcher=True)
    MembershipFactory(user=rita, team=team)
    _panel()
    request = ResearchRequest.objects.create(
        title="Pro onboarding interviews",
        team=team,
        researcher=rita,
        goal="Why do pro shops stall in their first week?",
        participants_needed=4,
        criteria={"plan": ["pro"]},
        dimensions=["region"],
        deadline=timezone.localdate() + timedelta(days=30),
    )

    sign_in(page, "rita")
    page.goto(request.get_absolute_url())
    page.get_by_role("button", name="Draw sample").click()
    expect(page.get_by_test_id("sample")).to_contain_text("Sample of 4")

    page.get_by_role("link", name="Edit request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit the request")
    expect(page.get_by_test_id("edit-sample-note")).to_be_visible()
    dry_run = page.get_by_test_id("dry-run")
    expect(dry_run.get_by_test_id("dry-matching")).to_have_text("30")
    expect(dry_run.get_by_test_id("dry-eligible")).to_have_text("26")
    page.locator("input[name=crit_plan][value=enterprise]").check()
    expect(dry_run.get_by_test_id("dry-matching")).to_have_text("60")
    expect(dry_run.get_by_test_id("dry-eligible")).to_have_text("56")
    page.get_by_label("Participants").fill("6")
    screenshot(page, "request-edit-dry-run")
    page.get_by_role("button", name="Save changes").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Pro onboarding interviews")
    expect(page.get_by_test_id("sample-stale")).to_contain_text("out of date")
    expect(page.get_by_test_id("sample-stale")).to_contain_text(
        "holds 4 people where the request now asks for 6"
    )
    screenshot(page, "request-sample-stale")
    page.get_by_role("button", name="Draw a new sample").click()
    expect(page.get_by_test_id("sample")).to_contain_text("Sample of 6")
    expect(page.get_by_test_id("sample-stale")).to_have_count(0)

    page.get_by_role("link", name="Cancel request").click()
    page.get_by_label("Why cancel it?").fill("Merged into the Search team's onboarding study")
    page.get_by_role("button", name="Cancel the request").click()
    expect(page.get_by_test_id("cancelled")).to_contain_text("Merged into the Search team")
    expect(page.get_by_test_id("status")).to_have_text("Cancelled")
    expect(page.get_by_role("button", name="Draw a new sample")).to_have_count(0)
    request.refresh_from_db()
    assert request.status == "cancelled" and request.criteria == {"plan": ["enterprise", "pro"]}


def test_an_admin_declares_an_attribute_and_researchers_filter_on_it_at_once(
    page, sign_in, screenshot
):
    team = TeamFactory(name="Growth", slug="growth")
    UserFactory(username="admin", display_name="Alex Admin", is_productops_admin=True)
    rita = UserFactory(username="rita", display_name="Rita Researcher", is_researcher=True)
    MembershipFactory(user=rita, team=team)
    _panel()
    for person in Participant.objects.order_by("id")[:9]:
        person.attributes = {"product_line": "POS"}
        person.save(update_fields=["attributes"])

    sign_in(page, "admin")
    page.goto("/research/panel/")
    page.get_by_role("link", name="Attributes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Participant attributes")
    page.get_by_label("Name").fill("product_line")
    page.get_by_label("Label").fill("Product line")
    page.get_by_label("Type").select_option(label="One of a list")
    page.get_by_label("Allowed values").fill("web shop\nmobile app\nPOS")
    page.get_by_role("button", name="Declare attribute").click()
    row = page.get_by_test_id("attribute-row")
    expect(row).to_contain_text("product_line")
    expect(row).to_contain_text("web shop, mobile app, POS")
    expect(row.locator("td").nth(3)).to_have_text("9")
    screenshot(page, "attributes")

    page.get_by_role("link", name="Panel", exact=True).click()
    page.get_by_label("Product line").select_option("POS")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("participant-row")).to_have_count(9)

    page.goto("/research/requests/new/")
    page.locator("input[name=crit_product_line][value=POS]").check()
    expect(page.get_by_test_id("dry-run").get_by_test_id("dry-matching")).to_have_text("9")


def test_rita_flags_an_account_for_its_owner_and_its_people_are_held_back_at_once(
    page, sign_in, screenshot
):
    UserFactory(username="rita", display_name="Rita Researcher", is_researcher=True)
    _panel()
    account = Account.objects.get(external_id="A0")

    sign_in(page, "rita")
    page.goto(account.get_absolute_url())
    page.get_by_role("link", name="Edit renewal and owner").click()
    page.get_by_label("The owner asks not to contact this account").check()
    page.get_by_role("button", name="Save and re-check eligibility").click()
    expect(page.locator(".invalid-feedback, .text-danger").first).to_contain_text("at least 10")
    page.get_by_label("The owner's reason").fill("Escalation open until the outage review")
    page.get_by_role("button", name="Save and re-check eligibility").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Shop 0")
    expect(page.get_by_text("owner asks: do not contact")).to_be_visible()
    expect(page.locator("tbody .badge.text-bg-success")).to_have_count(0)
    screenshot(page, "account-flagged")
    assert not Participant.objects.eligible().filter(account=account).exists()


def test_rita_records_an_opt_out_on_the_participant_page_and_it_sticks(page, sign_in, screenshot):
    UserFactory(username="rita", display_name="Rita Researcher", is_researcher=True)
    _panel()
    person = Participant.objects.get(external_id="P7")

    sign_in(page, "rita")
    page.goto(person.get_absolute_url())
    expect(page.get_by_test_id("eligible")).to_be_visible()
    form = page.get_by_test_id("opt-out-form")
    form.get_by_label("Reason").fill("Replied STOP to the invitation e-mail")
    form.get_by_role("button", name="Record opt-out").click()
    expect(page.get_by_text("Opt-out recorded")).to_be_visible()
    expect(page.get_by_test_id("suppressions")).to_contain_text("Replied STOP")
    expect(page.get_by_test_id("refusal").first).to_contain_text("Opt-out")
    expect(page.get_by_test_id("opt-out-form")).to_have_count(0)
    screenshot(page, "participant-opted-out")
    assert Participant.objects.get(pk=person.pk).opted_out
