"""Observed-event ingestion through HTTP, production shape: gunicorn, PostgreSQL, DEBUG off.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python benchmarks/observed_ingest.py [--duration 20] [--concurrency 4]

Creates a throwaway database (`<name>_ingest`), migrates it, creates one user with an API token,
starts gunicorn (production settings) and posts Segment batches of 1,000 track events (60 names,
4 sources, 4-6 properties each, every event with its own messageId, as Segment sends them) with
`--concurrency` keep-alive connections for `--duration` seconds. Prints events/s, request
latency and the CPU time gunicorn's workers and PostgreSQL's backends spent per event.
Goal on a 2-core machine: at least 20,000 events/s.
"""

import argparse
import http.client
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_mixed import ROOT, manage, production_env, server_cpu, start_gunicorn  # noqa: E402

PYTHON = sys.executable
NAMES = [
    f"{obj} {verb}"
    for obj in ("Order", "Cart", "Product", "Checkout", "Coupon", "Search")
    for verb in (
        "Viewed",
        "Started",
        "Completed",
        "Failed",
        "Shared",
        "Saved",
        "Removed",
        "Added",
        "Opened",
        "Closed",
    )
]
SOURCES = ["analytics.js", "analytics-ios", "analytics-android", "checkout-server"]


def throwaway_database() -> tuple[str, str]:
    import psycopg

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL=postgres://... (the benchmark needs PostgreSQL).")
    parts = urlparse(url)
    name = parts.path.lstrip("/") + "_ingest"
    admin = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parts._replace(path=f"/{name}")), name


def make_token(env: dict) -> str:
    code = (
        "from productops.accounts.models import User;"
        "from productops.accounts.services import token_create;"
        "u = User.objects.create_user('pipeline', 'p@example.com', 'x' * 20);"
        "print(token_create(user=u, name='bench')[1])"
    )
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip().splitlines()[-1]


def bodies(count: int, size: int) -> list[bytes]:
    """Distinct batches: every event has its own messageId, so all of them count."""
    now = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
    out = []
    n = 0
    for b in range(count):
        batch = []
        for i in range(size):
            n += 1
            batch.append(
                {
                    "type": "track",
                    "event": NAMES[(b * 7 + i) % len(NAMES)],
                    "messageId": f"bench-{secrets.token_hex(4)}-{n}",
                    "timestamp": now,
                    "context": {"library": {"name": SOURCES[i % len(SOURCES)], "version": "4.1.0"}},
                    "properties": {
                        "order_id": f"o-{n}",
                        "total": n * 0.5,
                        "items": i % 9,
                        "currency": "EUR",
                        **({"coupon": "SPRING"} if i % 3 == 0 else {}),
                        **({"first_order": True} if i % 5 == 0 else {}),
                    },
                }
            )
        out.append(json.dumps({"batch": batch}).encode())
    return out


def drive(port: int, token: str, payloads: list[bytes], duration: float, concurrency: int):
    latencies: list[float] = []
    errors: list[str] = []
    counted = [0]
    lock = threading.Lock()
    next_body = [0]
    stop_at = time.monotonic() + duration

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Host": f"127.0.0.1:{port}",
            "X-Forwarded-Proto": "https",
        }
        while time.monotonic() < stop_at:
            with lock:
                if next_body[0] >= len(payloads):
                    return
                body = payloads[next_body[0]]
                next_body[0] += 1
            started = time.perf_counter()
            try:
                conn.request("POST", "/api/v1/telemetry/observed/", body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except OSError as exc:
                errors.append(str(exc))
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            elapsed = time.perf_counter() - started
            if response.status != 200:
                errors.append(f"{response.status} {data[:200]!r}")
                continue
            with lock:
                latencies.append(elapsed)
                counted[0] += json.loads(data)["counted"]

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counted[0], time.perf_counter() - started, latencies, errors


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--bodies", type=int, default=800)
    args = parser.parse_args()

    database_url, name = throwaway_database()
    var_dir = tempfile.mkdtemp(prefix="ingest-")
    env = production_env(database_url, var_dir)
    print("Setting up")
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    token = make_token(env)
    started = time.perf_counter()
    payloads = bodies(args.bodies, args.batch)
    print(
        f"  {len(payloads)} batches of {args.batch} events, {statistics.mean(map(len, payloads)) / 1024:.0f} KiB each,"
        f" built in {time.perf_counter() - started:.1f} s"
    )
    port = 18000 + os.getpid() % 1000
    log = open(Path(var_dir) / "gunicorn.log", "w")  # noqa: SIM115 - closed below
    server = start_gunicorn(env, port, args.workers, args.threads, log)
    try:
        # Warm up: imports, the convention, connections.
        drive(port, token, payloads[:4], 30, 2)
        payloads = payloads[4:]
        cpu_before = server_cpu(server, database_url, name)
        events, seconds, latencies, errors = drive(
            port, token, payloads, args.duration, args.concurrency
        )
        cpu_after = server_cpu(server, database_url, name)
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
        log.close()
    app_cpu = cpu_after[0] - cpu_before[0]
    db_cpu = cpu_after[1] - cpu_before[1]
    latencies.sort()
    print(
        f"gunicorn {args.workers} workers x {args.threads} threads, {args.concurrency} connections, "
        f"{args.batch}-event batches"
    )
    print(f"  requests: {len(latencies)}, errors: {len(errors)}")
    if errors:
        print("  first error:", errors[0])
    if not latencies:
        return
    print(f"  events counted: {events:,} in {seconds:.1f} s = {events / seconds:,.0f} events/s")
    print(
        f"  request latency p50 {latencies[len(latencies) // 2] * 1000:.0f} ms,"
        f" p95 {latencies[int(len(latencies) * 0.95)] * 1000:.0f} ms"
    )
    print(
        f"  server CPU per event: gunicorn {app_cpu / events * 1e6:.1f} µs,"
        f" PostgreSQL {db_cpu / events * 1e6:.1f} µs,"
        f" total {(app_cpu + db_cpu) / events * 1e6:.1f} µs"
        f" (= {events / (app_cpu + db_cpu):,.0f} events per CPU-second)"
    )
    print(f"  goal: >= 20,000 events/s -> {'met' if events / seconds >= 20_000 else 'NOT met'}")


if __name__ == "__main__":
    main()
