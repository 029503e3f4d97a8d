"""Slot maths (research/slots.py): the researcher's wall clock, UTC instants, every viewer's zone."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from research import slots

BERLIN_MORNINGS = slots.Availability(
    time_zone="Europe/Berlin",
    windows=tuple(slots.Window(d, time(9), time(12)) for d in range(5)),
    min_notice=timedelta(0),
    step_minutes=60,
)
HOUR = timedelta(hours=1)


def _week(avail, monday: date, busy=()):
    start = datetime.combine(monday, time(0), tzinfo=UTC) - timedelta(days=1)
    return slots.open_slots(
        avail, length=HOUR, busy=list(busy), now=start, start=start, end=start + timedelta(days=9)
    )


def _local(slot_list, zone):
    return [s.start.astimezone(ZoneInfo(zone)).strftime("%a %H:%M") for s in slot_list]


def test_it_keeps_the_researchers_09_00_across_the_eu_spring_change():
    # 2026-03-29 (Sunday) Berlin moves to CEST: Friday 09:00 is 08:00 UTC, the Monday after 07:00 UTC.
    found = _week(BERLIN_MORNINGS, date(2026, 3, 23)) + _week(BERLIN_MORNINGS, date(2026, 3, 30))
    fri = [s for s in found if s.start.date() == date(2026, 3, 27)]
    mon = [s for s in found if s.start.date() == date(2026, 3, 30)]
    assert fri[0].start == datetime(2026, 3, 27, 8, 0, tzinfo=UTC)
    assert mon[0].start == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    assert set(_local(found, "Europe/Berlin")) <= {
        f"{d} {h}" for d in ("Mon", "Tue", "Wed", "Thu", "Fri") for h in ("09:00", "10:00", "11:00")
    }


def test_viewers_see_the_right_local_times_in_the_week_the_us_changes_first():
    # 2026-03-08 the US springs forward, Europe only on 03-29: New York is 5 h behind Berlin
    # on Friday 03-06 and 4 h behind on Monday 03-09. São Paulo (no DST, UTC-3) and
    # Kolkata (UTC+5:30) only follow Berlin's own change.
    found = _week(BERLIN_MORNINGS, date(2026, 3, 2)) + _week(BERLIN_MORNINGS, date(2026, 3, 9))
    by_day = {}
    for s in found:
        by_day.setdefault(s.start.date(), s)
    fri, mon = by_day[date(2026, 3, 6)], by_day[date(2026, 3, 9)]
    assert fri.start.astimezone(ZoneInfo("America/New_York")).strftime("%H:%M") == "03:00"
    assert mon.start.astimezone(ZoneInfo("America/New_York")).strftime("%H:%M") == "04:00"
    assert fri.start.astimezone(ZoneInfo("America/Sao_Paulo")).strftime("%H:%M") == "05:00"
    assert fri.start.astimezone(ZoneInfo("Asia/Kolkata")).strftime("%H:%M") == "13:30"
    # Auckland is in its summer (NZDT, UTC+13): Friday 08:00 UTC is 21:00 the same day.
    assert fri.start.astimezone(ZoneInfo("Pacific/Auckland")).strftime("%a %H:%M") == "Fri 21:00"


def test_viewers_see_the_right_local_times_across_the_autumn_changes():
    # Europe falls back 2026-10-25, the US 2026-11-01, Auckland springs forward 2026-09-27.
    weeks = [date(2026, 10, 19), date(2026, 10, 26), date(2026, 11, 2)]
    found = [s for w in weeks for s in _week(BERLIN_MORNINGS, w)]
    first = {}
    for s in found:
        first.setdefault(s.start.date(), s)
    ny = {
        d: s.start.astimezone(ZoneInfo("America/New_York")).strftime("%H:%M")
        for d, s in first.items()
    }
    assert ny[date(2026, 10, 23)] == "03:00"  # both on summer time: 6 h apart
    assert ny[date(2026, 10, 26)] == "04:00"  # Europe back on CET, US still EDT: 5 h
    assert ny[date(2026, 11, 2)] == "03:00"  # both on winter time: 6 h
    kolkata = {
        d: s.start.astimezone(ZoneInfo("Asia/Kolkata")).strftime("%H:%M") for d, s in first.items()
    }
    assert kolkata[date(2026, 10, 23)] == "12:30"
    assert kolkata[date(2026, 10, 26)] == "13:30"
    auckland = first[date(2026, 10, 26)].start.astimezone(ZoneInfo("Pacific/Auckland"))
    assert auckland.strftime("%a %H:%M") == "Mon 21:00"  # NZDT (UTC+13), CET (UTC+1)
    sao = first[date(2026, 10, 26)].start.astimezone(ZoneInfo("America/Sao_Paulo"))
    assert sao.strftime("%H:%M") == "05:00"


def test_a_viewer_far_east_sees_the_slot_on_their_next_day():
    found = _week(
        slots.Availability(
            time_zone="America/New_York",
            windows=(slots.Window(0, time(17), time(18)),),
            min_notice=timedelta(0),
        ),
        date(2026, 6, 1),
    )
    days = slots.group_by_local_day(found, "Pacific/Auckland")
    assert days[0][0] == date(2026, 6, 2)
    assert days[0][1][0].strftime("%H:%M") == "09:00"


def test_bookings_and_buffers_block_overlapping_slots_partial_overlaps_included():
    avail = slots.Availability(
        time_zone="UTC",
        windows=(slots.Window(0, time(9), time(13)),),
        buffer_after=timedelta(minutes=15),
        min_notice=timedelta(0),
        step_minutes=30,
    )
    busy = [(datetime(2026, 6, 1, 10, 30, tzinfo=UTC), datetime(2026, 6, 1, 11, 0, tzinfo=UTC))]
    found = [
        s.start.strftime("%H:%M")
        for s in _week(avail, date(2026, 6, 1), busy)
        if s.start.date() == date(2026, 6, 1)
    ]
    # 09:30–10:30 would end on the booking's start but leave no 15-minute buffer before it;
    # 11:00 starts inside the booking's 15-minute buffer after.
    assert found == ["09:00", "11:30", "12:00"]


def test_minimum_notice_blackouts_and_daily_and_weekly_maxima():
    monday = date(2026, 6, 1)
    now = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)
    avail = slots.Availability(
        time_zone="UTC",
        windows=tuple(slots.Window(d, time(9), time(12)) for d in range(5)),
        min_notice=timedelta(hours=2),
        blackout=frozenset({date(2026, 6, 3)}),
        max_per_day=1,
        step_minutes=60,
    )
    busy = [(datetime(2026, 6, 2, 9, tzinfo=UTC), datetime(2026, 6, 2, 10, tzinfo=UTC))]
    found = slots.open_slots(
        avail, length=HOUR, busy=busy, now=now, start=now, end=now + timedelta(days=7)
    )
    days = sorted({s.start.date() for s in found})
    # Monday: 09:30 + 2 h notice leaves no slot before noon; Tuesday full (max 1/day);
    # Wednesday blacked out; Thursday, Friday and the next Monday open.
    assert [s.start.strftime("%a %H:%M") for s in found if s.start.date() == monday] == []
    assert days == [date(2026, 6, 4), date(2026, 6, 5), date(2026, 6, 8)]
    # With at most one session a week, Tuesday's booking fills the week; the next one is open.
    weekly = slots.Availability(
        **{**{f: getattr(avail, f) for f in avail.__slots__}, "max_per_week": 1}
    )
    found = slots.open_slots(
        weekly, length=HOUR, busy=busy, now=now, start=now, end=now + timedelta(days=7)
    )
    assert sorted({s.start.date() for s in found}) == [date(2026, 6, 8)]


def test_one_off_slots_are_offered_on_their_date_only():
    avail = slots.Availability(
        time_zone="Europe/Berlin",
        one_offs=(slots.OneOff(date(2026, 6, 6), time(14), time(15)),),
        min_notice=timedelta(0),
    )
    found = _week(avail, date(2026, 6, 1))
    assert [s.start for s in found] == [datetime(2026, 6, 6, 12, 0, tzinfo=UTC)]


def test_the_ics_of_a_session_in_the_week_of_the_eu_change_opens_at_the_right_instant():
    import uuid
    from types import SimpleNamespace

    import icalendar

    from research import calendar_ics

    # Berlin 09:00 on the Monday after the 2027 EU change (28 March) is 07:00 UTC, which is
    # 03:00 in New York (already on EDT since 14 March), 04:00 in São Paulo, 12:30 in Kolkata
    # and 20:00 in Auckland (still NZDT until 4 April).
    avail = slots.Availability(
        time_zone="Europe/Berlin",
        one_offs=(slots.OneOff(date(2027, 3, 29), time(9), time(12)),),
        min_notice=timedelta(0),
    )
    found = _week(avail, date(2027, 3, 29))
    start = found[0].start
    assert start == datetime(2027, 3, 29, 7, 0, tzinfo=UTC)
    person = SimpleNamespace(email="p@example.com", name="P")
    researcher = SimpleNamespace(
        email="rita@example.com", get_full_name=lambda: "Rita", username="rita"
    )
    booking = SimpleNamespace(
        uid=uuid.uuid4(),
        sequence=2,
        starts_at=start,
        ends_at=start + HOUR,
        request=SimpleNamespace(title="Study", goal="Why"),
        researcher=researcher,
        participant=person,
    )
    event = icalendar.Calendar.from_ical(calendar_ics.booking_ics(booking)).walk("VEVENT")[0]
    opened = event.decoded("dtstart")
    assert opened == start and opened.utcoffset() == timedelta(0)
    assert event["sequence"] == 2
    local = {
        zone: opened.astimezone(ZoneInfo(zone)).strftime("%H:%M")
        for zone in ("America/New_York", "America/Sao_Paulo", "Asia/Kolkata", "Pacific/Auckland")
    }
    assert local == {
        "America/New_York": "03:00",
        "America/Sao_Paulo": "04:00",
        "Asia/Kolkata": "12:30",
        "Pacific/Auckland": "20:00",
    }
