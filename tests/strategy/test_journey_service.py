import pytest

from strategy import feedback, records, services
from tests.strategy.conftest import confirm, reveal

pytestmark = pytest.mark.django_db


def test_the_whole_loop_through_the_services(world, open_strategy):
    s = open_strategy
    confirm(s, world.member)
    p = feedback.point_create(
        strategy=s,
        by=world.member,
        type="pushback",
        body="Wallets are not enough",
        rationale="Card entry is 10% of drop-off",
        section_key="guiding-policy",
    )
    reveal(s)
    assert s.phase == "reveal"
    feedback.vote_cast(point=p, by=world.teammate)
    services.disposition_set(
        point=p,
        by=world.leader,
        status="adapted",
        reason="Added card scanning to the guiding policy.",
        section_key="guiding-policy",
    )
    s.guiding_policy += "\n\nAlso card scanning."
    s.save()
    v2 = services.version_publish(strategy=s, by=world.leader, change_summary="Card scanning")
    assert v2.number == 2
    rows = records.versions_diff(s.versions.get(number=1), v2)
    assert [r.status for r in rows if r.key == "guiding-policy"] == ["changed"]
    services.strategy_transition(strategy=s, by=world.leader, target="final")
    ysw = records.you_said_we_did(s)
    assert ysw[0]["diff"] == (1, 2)
