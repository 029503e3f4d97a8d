"""The panel prints its rows and filter selects in Python (research/panel_table.py, FlatSelect):
they must print what the template loop and Django's select templates printed."""

import re
from datetime import timedelta

import pytest
from django import forms
from django.template import Context, Template
from django.utils import timezone

from research import eligibility, services
from research.forms import FlatSelect, PanelFilterForm
from research.models import AttributeDefinition, Participant
from tests.research.conftest import make_participant

# The rows as the panel template printed them before they moved to Python.
TEMPLATE_ROWS = Template(
    """{% for p in people %}
    <tr data-testid="participant-row">
      <td><a href="{{ p.get_absolute_url }}">{{ p.name }}</a>{% if show_email %}<div class="small text-body-secondary text-truncate email-line" title="{{ p.email }}">{{ p.email }}</div>{% endif %}</td>
      <td class="text-nowrap">{% if p.account %}<a href="{{ p.account.get_absolute_url }}">{{ p.account.name }}</a>{% else %}—{% endif %}</td>
      <td>{{ p.plan|default:"—" }}</td><td>{{ p.region|default:"—" }}</td><td class="text-nowrap">{{ p.company_size|default:"—" }}</td><td>{{ p.usage_level|default:"—" }}</td>
      <td class="text-end">{{ p.contact_count }}</td>
      <td class="text-nowrap">{% if p.next_eligible_at is None %}<span class="badge text-bg-danger" title="{{ p.blocked_rules|join:', ' }}">not contactable</span>{% elif p.next_eligible_at <= now %}<span class="badge text-bg-success">eligible</span>{% else %}<span class="badge text-bg-warning" title="{{ p.blocked_rules|join:', ' }}">from {{ p.next_eligible_at|date:"j M Y" }}</span>{% endif %}</td>
    </tr>{% endfor %}"""
)


def _tight(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


@pytest.fixture
def mixed_panel(panel, world):
    """Besides the eligible panel: someone cooling down, someone never contactable, and one
    without an account or segment whose name and e-mail need escaping."""
    cooling = panel.people[0]
    at = timezone.now().replace(hour=23, minute=30, second=0, microsecond=0) - timedelta(days=2)
    services.ledger_record(participant=cooling, kind="invitation", at=at)
    withdrawn = panel.people[1]
    withdrawn.consent = Participant.Consent.WITHDRAWN
    withdrawn.opted_out = True
    withdrawn.save()
    odd = make_participant(
        999,
        account=None,
        name='Ann <b>"O\'Hara"</b> & Co',
        email="ann+o'hara@example.com",
        plan="",
        region="",
        company_size="",
        usage_level="",
    )
    eligibility.refresh_participants(ids=[cooling.pk, withdrawn.pk, odd.pk])
    return {"cooling": cooling, "withdrawn": withdrawn, "odd": odd}


@pytest.mark.parametrize("role", ["researcher", "member"])
def test_the_rows_print_what_the_template_printed(client_for, world, mixed_panel, role):
    viewer = getattr(world, role)
    viewer.time_zone = "Pacific/Auckland"  # the cooldown's end falls on another day there
    viewer.save(update_fields=["time_zone"])
    client = client_for(viewer)
    for query in ("", "?page=2", "?status=cooling", "?status=never"):
        response = client.get(f"/research/panel/{query}")
        page = response.context["page"]
        people = Participant.objects.select_related("account").filter(
            pk__in=[p["id"] for p in page]
        )
        people = sorted(people, key=lambda p: (p.name, p.pk))
        show_email = role == "researcher"
        with timezone.override(viewer.zone):
            expected = TEMPLATE_ROWS.render(
                Context({"people": people, "show_email": show_email, "now": timezone.now()})
            )
        printed = "".join(response.context["rows"])
        assert _tight(printed) == _tight(expected), query
        assert _tight(printed) in _tight(response.content.decode())


def test_the_rows_show_each_state_and_escape_what_people_typed(client_for, world, mixed_panel):
    world.researcher.time_zone = "Pacific/Auckland"
    world.researcher.save(update_fields=["time_zone"])
    html = client_for(world.researcher).get("/research/panel/").content.decode()
    odd = mixed_panel["odd"]
    assert (
        f'<a href="/research/participants/{odd.pk}/">Ann &lt;b&gt;&quot;O&#x27;Hara&quot;&lt;/b&gt; &amp; Co</a>'
        in html
    )
    assert 'title="ann+o&#x27;hara@example.com"' in html
    assert html.count('<span class="badge text-bg-success">eligible</span>') == 39
    assert 'title="consent, opt-out">not contactable</span>' in html
    cooling = Participant.objects.get(pk=mixed_panel["cooling"].pk)
    day = timezone.localtime(cooling.next_eligible_at, world.researcher.zone)
    assert f'title="invitation-cooldown">from {day.day} {day:%b %Y}</span>' in html
    big = mixed_panel["cooling"].account
    assert f'<a href="/research/accounts/{big.pk}/">Bigcorp</a>' in html
    assert "ann+o" not in client_for(world.member).get("/research/panel/").content.decode()


def test_the_filter_selects_print_what_djangos_select_prints(client_for, world, panel):
    AttributeDefinition.objects.create(
        name="product_line", label="Product line", type="choice", allowed_values=["POS", "A&B"]
    )
    AttributeDefinition.objects.create(name="beta", label="Beta", type="boolean")
    definitions = AttributeDefinition.objects.active().order_by("name")
    for data in (None, {"plan": "pro", "status": "never", "attr_beta": "no"}, {"plan": "gold"}):
        form = PanelFilterForm(data, definitions=definitions)
        if data:
            form.is_valid()
        selects = [bf for bf in form if isinstance(bf.field.widget, FlatSelect)]
        assert len(selects) == 7
        for bf in selects:
            django_select = forms.Select(attrs=bf.field.widget.attrs, choices=bf.field.choices)
            assert str(bf) == bf.as_widget(widget=django_select), (data, bf.name)
    invalid = PanelFilterForm({"plan": "gold"}, definitions=definitions)
    assert not invalid.is_valid() and 'aria-invalid="true"' in str(invalid["plan"])
