"""The participant page prints its ledger from flat rows: what people see must not change."""

import re

from research import services, suppression
from research.models import LedgerEntry, Suppression


def _same(html: str) -> str:
    """Whitespace-insensitive: runs of spaces become one, and none is kept next to a tag edge."""
    return re.sub(r"\s*([<>])\s*", r"\1", re.sub(r"\s+", " ", html)).strip()


def test_the_page_shows_the_ledger_overrides_and_suppressions(
    client_for, world, panel, research_request
):
    person = panel.people[4]
    services.ledger_record(
        participant=person,
        kind=LedgerEntry.Kind.INVITATION,
        method=LedgerEntry.Method.INTERVIEW,
        team=world.team,
        request=research_request,
        note="First ask",
    )
    services.ledger_record(participant=person, kind=LedgerEntry.Kind.OTHER, method="cs_call")
    services.override_grant(
        participant=person,
        rule="invitation-cooldown",
        reason="Follow-up on her payment bug report",
        by=world.researcher,
        request=research_request,
    )
    suppression.participant_opt_out(
        participant=person,
        by=world.admin,
        reason="Replied STOP to the invitation",
        source=Suppression.Source.PAGE,
    )
    html = client_for(world.member).get(person.get_absolute_url()).content.decode()
    ledger = _same(html[html.index('data-testid="ledger"') : html.index("</table>")])
    assert "<td>Other touch · Customer-success call</td><td>—</td><td>—</td>" in ledger
    assert (
        f'<td>Invitation · Interview<div class="small text-body-secondary">First ask</div></td>'
        f"<td>{world.team.name}</td><td>{research_request.title}</td>" in ledger
    )
    assert (
        f'for <a href="{research_request.get_absolute_url()}">{research_request.title}</a>, '
        f"by {world.researcher.name}," in html
    )
    assert f"by {world.admin.name}," in html and "Replied STOP to the invitation" in html


def test_the_page_uses_a_constant_number_of_queries(
    client_for, world, panel, research_request, django_assert_max_num_queries
):
    person = panel.people[5]
    for _ in range(3):
        services.ledger_record(participant=person, kind=LedgerEntry.Kind.OTHER, team=world.team)
    client = client_for(world.researcher)
    client.get(person.get_absolute_url())
    # Session, user, participant, which histories exist, rules, the eligibility check, unread
    # notifications, the ledger, the override form's requests.
    with django_assert_max_num_queries(9):
        html = client.get(person.get_absolute_url()).content.decode()
    assert html.count("<td>Other touch") == 3


def test_a_person_never_touched_costs_no_history_queries(
    client_for, world, panel, django_assert_max_num_queries
):
    person = panel.people[6]
    client = client_for(world.member)
    client.get(person.get_absolute_url())
    # Session, user, participant, which histories exist, rules, eligibility, notifications.
    with django_assert_max_num_queries(7):
        html = client.get(person.get_absolute_url()).content.decode()
    assert "Never contacted through the portal." in html
    assert 'data-testid="suppressions"' not in html and '<h2 class="h6">Overrides' not in html
