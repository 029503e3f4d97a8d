import datetime
import json
import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from productops.accounts.services import token_create
from telemetry.models import ObservedDay, ObservedName, ObservedProperty, SeenMessage, Source

URL = "/api/v1/telemetry/observed/"


def _event(name="Order Completed", source="analytics.js", **extra):
    item = {
        "type": "track",
        "event": name,
        "properties": {"order_id": "o-1", "total": 12.5, "items": 3},
        "context": {"library": {"name": source, "version": "4.1"}},
        "timestamp": "2026-03-01T12:00:00Z",
    }
    item.update(extra)
    return item


@pytest.fixture
def sender(world):
    _, raw = token_create(user=world.member, name="pipeline")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")

    def send(batch, **extra):
        body = batch if isinstance(batch, (bytes, str)) else json.dumps(batch)
        return client.post(URL, body, content_type="application/json", **extra)

    return send


def _counts():
    return {
        (d.observed.name, d.source.key, d.day.isoformat()): d.count
        for d in ObservedDay.objects.select_related("observed", "source")
    }


def test_it_counts_per_name_source_and_day_without_keeping_payloads(sender):
    batch = [
        _event(),
        _event(timestamp="2026-03-01T18:30:00Z"),
        _event(timestamp="2026-03-02T00:10:00+00:00"),
        _event(source="analytics-ios"),
        _event(name="Cart Viewed", properties={"cart_id": 7}),
        {"type": "identify", "userId": "u1", "traits": {"email": "x@example.com"}},
    ]
    response = sender({"batch": batch})
    assert response.status_code == 200, response.content
    assert response.json()["counted"] == 5
    assert response.json()["skipped"] == 1
    assert _counts() == {
        ("Order Completed", "analytics.js", "2026-03-01"): 2,
        ("Order Completed", "analytics.js", "2026-03-02"): 1,
        ("Order Completed", "analytics-ios", "2026-03-01"): 1,
        ("Cart Viewed", "analytics.js", "2026-03-01"): 1,
    }
    day = ObservedDay.objects.get(
        observed__name="Order Completed", day="2026-03-01", source__key="analytics.js"
    )
    assert day.first_seen.hour == 12 and day.last_seen.hour == 18
    types = set(
        ObservedProperty.objects.filter(observed__name="Order Completed").values_list("key", "type")
    )
    assert types == {("order_id", "string"), ("total", "number"), ("items", "integer")}
    # The values themselves ("o-1", 12.5) are nowhere in the database.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM telemetry_observedproperty WHERE key = 'o-1' OR type = 'o-1'"
        )
        assert cursor.fetchone()[0] == 0
    assert dict(Source.objects.values_list("key", "platform")) == {
        "analytics.js": "web",
        "analytics-ios": "ios",
    }


def test_a_second_batch_adds_to_the_same_rows(sender):
    sender({"batch": [_event()] * 3})
    sender({"batch": [_event()] * 4})
    assert _counts() == {("Order Completed", "analytics.js", "2026-03-01"): 7}
    assert ObservedProperty.objects.get(key="total").count == 7


def test_a_message_id_is_counted_once_within_24_hours(sender):
    first = sender({"batch": [_event(messageId="m1"), _event(messageId="m1"), _event()]})
    assert first.json()["counted"] == 2 and first.json()["repeats"] == 1
    again = sender({"batch": [_event(messageId="m1"), _event(messageId="m2")]})
    assert again.json()["counted"] == 1 and again.json()["repeats"] == 1
    assert _counts() == {("Order Completed", "analytics.js", "2026-03-01"): 3}


def test_a_message_id_older_than_24_hours_counts_again(sender):
    from django.utils import timezone

    sender({"batch": [_event(messageId="m1")]})
    SeenMessage.objects.update(seen_at=timezone.now() - datetime.timedelta(hours=25))
    response = sender({"batch": [_event(messageId="m1")]})
    assert response.json()["counted"] == 1
    assert _counts() == {("Order Completed", "analytics.js", "2026-03-01"): 2}


def test_the_sweep_forgets_old_message_ids(sender):
    from django.utils import timezone

    from telemetry.observed import message_digest, seen_messages_sweep

    sender({"batch": [_event(messageId="old"), _event(messageId="new")]})
    SeenMessage.objects.filter(digest=message_digest("old")).update(
        seen_at=timezone.now() - datetime.timedelta(hours=30)
    )
    assert seen_messages_sweep() == 1
    assert list(SeenMessage.objects.values_list("digest", flat=True)) == [message_digest("new")]


def test_a_name_breaking_the_convention_is_counted_and_linted_not_refused(sender):
    response = sender({"batch": [_event(name="clickedSignupBtn")]})
    assert response.status_code == 200
    assert response.json()["new_names"] == ["clickedSignupBtn"]
    observed = ObservedName.objects.get(name="clickedSignupBtn")
    assert observed.lint_ok is False
    assert observed.lint_suggestion and observed.lint_violations
    assert ObservedDay.objects.get(observed=observed).count == 1


def test_the_source_may_be_given_plainly_or_for_the_whole_batch(sender):
    response = sender(
        {
            "batch": [
                {"event": "Order Completed", "source": "checkout-server"},
                {"event": "Order Completed"},
            ],
            "context": {"library": {"name": "analytics-node"}},
        }
    )
    assert response.status_code == 200, response.content
    assert set(Source.objects.values_list("key", "platform")) == {
        ("checkout-server", "server"),
        ("analytics-node", "server"),
    }


