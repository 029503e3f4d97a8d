"""A believable event catalogue: eight teams, a few hundred events, and the drift real companies have."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from productops.accounts.models import Membership, Team, User
from telemetry import conventions, linting, naming, services
from telemetry.health import Health, health_snapshots_take, naming_health_by_team
from telemetry.models import (
    Alias,
    ConventionVersion,
    Event,
    EventProperty,
    NamingHealthSnapshot,
    Platform,
    Property,
    Tag,
    TeamVocabulary,
)
from telemetry.properties import properties_ensure

# (object, action) pairs each team instruments; styles say how the team tends to write names.
TEAM_EVENTS = {
    "checkout": (
        ["title", "title", "title", "snake", "present"],
        [
            ("Cart", "viewed"),
            ("Product", "added"),
            ("Product", "removed"),
            ("Checkout", "started"),
            ("Checkout Step", "viewed"),
            ("Checkout Step", "completed"),
            ("Payment Info", "entered"),
            ("Order", "completed"),
            ("Order", "updated"),
            ("Order", "refunded"),
            ("Order", "cancelled"),
            ("Coupon", "entered"),
            ("Coupon", "applied"),
            ("Coupon", "denied"),
            ("Coupon", "removed"),
            ("Shipping Method", "selected"),
            ("Gift Card", "redeemed"),
            ("Cart", "shared"),
            ("Address", "validated"),
            ("Express Checkout", "clicked"),
            ("Promo Banner", "dismissed"),
            ("Delivery Slot", "booked"),
            ("Basket", "abandoned"),
            ("Tip", "added"),
            ("Invoice", "downloaded"),
        ],
    ),
    "catalogue": (
        ["title", "title", "snake", "camel"],
        [
            ("Product", "viewed"),
            ("Product List", "viewed"),
            ("Product List", "filtered"),
            ("Product", "clicked"),
            ("Product", "shared"),
            ("Product Review", "submitted"),
            ("Product Review", "viewed"),
            ("Product Image", "zoomed"),
            ("Size Guide", "opened"),
            ("Product", "compared"),
            ("Wishlist", "viewed"),
            ("Product", "added to wishlist"),
            ("Stock Alert", "requested"),
            ("Category", "viewed"),
            ("Brand Page", "viewed"),
            ("Recommendation", "clicked"),
            ("Recommendation", "viewed"),
            ("Product Video", "played"),
            ("Variant", "selected"),
            ("Price Alert", "created"),
        ],
    ),
    "growth": (
        ["title", "present", "camel", "snake", "present"],
        [
            ("User", "signed up"),
            ("Signup Form", "viewed"),
            ("Signup", "started"),
            ("Email", "verified"),
            ("Onboarding Step", "completed"),
            ("Onboarding", "skipped"),
            ("Referral Link", "copied"),
            ("Referral", "accepted"),
            ("Invite", "sent"),
            ("Newsletter", "subscribed"),
            ("Landing Page", "viewed"),
            ("Trial", "started"),
            ("Trial", "converted"),
            ("Plan", "selected"),
            ("Pricing Page", "viewed"),
            ("Promo Code", "entered"),
            ("User", "signed in"),
            ("Password Reset", "requested"),
            ("Profile", "completed"),
            ("Survey", "answered"),
        ],
    ),
    "mobile-apps": (
        ["camel", "camel", "title", "snake"],
        [
            ("App", "opened"),
            ("App", "backgrounded"),
            ("App", "updated"),
            ("App", "installed"),
            ("Push Notification", "received"),
            ("Push Notification", "opened"),
            ("Push Permission", "granted"),
            ("Push Permission", "denied"),
            ("Deep Link", "opened"),
            ("Screen", "viewed"),
            ("Tab", "switched"),
            ("Biometric Login", "enabled"),
            ("Dark Mode", "toggled"),
            ("App Review Prompt", "shown"),
            ("App Review", "submitted"),
            ("Offline Mode", "entered"),
            ("Widget", "added"),
            ("Crash Report", "sent"),
        ],
    ),
    "search": (
        ["snake", "snake", "title", "dotted"],
        [
            ("Products", "searched"),
            ("Search Results", "viewed"),
            ("Search Result", "clicked"),
            ("Search Suggestion", "clicked"),
            ("Search Filter", "applied"),
            ("Search Filter", "cleared"),
            ("Search", "refined"),
            ("Zero Results", "shown"),
            ("Voice Search", "started"),
            ("Visual Search", "started"),
            ("Search History", "cleared"),
            ("Spelling Correction", "accepted"),
            ("Sort Order", "changed"),
            ("Search Page", "paginated"),
        ],
    ),
    "payments": (
        ["title", "title", "snake", "present"],
        [
            ("Payment", "authorized"),
            ("Payment", "captured"),
            ("Payment", "failed"),
            ("Payment", "refunded"),
            ("Payment Method", "added"),
            ("Payment Method", "removed"),
            ("Card", "tokenized"),
            ("3DS Challenge", "shown"),
            ("3DS Challenge", "completed"),
            ("Chargeback", "received"),
            ("Payout", "sent"),
            ("Wallet", "topped up"),
            ("Invoice", "paid"),
            ("Subscription", "renewed"),
            ("Subscription", "cancelled"),
            ("Credit Card", "saved"),
        ],
    ),
    "data-platform": (
        ["snake", "snake", "dotted", "title"],
        [
            ("Pipeline", "started"),
            ("Pipeline", "failed"),
            ("Pipeline", "completed"),
            ("Dashboard", "viewed"),
            ("Dashboard", "shared"),
            ("Report", "exported"),
            ("Experiment", "started"),
            ("Experiment", "viewed"),
            ("Feature Flag", "evaluated"),
            ("Consent", "updated"),
            ("Identity", "merged"),
            ("Session", "started"),
            ("Data Export", "requested"),
            ("Schema", "violated"),
        ],
    ),
    "customer-success": (
        ["title", "present", "title", "camel"],
        [
            ("Support Ticket", "created"),
            ("Support Ticket", "resolved"),
            ("Support Ticket", "reopened"),
            ("Live Chat", "started"),
            ("Live Chat", "ended"),
            ("Help Article", "viewed"),
            ("Help Article", "rated"),
            ("NPS Survey", "submitted"),
            ("Account", "upgraded"),
            ("Account", "downgraded"),
            ("Renewal Reminder", "sent"),
            ("Health Score", "changed"),
            ("Callback", "requested"),
            ("Feedback", "submitted"),
            ("Account", "deleted"),
        ],
    ),
}

# Names teams really send next to the clean ones: the same idea written four ways.
DRIFT = {
    "checkout": [
        "Add to Cart",
        "add_to_cart",
        "Order Complete",
        "checkout-started",
        "Clicked Buy Now Btn",
        "Order Completed 2019-11-01",
    ],
    "catalogue": [
        "viewProduct",
        "Product Viewed (PDP)",
        "product_list_viewed",
        "Product Added to Wishlist",
    ],
    "growth": [
        "Signup Completed",
        "Sign Up Completed",
        "user_register",
        "clickedSignupBtn",
        "Registration Complete",
    ],
    "mobile-apps": ["addToCart", "appOpen", "screen_view", "pushOpened", "mp_app_launch"],
    "search": ["search", "searchResultClick", "Search Performed", "search_query_entered_12345"],
    "payments": ["Payment Succeeded", "payment_success", "credit_cards_saved", "creditcards_saved"],
    "data-platform": ["etl.job_finished", "dashboard_view", "Experiment Viewed"],
    "customer-success": [
        "Ticket Created",
        "support ticket created",
        "Chat Start",
        "Email Updated",
        "Updated Email",
    ],
}

PRESENT = {
    "viewed": "view",
    "added": "add",
    "completed": "complete",
    "started": "start",
    "clicked": "click",
    "opened": "open",
    "submitted": "submit",
    "signed up": "sign up",
    "created": "create",
    "searched": "search",
    "sent": "send",
    "selected": "select",
}

PROPERTIES = [
    ("order_id", "string", False, "The order's id, e.g. o-48213."),
    ("revenue", "number", False, "Order value in the order currency, after discounts."),
    ("currency", "string", False, "ISO 4217 code."),
    ("product_id", "string", False, "The product's SKU."),
    ("plan_type", "string", False, "free, plus or business."),
    ("email", "string", True, "The customer's e-mail address."),
    ("search_query", "string", True, "What the person typed."),
    ("screen_name", "string", False, "The app screen."),
    ("step", "integer", False, "1-based step number."),
    ("payment_method", "string", False, "card, paypal, klarna, …"),
]

EXCEPTIONS = {
    "mp_app_launch": "Mixpanel's legacy SDK sends this name; the iOS 5.x apps still in the field cannot change it.",
    "Order Completed 2019-11-01": "Partner reconciliation report keys on this exact name until the Q3 contract renewal.",
    "search": "Bare name mandated by the search vendor's SDK; renaming breaks their relevance dashboards.",
}
RENAMES = {"checkout-started": "Checkout Started Legacy", "appOpen": "Launch Screen Viewed"}


# Where each team's events happen and what the team reads them for, so descriptions differ.
TEAM_CONTEXT = {
    "checkout": ("during checkout", "conversion from cart to paid order"),
    "catalogue": ("while a shopper browses the catalogue", "which products draw attention"),
    "growth": ("in the signup and onboarding funnel", "activation and referral rates"),
    "mobile-apps": ("in the iOS and Android apps", "app engagement and crash-free sessions"),
    "payments": ("when a payment is processed", "payment success and fraud rates"),
    "search": ("on the search results page", "whether search finds what people want"),
    "data-platform": ("by the backend pipelines", "warehouse freshness and data quality"),
    "customer-success": ("in the help centre and chat", "contact rates and self-service"),
}
DESCRIPTIONS = (
    "Sent {where} when the {object} is {action}. {team} reads it for {purpose}.",
    "Fires once each time {a_object} is {action} {where}; the {team} dashboard counts it.",
    "Tells us {a_object} was {action}. Used by {team} to follow {purpose}.",
    "One event per {object} {action} {where}. Owner: {owner}.",
    "Recorded {where}, right after the {object} is {action} (not when the page merely loads).",
    "The {object} has been {action}. Part of {team}'s funnel for {purpose}.",
)
DRIFT_DESCRIPTIONS = (
    "An older name {team} still sends {where}; kept until its dashboards move over.",
    "Added by {owner} before the convention existed; it duplicates a newer event.",
    "Instrumented {where} in a hurry during a launch; the name was never tidied up.",
)


def _describe(*, name: str, meaning, team, owner, slug: str) -> str:
    """A description that reads like a person wrote it, the same on every run for a name."""
    where, purpose = TEAM_CONTEXT.get(slug, ("in the product", "how the feature is used"))
    pick = random.Random(f"description:{name}")
    values = {"where": where, "purpose": purpose, "team": team.name, "owner": owner.name}
    if meaning is None:
        return pick.choice(DRIFT_DESCRIPTIONS).format(**values)
    obj, action = meaning
    # Lower-case ordinary words, keep acronyms and words with digits (“3DS”, “SMS”) as written.
    obj = " ".join(
        w if w.isupper() or any(c.isdigit() for c in w) else w.lower() for w in obj.split()
    )
    article = "an" if obj[:1].lower() in "aeiou" else "a"
    text = pick.choice(DESCRIPTIONS).format(
        object=obj, a_object=f"{article} {obj}", action=action, **values
    )
    return text[0].upper() + text[1:]


def _style(obj: str, action: str, style: str) -> str:
    words = obj.split() + action.split()
    if style == "present":
        words = obj.split() + PRESENT.get(action, action).split()
        return " ".join(w.capitalize() for w in words)
    if style == "snake":
        return "_".join(w.lower() for w in words)
    if style == "camel":
        return words[0].lower() + "".join(w.capitalize() for w in words[1:])
    if style == "dotted":
        return f"{obj.split()[0].lower()}.{'_'.join(w.lower() for w in words[1:] or words)}"
    return " ".join(w if w.isupper() else w.capitalize() for w in words)


@transaction.atomic
def seed(stdout=None) -> None:
    rng = random.Random(7)
    teams = {t.slug: t for t in Team.objects.filter(slug__in=TEAM_EVENTS)}
    if not teams:
        return
    admin = User.objects.filter(username="admin").first()
    authors = {}
    for slug, team in teams.items():
        membership = (
            Membership.objects.filter(team=team)
            .select_related("user")
            .order_by("-role", "pk")
            .first()
        )
        authors[slug] = membership.user if membership else admin

    # Convention history: the Segment preset, then a v2 that learnt a few company words.
    if not ConventionVersion.objects.exists() and admin:
        base = naming.PRESETS[naming.DEFAULT_PRESET]
        v1 = ConventionVersion.objects.create(
            number=1,
            preset="segment",
            rules=base.to_dict(),
            author=admin,
            note="Adopted Segment's Object Action in Title Case, as agreed at the analytics guild.",
            created_at=timezone.now() - datetime.timedelta(days=60),
        )
        richer = base.with_team_words(
            actions={"tokenize": "tokenized", "toggle": "toggled"}, objects=["challenge"]
        )
        ConventionVersion.objects.create(
            number=2,
            preset="segment",
            rules=richer.to_dict(),
            author=admin,
            note="Added payment words teams asked for (tokenized, toggled).",
            created_at=v1.created_at + datetime.timedelta(days=25),
        )
    if "payments" in teams:
        TeamVocabulary.objects.get_or_create(
            team=teams["payments"],
            defaults={
                "actions": {"capture": "captured", "authorize": "authorized"},
                "object_words": ["payout", "chargeback", "wallet"],
            },
        )
    current = conventions.current_convention()

    platforms = {
        p.code: p
        for p in services._labels(Platform, "code", ["web", "ios", "android", "server", "email"])
    }
    tags = {
        t.name: t
        for t in services._labels(
            Tag,
            "name",
            ["funnel", "revenue", "onboarding", "engagement", "retention", "ops", "experiment"],
        )
    }
    existing = set(Event.objects.values_list("name", flat=True)) | set(
        Alias.objects.values_list("old_name", flat=True)
    )
    fresh = []
    for slug, (styles, pairs) in TEAM_EVENTS.items():
        team = teams.get(slug)
        if team is None:
            continue
        convention = conventions.team_convention(current.convention, team)
        rules = linting.team_rules(team.pk)
        # Each name's style depends only on the name, so a second run finds the same names.
        names = [_style(o, a, random.Random(f"{slug}:{o}:{a}").choice(styles)) for o, a in pairs]
        meanings = dict(zip(names, pairs, strict=True))
        # Teams re-instrument what a neighbour already tracks, in their own style: near-duplicates.
        for other, (_, other_pairs) in sorted(TEAM_EVENTS.items()):
            if other != slug:
                o, a = other_pairs[len(slug) % len(other_pairs)]
                names.append(
                    _style(
                        o, a, random.Random(f"{slug}:{other}").choice(["snake", "camel", "present"])
                    )
                )
                meanings[names[-1]] = (o, a)
        names += DRIFT.get(slug, [])
        for name in names:
            if name in existing:
                continue
            existing.add(name)
            event = Event(
                team=team,
                name=name,
                normalised_name=naming.normalise(name)[:400],
                description=_describe(
                    name=name,
                    meaning=meanings.get(name),
                    team=team,
                    owner=authors[slug],
                    slug=slug,
                ),
                status=rng.choices(["active", "planned", "deprecated"], [8, 1, 1])[0],
                created_by=authors[slug],
                created_at=timezone.now() - datetime.timedelta(days=rng.randint(5, 400)),
            )
            linting.apply_lint(event, convention, current.version, rules=rules)
            fresh.append(event)
    Event.objects.bulk_create(fresh)
    if fresh:
        created = list(Event.objects.filter(name__in=[e.name for e in fresh]))
        team_ids = list(teams.values())
        Event.platforms.through.objects.bulk_create(
            [
                Event.platforms.through(event=e, platform=p)
                for e in created
                for p in rng.sample(list(platforms.values()), rng.randint(1, 3))
            ],
            ignore_conflicts=True,
        )
        Event.tags.through.objects.bulk_create(
            [
                Event.tags.through(event=e, tag=t)
                for e in created
                for t in rng.sample(list(tags.values()), rng.randint(0, 2))
            ],
            ignore_conflicts=True,
        )
        Event.used_by.through.objects.bulk_create(
            [
                Event.used_by.through(event=e, team=t)
                for e in created
                if rng.random() < 0.25
                for t in rng.sample(team_ids, 2)
                if t.pk != e.team_id
            ],
            ignore_conflicts=True,
        )
        props = properties_ensure(
            [{"name": n, "type": t, "pii": pii, "description": d} for n, t, pii, d in PROPERTIES],
            team=None,
        )
        EventProperty.objects.bulk_create(
            [
                EventProperty(event=e, property=p, required=rng.random() < 0.4)
                for e in created
                for p in rng.sample(list(props.values()), rng.randint(1, 4))
            ],
            ignore_conflicts=True,
        )
        # A few deliberate choices and renames, through the real workflows so they are audited.
        for name, reason in EXCEPTIONS.items():
            event = Event.objects.filter(name=name).select_related("team").first()
            if event:
                services.event_set_exception(
                    event=event, by=authors[event.team.slug], reason=reason
                )
        for old, new in RENAMES.items():
            event = Event.objects.filter(name=old).select_related("team").first()
            if event and not Event.objects.filter(name=new).exists():
                services.event_rename(event=event, new_name=new, by=authors[event.team.slug])

    # Sixty days of trend: most teams slowly tidy up, as the ratchet intends.
    today = timezone.now().date()
    health = naming_health_by_team()
    versions = list(ConventionVersion.objects.order_by("number"))
    snapshots = []
    for team in teams.values():
        h = health.get(team.pk, Health())
        start_share = max(0.0, h.share - rng.uniform(0.05, 0.25))
        for days_ago in range(60, 0, -1):
            progress = (60 - days_ago) / 60
            total = max(0, h.total - round(days_ago / 12))
            share = start_share + (h.share - start_share) * progress + rng.uniform(-0.02, 0.02)
            day = today - datetime.timedelta(days=days_ago)
            # The version in force that day, so the trend marks when v2 arrived.
            in_force = [v for v in versions if v.created_at.date() <= day]
            snapshots.append(
                NamingHealthSnapshot(
                    team=team,
                    day=day,
                    convention=in_force[-1] if in_force else None,
                    total=total,
                    conforming=max(0, min(total, round(total * share))),
                    exceptions=h.exceptions,
                )
            )
    NamingHealthSnapshot.objects.bulk_create(snapshots, ignore_conflicts=True)
    health_snapshots_take()
    from telemetry.demo_traffic import seed_traffic

    seed_traffic()
    if stdout:
        stdout.write(
            f"Telemetry: {Event.objects.count()} events, {Property.objects.count()} properties."
        )
