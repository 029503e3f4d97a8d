"""200 booking attempts across 20 slots through HTTP, 25 at a time: exactly 20 bookings.

    DATABASE_URL=postgres://... REDIS_URL=redis://... \\
        .venv/bin/python -m pytest -q -s -p no:cacheprovider benchmarks/research_booking_http.py

Runs under pytest for its live server (Django's threaded test server on a throwaway PostgreSQL
test database). 200 invited participants each open their personal link, pick one of the 20
earliest slots (ten people per slot) and confirm; the client pool keeps 25 requests in flight
(the shared PostgreSQL has ~100 connections, one per server thread). Prints the number of
bookings, the answers and the median and p95 response times of the booking POSTs.
"""

import re
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from types import SimpleNamespace

import pytest
import requests

ATTEMPTS, SLOTS, IN_FLIGHT = 200, 20, 25

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _token(html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_two_hundred_attempts_on_twenty_slots_give_twenty_bookings(live_server):
    from django.core import mail

    from research import availability, invitations
    from research.models import Booking
    from tests.factories import MembershipFactory, TeamFactory, UserFactory
    from tests.research.scheduling_world import scheduling_world

    team = TeamFactory(name="Growth", slug="growth")
    rita = UserFactory(username="researcher", display_name="Rita", is_researcher=True)
    MembershipFactory(user=rita, team=team)
    w = scheduling_world(SimpleNamespace(team=team, researcher=rita), selected=ATTEMPTS, standby=0)
    sent = invitations.invitations_send(request=w.request, by=rita).sent
    assert len(sent) == ATTEMPTS
    links = [
        re.search(r"http://[^/\s]+(/research/book/\S+/)", m.body).group(1) for m in mail.outbox
    ]
    # Twenty slots that do not overlap each other (with the 15-minute buffer), so all can be booked.
    slots, free_from = [], None
    for slot in availability.request_slots(request=w.request):
        if free_from is None or slot.start >= free_from:
            slots.append(slot.start.isoformat())
            free_from = slot.end + timedelta(minutes=15)
        if len(slots) == SLOTS:
            break
    timings, answers = [], []

    def attempt(n):
        s = requests.Session()
        url = live_server.url + links[n]
        page = s.get(url, params={"tz": "UTC"})
        t0 = time.perf_counter()
        r = s.post(
            url,
            data={"csrfmiddlewaretoken": _token(page.text), "slot": slots[n % SLOTS], "tz": "UTC"},
            headers={"Referer": url},
            allow_redirects=False,
        )
        timings.append(time.perf_counter() - t0)
        if r.status_code != 302:
            answers.append(r.status_code)
            return
        confirm = s.get(live_server.url + r.headers["Location"])
        t0 = time.perf_counter()
        r = s.post(
            live_server.url + r.headers["Location"],
            data={"csrfmiddlewaretoken": _token(confirm.text)},
            headers={"Referer": url},
            allow_redirects=False,
        )
        timings.append(time.perf_counter() - t0)
        answers.append("booked" if r.status_code == 302 else r.status_code)

    started = time.perf_counter()
    with ThreadPoolExecutor(IN_FLIGHT) as pool:
        list(pool.map(attempt, range(ATTEMPTS)))
    wall = time.perf_counter() - started
    booked = Booking.objects.filter(status="confirmed").count()
    timings.sort()
    print(
        f"\n{ATTEMPTS} attempts on {SLOTS} slots ({IN_FLIGHT} in flight): {booked} bookings, "
        f"answers {dict((a, answers.count(a)) for a in set(answers))}, booking POST median "
        f"{statistics.median(timings) * 1000:.0f} ms, p95 "
        f"{timings[int(len(timings) * 0.95)] * 1000:.0f} ms, wall {wall:.1f} s"
    )
    assert booked == SLOTS
    assert answers.count("booked") == SLOTS
    assert set(answers) <= {"booked", 409}
