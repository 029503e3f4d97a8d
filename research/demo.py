"""A believable research panel: 5,000 customers at 800 accounts, a vocal few asked far too often."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from productops.accounts.models import Team, User
from research import eligibility, request_edits, services, suppression, targeting
from research.models import (
    COMPANY_SIZES,
    Account,
    AttributeDefinition,
    LedgerEntry,
    Participant,
    ResearchRequest,
    Suppression,
)

PARTICIPANTS = 5000
ACCOUNTS = 800

FIRST = [
    "Ada",
    "Bruno",
    "Camila",
    "Deniz",
    "Emma",
    "Felix",
    "Grace",
    "Hiro",
    "Isla",
    "Jakub",
    "Kira",
    "Luca",
    "Maya",
    "Noah",
    "Olga",
    "Pedro",
    "Rosa",
    "Sami",
    "Tara",
    "Umar",
    "Vera",
    "Will",
    "Xenia",
    "Yusuf",
    "Zara",
    "Amir",
    "Bianca",
    "Chen",
    "Diego",
    "Elena",
    "Femi",
    "Greta",
    "Hugo",
    "Ingrid",
    "Jon",
    "Leila",
    "Marco",
]
LAST = [
    "Andersen",
    "Bauer",
    "Chowdhury",
    "Dubois",
    "Eriksen",
    "Fischer",
    "García",
    "Hoffmann",
    "Ito",
    "Jansen",
    "Kaya",
    "López",
    "Müller",
    "Nowak",
    "Okoro",
    "Petrov",
    "Quinn",
    "Rossi",
    "Suzuki",
    "Tanaka",
    "Ulrich",
    "Varga",
    "Weber",
    "Xu",
    "Yamada",
    "Zimmermann",
    "Costa",
    "Novak",
    "Silva",
    "Lindqvist",
]
PREFIX = [
    "Blue",
    "North",
    "Bright",
    "Green",
    "Swift",
    "Urban",
    "Silver",
    "Summit",
    "Harbor",
    "Pioneer",
    "Maple",
    "Atlas",
    "Cedar",
    "Delta",
    "Evergreen",
    "Falcon",
    "Granite",
    "Horizon",
    "Juniper",
    "Keystone",
]
SUFFIX = [
    "Retail",
    "Foods",
    "Labs",
    "Logistics",
    "Health",
    "Studio",
    "Outfitters",
    "Systems",
    "Goods",
    "Travel",
    "Media",
    "Works",
    "Supply",
    "Market",
    "Pharma",
    "Motors",
    "Living",
    "Partners",
    "Books",
    "Sports",
]
REGION_COUNTRIES = {
    "EMEA": [
        ("DE", "Europe/Berlin", "de"),
        ("GB", "Europe/London", "en"),
        ("FR", "Europe/Paris", "fr"),
        ("NL", "Europe/Amsterdam", "nl"),
        ("PL", "Europe/Warsaw", "pl"),
        ("ES", "Europe/Madrid", "es"),
    ],
    "NA": [
        ("US", "America/New_York", "en"),
        ("US", "America/Chicago", "en"),
        ("US", "America/Los_Angeles", "en"),
        ("CA", "America/Toronto", "en"),
    ],
    "LATAM": [
        ("BR", "America/Sao_Paulo", "pt"),
        ("MX", "America/Mexico_City", "es"),
        ("AR", "America/Argentina/Buenos_Aires", "es"),
    ],
    "APAC": [
        ("JP", "Asia/Tokyo", "ja"),
        ("SG", "Asia/Singapore", "en"),
        ("AU", "Australia/Sydney", "en"),
        ("IN", "Asia/Kolkata", "en"),
    ],
}
INDUSTRIES = [
    "Retail",
    "Fashion",
    "Food & drink",
    "Electronics",
    "Home & garden",
    "Health & beauty",
    "Sports",
    "Books & media",
    "Travel",
    "B2B supplies",
]


def _say(stdout, text):
    if stdout:
        stdout.write(text)


def seed(stdout=None) -> None:
    if Participant.objects.filter(external_id="CRM-000001").exists():
        _say(stdout, "Research panel already seeded.")
        _requests(stdout)
        return
    rng = random.Random(5)
    now = timezone.now()
    with transaction.atomic():
        AttributeDefinition.objects.get_or_create(
            name="product_line",
            defaults={
                "label": "Product line",
                "type": "choice",
                "allowed_values": ["web shop", "mobile app", "POS"],
            },
        )
        owners = list(User.objects.filter(username__in=["admin", "dev", "rita"]))
        accounts = []
        for i in range(ACCOUNTS):
            renewal = None
            if i % 4 == 0:
                renewal = (now + timedelta(days=rng.randrange(-20, 300))).date()
            # Every third account is owned by a portal user; the CRM then names that same person.
            owner = owners[i % len(owners)] if owners and i % 3 == 0 else None
            accounts.append(
                Account(
                    external_id=f"ACC-{i + 1:04d}",
                    name=f"{PREFIX[i % len(PREFIX)]} {SUFFIX[(i // len(PREFIX) + i) % len(SUFFIX)]}"
                    + (
                        f" {i // (len(PREFIX) * len(SUFFIX)) + 1}"
                        if i >= len(PREFIX) * len(SUFFIX)
                        else ""
                    ),
                    renewal_date=renewal,
                    owner=owner,
                    owner_name=owner.display_name
                    if owner
                    else f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    owner_flagged=i in (7, 41, 150),
                    owner_flag_reason="Escalation open with support; please hold research."
                    if i in (7, 41, 150)
                    else "",
                )
            )
        Account.objects.bulk_create(accounts)
        accounts = list(
            Account.objects.filter(external_id__startswith="ACC-").order_by("external_id")
        )
        # A few big accounts, a long tail of small ones.
        weights = [1 / (rank + 1) ** 1.1 for rank in range(ACCOUNTS)]
        people = []
        for n in range(PARTICIPANTS):
            account = rng.choices(accounts, weights=weights)[0]
            rank = accounts.index(account)
            region = rng.choices(list(REGION_COUNTRIES), weights=[45, 35, 10, 10])[0]
            country, zone, language = rng.choice(REGION_COUNTRIES[region])
            first, last = rng.choice(FIRST), rng.choice(LAST)
            consent = rng.choices(["granted", "pending", "withdrawn"], weights=[90, 8, 2])[0]
            plan = (
                "enterprise"
                if rank < 20
                else rng.choices(["free", "starter", "pro", "enterprise"], weights=[35, 35, 22, 8])[
                    0
                ]
            )
            people.append(
                Participant(
                    external_id=f"CRM-{n + 1:06d}",
                    name=f"{first} {last}",
                    email=f"{first}.{last}.{n + 1}@{account.name.lower().replace(' ', '')}.example".lower(),
                    account=account,
                    time_zone=zone,
                    language=language,
                    consent=consent,
                    consent_at=now - timedelta(days=rng.randrange(30, 900))
                    if consent == "granted"
                    else None,
                    opted_out=consent == "withdrawn" or rng.random() < 0.01,
                    do_not_contact=rng.random() < 0.005,
                    contact_block_reason="Asked not to be contacted in a support ticket"
                    if consent == "withdrawn"
                    else "",
                    plan=plan,
                    region=region,
                    country=country,
                    industry=INDUSTRIES[rank % len(INDUSTRIES)],
                    company_size=COMPANY_SIZES[-1] if rank < 20 else rng.choice(COMPANY_SIZES[:4]),
                    tenure=rng.choices(["<1y", "1-3y", "3y+"], weights=[30, 45, 25])[0],
                    usage_level=rng.choices(["low", "medium", "high"], weights=[30, 45, 25])[0],
                    attributes={"product_line": rng.choice(["web shop", "mobile app", "POS"])},
                )
            )
        suppression.source_set(Suppression.Source.DEMO)
        Participant.objects.bulk_create(people, batch_size=1000)
        people = list(Participant.objects.filter(external_id__startswith="CRM-").order_by("id"))
        suppression.suppressions_record_missing(
            participant_ids=[p.pk for p in people], source=Suppression.Source.DEMO
        )
        _ledger(rng, people, now)
        eligibility.refresh_participants(ids=[p.pk for p in people], now=now)
    _say(stdout, f"Research panel: {len(people)} participants at {ACCOUNTS} accounts.")
    _requests(stdout)


def _ledger(rng, people, now):
    teams = list(Team.objects.all())
    vocal = rng.sample(people, 150)
    rows = []
    for _ in range(6000):
        person = rng.choice(vocal) if rng.random() < 0.7 else rng.choice(people)
        kind = rng.choices(
            ["invitation", "session", "no_show", "incentive", "other"], weights=[45, 25, 4, 10, 16]
        )[0]
        at = now - timedelta(days=rng.uniform(1, 420))
        method = {
            "session": rng.choice(["interview", "usability_test", "survey"]),
            "invitation": rng.choice(["interview", "usability_test", "survey"]),
            "other": rng.choice(["nps", "cs_call"]),
        }.get(kind, "")
        rows.append(
            LedgerEntry(
                participant=person,
                account_id=person.account_id,
                team=rng.choice(teams) if teams and kind != "other" else None,
                kind=kind,
                method=method,
                at=at,
                minutes=rng.choice([30, 45, 60])
                if kind == "session"
                else (15 if method == "cs_call" else 0),
                incentive_cents=rng.choice([2500, 5000, 7500]) if kind == "incentive" else 0,
                source=LedgerEntry.Source.DEMO,
                note={"nps": "Quarterly NPS survey", "cs_call": "Customer-success check-in"}.get(
                    method, ""
                ),
            )
        )
    LedgerEntry.objects.bulk_create(rows, batch_size=2000)


REQUESTS = [
    (
        "growth",
        "rita",
        "Onboarding checklist interviews",
        "Why do new starter and pro shops stall before their first sale? Walk through the checklist with them.",
        "interview",
        45,
        12,
        {"plan": ["starter", "pro"], "tenure": ["<1y"]},
        ["plan", "region"],
        2500,
    ),
    (
        "checkout",
        "admin",
        "Payment methods usability test",
        "Test the new wallet and pay-later flows with pro and enterprise merchants in Europe.",
        "usability_test",
        60,
        8,
        {"plan": ["pro", "enterprise"], "region": ["EMEA"]},
        ["plan", "usage_level"],
        5000,
    ),
    (
        "search",
        "admin",
        "Long-time LATAM power users: search diary study",
        "How do high-usage merchants in Latin America who have been with us for years find products "
        "in their own catalogue over two weeks?",
        "diary_study",
        30,
        10,
        {"usage_level": ["high"], "region": ["LATAM"], "tenure": ["3y+"]},
        ["plan"],
        0,
    ),
    (
        "growth",
        "rita",
        "Referral programme interviews",
        "Why do pro merchants stop inviting other shops after their first referral reward?",
        "interview",
        30,
        8,
        {"plan": ["pro"]},
        ["region"],
        2500,
    ),
]

# Shows the other end of a request's life: cancelled with a reason, out of overlaps and risk warnings.
CANCELLED = {
    "Referral programme interviews": "Merged into the onboarding checklist interviews: same merchants, same weeks."
}


def _requests(stdout):
    now = timezone.now()
    for slug, username, title, goal, method, minutes, needed, criteria, dims, cents in REQUESTS:
        team = Team.objects.filter(slug=slug).first()
        researcher = User.objects.filter(username=username).first()
        if not team or not researcher or ResearchRequest.objects.filter(title=title).exists():
            continue
        request = ResearchRequest.objects.create(
            title=title,
            team=team,
            researcher=researcher,
            goal=goal,
            method=method,
            session_minutes=minutes,
            participants_needed=needed,
            criteria=criteria,
            dimensions=dims,
            deadline=(now + timedelta(days=21 + needed)).date(),
            incentive_cents=cents,
        )
        if title in CANCELLED:
            request_edits.request_cancel(request=request, by=researcher, reason=CANCELLED[title])
            continue
        if slug != "search":
            drawer = (
                researcher if researcher.is_researcher or researcher.is_productops_admin else None
            )
            if drawer:
                targeting.sample_draw(request=request, by=drawer, seed=2026 + request.pk)
    services.requests_risk_update(now=now)
    _say(stdout, "Research requests with samples ready.")
    from research import scheduling_demo

    scheduling_demo.seed(stdout)
