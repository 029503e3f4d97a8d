"""Large strategies for the query-count test and the benchmark."""

import random
from datetime import timedelta

from django.utils import timezone

from productops.accounts.models import Membership, User
from strategy import notifications, services
from strategy.models import Participation, Point, ReadConfirmation, Strategy


def big_strategy(*, owner, teams, sections=40, items=2000, people=30, seed=1) -> Strategy:
    rng = random.Random(seed)
    body = "\n\n".join(
        f"## Topic {n}\n\n" + ("This section explains part of the plan in plain words. " * 12)
        for n in range(sections - 5)
    )
    strategy = services.strategy_create(
        by=owner,
        title=f"Big strategy {seed}",
        audience_teams=teams,
        diagnosis="D",
        guiding_policy="G",
        bets="B",
        options="O",
        assumptions="A",
        body=body,
    )
    services.version_publish(
        strategy=strategy,
        by=owner,
        change_summary="v1",
        closes_at=timezone.now() + timedelta(days=2),
    )
    version = strategy.versions.get()
    keys = list(version.sections.values_list("key", flat=True))
    users, team_of = [], {}
    for n in range(people):
        user, _ = User.objects.get_or_create(
            username=f"bulk-{seed}-{n}", defaults={"display_name": f"Bulk Person {n}"}
        )
        Membership.objects.get_or_create(user=user, team=teams[n % len(teams)])
        users.append(user)
        team_of[user.pk] = teams[n % len(teams)]
    ReadConfirmation.objects.bulk_create(
        [
            ReadConfirmation(strategy=strategy, version=version, user=u, summary="Wallets first")
            for u in users
        ]
    )
    Participation.objects.bulk_create([Participation(strategy=strategy, user=u) for u in users])
    types = [t for t in Point.Type.values]
    now = timezone.now()
    points = []
    for i in range(items):
        author = users[i % people]
        kind = rng.choice(types)
        anonymous = i % 7 == 0
        points.append(
            Point(
                strategy=strategy,
                version=version,
                section_key=rng.choice(keys),
                type=kind,
                body=f"Point {i}: " + "words " * rng.randint(5, 40),
                rationale="Because of evidence."
                if kind in ("pushback", "concern", "alternative") or i % 2
                else "",
                cost="A quarter" if kind == "alternative" else "",
                author=None if anonymous else author,
                team=team_of[author.pk] if (anonymous or kind == "alternative") else None,
                on_behalf_of_team=kind == "alternative",
                is_anonymous=anonymous,
                created_at=now,
            )
        )
    Point.objects.bulk_create(points, batch_size=500)
    return strategy


def close_window(strategy: Strategy) -> None:
    Strategy.objects.filter(pk=strategy.pk).update(
        feedback_opens_at=timezone.now() - timedelta(days=3),
        feedback_closes_at=timezone.now() - timedelta(seconds=1),
    )
    notifications.windows_close_due()
    strategy.refresh_from_db()
