"""The demo organisation: believable teams and people, the same on every run."""

import random

from django.db import transaction

from productops.accounts.models import Membership, Team, User

DEMO_PASSWORD = "demo"

TEAMS = [
    ("Checkout", "Commerce", "Make paying effortless: every step between cart and confirmation."),
    (
        "Catalogue",
        "Commerce",
        "Help customers find the right product fast, with rich and accurate listings.",
    ),
    (
        "Growth",
        "Acquisition",
        "Turn visitors into active customers through sign-up and onboarding.",
    ),
    ("Mobile Apps", "Platform", "Ship iOS and Android apps customers rate five stars."),
    ("Search", "Discovery", "Relevant results in under 100 ms, in every language we sell in."),
    ("Payments", "Commerce", "Reliable, compliant payment methods in every market."),
    ("Data Platform", "Platform", "Trustworthy data and analytics tooling for every team."),
    (
        "Customer Success",
        "Retention",
        "Keep accounts healthy: support tools, renewals and insights.",
    ),
]

# (username, display name, time zone, roles, [(team, role)])
NAMED_PEOPLE = [
    (
        "admin",
        "Alex Admin",
        "Europe/London",
        {"is_productops_admin": True, "is_staff": True, "is_superuser": True},
        [("Data Platform", "member")],
    ),
    ("ceo", "Cora Chen", "America/New_York", {"is_leadership": True}, []),
    ("rita", "Rita Researcher", "Europe/Berlin", {"is_researcher": True}, [("Growth", "member")]),
    ("dev", "Devi Patel", "Europe/Berlin", {}, [("Checkout", "member")]),
    ("cto", "Tomás Ortega", "Europe/Madrid", {"is_leadership": True}, []),
    ("cpo", "Priya Nair", "Asia/Kolkata", {"is_leadership": True}, []),
]

FIRST = [
    "Ana",
    "Ben",
    "Chloé",
    "Dmitri",
    "Elif",
    "Farah",
    "Gabe",
    "Hana",
    "Ivo",
    "Jonas",
    "Kemi",
    "Lars",
    "Mei",
    "Nico",
    "Olu",
    "Pia",
    "Quinn",
    "Rafael",
    "Sofia",
    "Theo",
    "Uma",
    "Viktor",
    "Wen",
    "Yara",
    "Zoe",
    "Arjun",
    "Bea",
    "Carl",
    "Dana",
    "Emil",
    "Fatima",
    "Goran",
    "Hugo",
    "Ines",
]
LAST = [
    "Silva",
    "Kowalski",
    "Martin",
    "Ivanov",
    "Yilmaz",
    "Haddad",
    "Brooks",
    "Sato",
    "Novak",
    "Berg",
    "Adeyemi",
    "Lund",
    "Wang",
    "Rossi",
    "Okafor",
    "Schmidt",
    "Reyes",
    "Costa",
    "Dubois",
    "Meyer",
]
ZONES = [
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "Europe/Lisbon",
    "Asia/Singapore",
    "Europe/Warsaw",
    "America/Sao_Paulo",
]


def _slug(name: str) -> str:
    return name.lower().replace(" ", "-")


@transaction.atomic
def seed(stdout=None) -> None:
    rng = random.Random(2026)
    teams = {}
    for name, area, mission in TEAMS:
        teams[name], _ = Team.objects.update_or_create(
            slug=_slug(name), defaults={"name": name, "product_area": area, "mission": mission}
        )

    def person(username, display, zone, roles):
        user, created = User.objects.update_or_create(
            username=username,
            defaults={
                "display_name": display,
                "first_name": display.split()[0],
                "last_name": display.split()[-1],
                "email": f"{username}@example.com",
                "time_zone": zone,
                **roles,
            },
        )
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        return user

    for username, display, zone, roles, memberships in NAMED_PEOPLE:
        user = person(username, display, zone, roles)
        for team_name, role in memberships:
            Membership.objects.update_or_create(
                user=user, team=teams[team_name], defaults={"role": role}
            )

    # Four or five people per team, the first one its lead; about 40 people in all.
    names = [(first, last) for first in FIRST for last in LAST]
    rng.shuffle(names)
    index = 0
    for team_name, _, _ in TEAMS:
        for position in range(4):
            first, last = names[index]
            index += 1
            username = f"{first}.{last}".lower().replace("é", "e").replace("á", "a")
            user = person(username, f"{first} {last}", ZONES[index % len(ZONES)], {})
            role = Membership.Role.LEAD if position == 0 else Membership.Role.MEMBER
            Membership.objects.update_or_create(
                user=user, team=teams[team_name], defaults={"role": role}
            )
    # A few people belong to two teams, as in real life.
    for username, team_name in [("dev", "Payments"), ("rita", "Customer Success")]:
        Membership.objects.get_or_create(
            user=User.objects.get(username=username), team=teams[team_name]
        )