BAD = [
    (b"\xff\xfe\x00garbage\x80", "body"),
    (b"{not json", "body"),
    (json.dumps([_event()]), "batch"),
    (json.dumps({"batch": {}}), "batch"),
    (json.dumps({"batch": []}), "batch"),
    (json.dumps({"batch": [_event(), "x"]}), "batch[1]"),
    (json.dumps({"batch": [_event(), _event(name="x" * 5000)]}), "batch[1].event"),
    (json.dumps({"batch": [_event(), _event(name="")]}), "batch[1].event"),
    (json.dumps({"batch": [_event(), {"event": "Order Completed"}]}), "batch[1].source"),
    (json.dumps({"batch": [_event(), _event(timestamp="yesterday")]}), "batch[1].timestamp"),
    (json.dumps({"batch": [_event(), _event(properties=[1, 2])]}), "batch[1].properties"),
    (json.dumps({"batch": [_event(), _event(messageId=12)]}), "batch[1].messageId"),
    (json.dumps({"batch": [_event()] * 10_001}), "batch"),
]


@pytest.mark.parametrize("body,field", BAD)
def test_bad_batches_are_refused_whole_naming_the_field(sender, body, field):
    response = sender(body)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert ObservedDay.objects.count() == 0
    assert ObservedName.objects.count() == 0
    assert SeenMessage.objects.count() == 0


def test_ten_thousand_events_are_accepted(sender):
    response = sender({"batch": [_event(messageId=f"m{i}") for i in range(10_000)]})
    assert response.status_code == 200
    assert _counts() == {("Order Completed", "analytics.js", "2026-03-01"): 10_000}


def test_a_body_over_the_limit_is_refused(sender, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    body = json.dumps({"batch": [_event(description="x" * 1100)] * 1000})
    response = sender(body)
    assert response.status_code == 413
    # The API's own guard answers before the view reads a byte, naming the limit.
    assert "larger than the limit" in response.json()["detail"]
    assert ObservedDay.objects.count() == 0


def test_ten_megabytes_are_refused(sender):
    body = json.dumps({"batch": [_event(description="x" * 1100)] * 9500})
    assert len(body) > 10_000_000
    response = sender(body)
    assert response.status_code == 413
    assert ObservedDay.objects.count() == 0


def test_a_failure_after_the_message_ids_leaves_nothing_behind(sender, monkeypatch):
    from telemetry import observed

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(observed, "_ensure_sources", broken)
    with pytest.raises(RuntimeError):
        sender({"batch": [_event(messageId="m1")]})
    assert SeenMessage.objects.count() == 0
    assert ObservedName.objects.count() == 0
    monkeypatch.undo()
    assert sender({"batch": [_event(messageId="m1")]}).json()["counted"] == 1


@pytest.mark.parametrize("header", [None, "Bearer nope"])
def test_it_refuses_senders_without_a_valid_token(db, header):
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.post(URL, json.dumps({"batch": [_event()]}), content_type="application/json")
    assert response.status_code in (401, 403)
    assert ObservedDay.objects.count() == 0


@pytest.mark.postgres
def test_two_batches_for_the_same_name_at_once_lose_no_counts(world, transactional_db):
    from django.utils import timezone

    from telemetry.observed import observed_ingest
    from telemetry.observed_batch import batch_read

    rounds = 5
    barrier = threading.Barrier(4)
    errors = []

    def send(offset):
        try:
            for r in range(rounds):
                body = {
                    "batch": [_event(messageId=f"t{offset}-{r}-{i}") for i in range(200)]
                    # Everyone also resends a shared messageId: exactly one of them may count it.
                    + [_event(messageId=f"shared-{r}")]
                }
                barrier.wait()
                now = timezone.now()
                observed_ingest(batch=batch_read(json.dumps(body).encode(), now=now), now=now)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert _counts() == {
        ("Order Completed", "analytics.js", "2026-03-01"): 4 * rounds * 200 + rounds
    }
    assert ObservedName.objects.count() == 1 and Source.objects.count() == 1


def test_a_gzipped_batch_counts_and_a_gzip_bomb_is_refused(sender, settings):
    import gzip

    body = gzip.compress(json.dumps({"batch": [_event()] * 5}).encode())
    response = sender(body, HTTP_CONTENT_ENCODING="gzip")
    assert response.status_code == 200, response.content
    assert _counts() == {("Order Completed", "analytics.js", "2026-03-01"): 5}

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    bomb = gzip.compress(b'{"batch": [' + b" " * 20_000_000 + b"]}")
    assert len(bomb) < 100_000
    response = sender(bomb, HTTP_CONTENT_ENCODING="gzip")
    assert response.status_code == 413
    response = sender(b"\x1f\x8b not really gzip", HTTP_CONTENT_ENCODING="gzip")
    assert response.status_code == 400 and "gzip" in response.json()["body"][0]
    assert sender(body, HTTP_CONTENT_ENCODING="br").status_code == 415
    assert _counts() == {("Order Completed", "analytics.js", "2026-03-01"): 5}


def test_counts_older_than_the_kept_history_are_dropped(sender):
    from telemetry.observed import KEEP_DAYS, observed_history_prune

    sender({"batch": [_event(), _event(name="Old Thing", timestamp="2024-01-01T00:00:00Z")]})
    today = datetime.date(2026, 3, 1) + datetime.timedelta(days=KEEP_DAYS - 1)
    assert observed_history_prune(today=today) == 1
    assert set(_counts()) == {("Order Completed", "analytics.js", "2026-03-01")}
    assert not ObservedProperty.objects.filter(day__lt="2025-01-01").exists()
