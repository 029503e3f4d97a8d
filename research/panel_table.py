"""The panel list's table rows, printed in Python.

The panel is the most requested research page and shows 50 people a page. As a template loop
each row cost a dozen variable lookups, escapes and filters plus two reverse() calls, which
made the rows most of the page's CPU. Here a row is one f-string of escaped values; the tests
hold the rows to what the template printed (links, e-mail only for those who may see it, the
eligibility badge).
"""

from html import escape

from django.utils import formats, timezone
from django.utils.safestring import mark_safe

from productops.reversing import url_with_id


def panel_rows(people, *, now, show_email: bool) -> list[str]:
    """`people`: dicts of ParticipantQuerySet.panel_columns(), in page order. Every value from
    the database goes through `escape` (what Django's autoescape calls) before it is printed."""
    person_url = url_with_id("research:participant_detail")
    account_url = url_with_id("research:account_detail")
    rows = []
    days = {}  # many people's cooldowns end on the same day; formatting one costs more than a row
    for p in people:
        eligible_at = p["next_eligible_at"]
        if eligible_at is None:
            blocked = escape(", ".join(p["blocked_rules"]))
            state = f'<span class="badge text-bg-danger" title="{blocked}">not contactable</span>'
        elif eligible_at <= now:
            state = '<span class="badge text-bg-success">eligible</span>'
        else:
            blocked = escape(", ".join(p["blocked_rules"]))
            # What the template's |date filter printed: the day in the viewer's own zone.
            local_day = timezone.localtime(eligible_at).date()
            if local_day not in days:
                days[local_day] = formats.date_format(local_day, "j M Y")
            day = days[local_day]
            state = (
                f'<span class="badge text-bg-warning" title="{blocked}">from {escape(day)}</span>'
            )
        email = ""
        if show_email:
            address = escape(p["email"])
            email = f'<div class="small text-body-secondary text-truncate email-line" title="{address}">{address}</div>'
        account = "—"
        if p["account_id"] is not None:
            url = account_url(p["account_id"])
            account = f'<a href="{url}">{escape(p["account__name"])}</a>'
        url = person_url(p["id"])
        rows.append(
            mark_safe(  # noqa: S308 - every value above is escaped
                f'<tr data-testid="participant-row"><td><a href="{url}">{escape(p["name"])}</a>{email}</td>'
                f'<td class="text-nowrap">{account}</td>'
                f"<td>{escape(p['plan'] or '—')}</td><td>{escape(p['region'] or '—')}</td>"
                f'<td class="text-nowrap">{escape(p["company_size"] or "—")}</td>'
                f"<td>{escape(p['usage_level'] or '—')}</td>"
                f'<td class="text-end">{p["contact_count"]}</td>'
                f'<td class="text-nowrap">{state}</td></tr>'
            )
        )
    return rows
