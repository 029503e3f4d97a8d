"""Mixed read traffic against the production shape: gunicorn, PostgreSQL, Redis, DEBUG off.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python benchmarks/load_mixed.py [--duration 30] [--concurrency 8]

Creates a throwaway database (`<name>_load` on the server DATABASE_URL names), migrates it, loads
the demo organisation (seed_demo), runs collectstatic, starts gunicorn with production settings,
signs in admin, dev, rita and ceo, and drives their pages and API lists from this process with
`--concurrency` keep-alive connections for `--duration` seconds. Prints requests/s, p50, p95,
p99 and errors (any status other than 2xx/3xx, or a failed connection), overall and per URL.
Goal on a 2-core machine: at least 200 requests/s, p95 under 150 ms, no errors.

The portal's page cache (productops/page_cache.py) is on, as in production: a page or API list
a person saw is served again until anything in the database changes. `--writes` (default 0.2 per
second, one change every five seconds) keeps changing data during the run, so the figures include
refilling the cache; the `cached` column shows the share of answers served from it.
`--page-cache 0` measures every answer rendered afresh.

The client speaks plain HTTP and sends X-Forwarded-Proto: https, as the TLS proxy in front of
gunicorn would; the settings trust that header, so secure cookies and CSRF work as in production.
`--keep` keeps the seeded database (and `--reuse` starts from it) to save the seeding time.
"""

import argparse
import http.client
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
USERS = ("admin", "dev", "rita", "ceo")

# (label, path): the three apps' main pages and API lists. `{event}`, `{strategy}` and
# `{participant}` are filled from the API before the run. A URL a user may not open (403) is left
# out of that user's mix and listed; any other failure counts as an error.
URLS = [
    ("home", "/"),
    ("telemetry catalogue", "/telemetry/"),
    ("telemetry search", "/telemetry/?q=order"),
    ("telemetry event", "/telemetry/events/{event}/"),
    ("telemetry properties", "/telemetry/properties/"),
    ("telemetry health", "/telemetry/health/"),
    ("strategy list", "/strategy/"),
    ("strategy page", "/strategy/{strategy}/"),
    ("research home", "/research/"),
    ("research panel", "/research/panel/"),
    ("research participant", "/research/participants/{participant}/"),
    ("notifications", "/accounts/notifications/"),
    ("teams", "/accounts/teams/"),
    ("API me", "/api/v1/me/"),
    ("API events", "/api/v1/telemetry/events/"),
    ("API properties", "/api/v1/telemetry/properties/"),
    ("API strategies", "/api/v1/strategy/strategies/"),
    ("API participants", "/api/v1/research/participants/"),
    ("API research requests", "/api/v1/research/requests/"),
    ("API ledger", "/api/v1/research/ledger/"),
    ("API notifications", "/api/v1/notifications/"),
]


# ---------------------------------------------------------------- the server


def throwaway_database(reuse: bool) -> tuple[str, str, str]:
    import psycopg

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL=postgres://... (the benchmark needs PostgreSQL).")
    parts = urlparse(url)
    name = parts.path.lstrip("/") + "_load"
    admin = urlunparse(parts._replace(path="/postgres"))
    if not reuse:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parts._replace(path=f"/{name}")), admin, name


def production_env(database_url: str, var_dir: str) -> dict:
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        sys.exit("Set REDIS_URL=redis://... (cache and broker, as in production).")
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "productops.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": f"load-{secrets.token_hex(4)}",
        "PRODUCTOPS_VAR_DIR": var_dir,
        "STATIC_ROOT": str(Path(var_dir) / "static"),
        "LOG_LEVEL": "WARNING",
        # Four people drive the whole load, far past one person's fair share: this measures
        # capacity, so the per-person API rate is lifted (tests/api/test_throttling.py covers it).
        "API_THROTTLE_USER": "1000000/min",
    }


def manage(env: dict, *args: str) -> None:
    started = time.perf_counter()
    subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )
    print(f"  manage.py {' '.join(args)}: {time.perf_counter() - started:.1f} s")


def start_gunicorn(env: dict, port: int, workers: int, threads: int, log) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "productops.wsgi:application",
            # The production settings (Dockerfile, docker-compose.yml), with this run's overrides.
            "-c",
            "python:productops.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped (exit {server.returncode}); see its log above.")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    sys.exit("gunicorn did not answer /healthz within 60 s.")


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_cpu(server: subprocess.Popen, database_url: str, name: str) -> tuple[float, float]:
    """CPU seconds used so far by gunicorn's workers and by PostgreSQL's backends for them.

    On a shared machine wall-clock figures move with everyone else's load; CPU per request does
    not, so it shows what a change saves (Linux /proc; zeros elsewhere)."""
    import psycopg

    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == server.pid:
                children.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    with psycopg.connect(database_url, autocommit=True) as conn:
        backends = [
            row[0]
            for row in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            )
        ]
    return sum(map(_cpu_seconds, children)), sum(map(_cpu_seconds, backends))


# ---------------------------------------------------------------- the client


class Client:
    """One keep-alive connection with one person's cookies, as a browser tab behind TLS."""

    def __init__(self, port: int, cookies: dict | None = None):
        self.port = port
        self.cookies = dict(cookies or {})
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cache_hit = False

    def request(self, method: str, path: str, body: str | None = None, headers=None):
        origin = f"https://127.0.0.1:{self.port}"
        sent = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "Accept": "application/json" if path.startswith("/api/") else "text/html",
            **(headers or {}),
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            sent.update(
                {
                    "Origin": origin,
                    "Referer": origin + path,
                    "Content-Type": "application/x-www-form-urlencoded",
                }
            )
        try:
            self.conn.request(method, path, body=body, headers=sent)
            response = self.conn.getresponse()
            data = response.read()
            self.cache_hit = response.getheader("X-Page-Cache") == "hit"
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, data


def sign_in(port: int, username: str) -> dict:
    from urllib.parse import urlencode

    client = Client(port)
    status, page = client.request("GET", "/accounts/sign-in/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if status != 200 or not token:
        sys.exit(f"The sign-in page answered {status} without a CSRF token.")
    form = urlencode(
        {"csrfmiddlewaretoken": token.group(1).decode(), "username": username, "password": "demo"}
    )
    status, _ = client.request("POST", "/accounts/sign-in/", body=form)
    if status != 302 or "sessionid" not in client.cookies:
        sys.exit(f"Signing in {username} answered {status}; is the demo organisation loaded?")
    return client.cookies


def first_id(client: Client, path: str) -> str | None:
    import json

    status, body = client.request("GET", path)
    if status == 403:
        return None
    if status != 200:
        sys.exit(f"{path} answered {status}.")
    data = json.loads(body)
    rows = data["results"] if isinstance(data, dict) else data
    return str(rows[0]["id"]) if rows else None


def build_mixes(port: int, sessions: dict) -> dict[str, list[tuple[str, str]]]:
    """Each person's URLs: detail pages of objects their own API lists show them."""
    lists = {
        "event": "/api/v1/telemetry/events/?limit=1",
        "strategy": "/api/v1/strategy/strategies/?limit=1",
        "participant": "/api/v1/research/participants/?limit=1",
    }
    mixes = {}
    for user, cookies in sessions.items():
        client = Client(port, cookies)
        ids = {key: first_id(client, path) for key, path in lists.items()}
        mixes[user] = []
        refused = []
        for label, path in URLS:
            if any(f"{{{key}}}" in path and ids[key] is None for key in ids):
                refused.append(label)
                continue
            path = path.format(**ids)
            status, _ = client.request("GET", path)
            if status == 403:
                refused.append(label)
            elif 200 <= status < 400:
                mixes[user].append((label, path))
            else:
                sys.exit(f"{user}: {path} answered {status} before the run.")
        note = f" (not theirs to see, left out: {', '.join(refused)})" if refused else ""
        print(f"  {user}: {len(mixes[user])} URLs{note}")
    return mixes


def write_steadily(port: int, cookies: dict, every: float, stop_at: float) -> int:
    """A write through the portal every `every` seconds (marking someone's inbox read): each one
    empties the page cache, as any change does, so cached figures include the cost of refilling."""
    client = Client(port, cookies)
    writes = 0
    next_at = time.perf_counter()
    while (now := time.perf_counter()) < stop_at:
        if now < next_at:
            time.sleep(min(next_at - now, stop_at - now))
            continue
        body = f"csrfmiddlewaretoken={client.cookies['csrftoken']}"
        status, _ = client.request("POST", "/accounts/notifications/read-all/", body=body)
        if status != 302:
            sys.exit(f"The write answered {status}.")
        client.cookies.pop("messages", None)  # its flash message is nobody's to read
        writes += 1
        next_at += every
    return writes


def drive(port, sessions, mixes, *, concurrency: int, duration: float, seed: int, writer=None):
    results = defaultdict(list)  # label -> [(seconds, ok, served from the page cache)]
    lock = threading.Lock()
    stop_at = time.perf_counter() + duration
    users = list(sessions)
    writes = []

    def worker(number: int):
        user = users[number % len(users)]
        client = Client(port, sessions[user])
        rng = random.Random(seed + number)
        mine = []
        while time.perf_counter() < stop_at:
            label, path = rng.choice(mixes[user])
            started = time.perf_counter()
            try:
                status, _ = client.request("GET", path)
                ok = 200 <= status < 400
            except (OSError, http.client.HTTPException):
                ok = False
            mine.append((label, time.perf_counter() - started, ok, ok and client.cache_hit))
        with lock:
            for label, *sample in mine:
                results[label].append(tuple(sample))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    if writer:
        cookies, every = writer
        threads.append(
            threading.Thread(
                target=lambda: writes.append(write_steadily(port, cookies, every, stop_at))
            )
        )
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started, sum(writes)


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def report(results: dict, elapsed: float) -> dict:
    def line(label, samples, seconds):
        times = sorted(s for s, _, _ in samples)
        errors = sum(1 for _, ok, _ in samples if not ok)
        hits = sum(1 for _, _, hit in samples if hit) / len(samples) * 100
        p50, p95, p99 = (percentile(times, p) * 1000 for p in (50, 95, 99))
        print(
            f"{label:<24}{len(samples):>8}{len(samples) / seconds:>9.1f}"
            f"{p50:>9.1f}{p95:>9.1f}{p99:>9.1f}{errors:>8}{hits:>7.0f}%"
        )
        return {"rps": len(samples) / seconds, "p50": p50, "p95": p95, "p99": p99, "errors": errors}

    print(
        f"\n{'URL':<24}{'requests':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'errors':>8}{'cached':>8}"
    )
    ranked = sorted(results.items(), key=lambda item: -statistics.mean(s[0] for s in item[1]))
    for label, samples in ranked:
        line(label, samples, elapsed)
    print("-" * 83)
    return line("overall", [s for samples in results.values() for s in samples], elapsed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of traffic")
    parser.add_argument("--concurrency", type=int, default=8, help="open connections")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--warmup", type=float, default=5.0, help="unmeasured seconds first")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--keep", action="store_true", help="keep the seeded database")
    parser.add_argument("--reuse", action="store_true", help="reuse a database kept by --keep")
    parser.add_argument(
        "--page-cache",
        type=int,
        default=10,
        metavar="SECONDS",
        help="the portal's PAGE_CACHE_SECONDS; 0 measures every page rendered afresh",
    )
    parser.add_argument(
        "--writes",
        type=float,
        default=0.2,
        metavar="PER_SECOND",
        help="writes through the portal per second during the run; each empties the page cache",
    )
    args = parser.parse_args()

    import psycopg

    database_url, admin_url, name = throwaway_database(args.reuse)
    var_dir = tempfile.mkdtemp(prefix="load-mixed-")
    env = production_env(database_url, var_dir)
    env["PAGE_CACHE_SECONDS"] = str(args.page_cache)
    port = args.port or _free_port()
    with open(Path(var_dir) / "gunicorn.log", "w+") as log:
        try:
            run(args, env, port, database_url, name, log)
        finally:
            if not args.keep:
                with psycopg.connect(admin_url, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            shutil.rmtree(var_dir, ignore_errors=True)


def run(args, env, port, database_url, name, log) -> None:
    import psycopg

    server = None
    try:
        print(f"database {name}, gunicorn on 127.0.0.1:{port}")
        manage(env, "migrate", "--noinput")
        if not args.reuse:
            manage(env, "seed_demo")
        # Fresh planner statistics, as autovacuum would have them on a live server.
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
        manage(env, "collectstatic", "--noinput")
        server = start_gunicorn(env, port, args.workers, args.threads, log)
        print(
            f"gunicorn: {args.workers} workers x {args.threads} threads (gthread); "
            f"client: {args.concurrency} connections, {args.duration:.0f} s"
        )
        sessions = {user: sign_in(port, user) for user in USERS}
        mixes = build_mixes(port, sessions)
        if args.warmup:
            drive(port, sessions, mixes, concurrency=args.concurrency, duration=args.warmup, seed=0)
        writer = (sign_in(port, "dev"), 1 / args.writes) if args.writes else None
        cpu_before = server_cpu(server, database_url, name)
        client_before = time.process_time()
        results, elapsed, writes = drive(
            port,
            sessions,
            mixes,
            concurrency=args.concurrency,
            duration=args.duration,
            seed=args.seed,
            writer=writer,
        )
        cpu_after = server_cpu(server, database_url, name)
        client_cpu = time.process_time() - client_before
        overall = report(results, elapsed)
        cache_note = (
            f"page cache on ({env['PAGE_CACHE_SECONDS']} s)"
            if env["PAGE_CACHE_SECONDS"] != "0"
            else "page cache off"
        )
        print(f"\n{cache_note}; {writes} writes during the run ({writes / elapsed:.1f}/s)")
        count = sum(len(samples) for samples in results.values())
        web, db = (after - before for before, after in zip(cpu_before, cpu_after, strict=True))
        print(
            f"\nserver CPU per request: {(web + db) / count * 1000:.1f} ms "
            f"(gunicorn {web / count * 1000:.1f} ms, PostgreSQL {db / count * 1000:.1f} ms); "
            f"this load generator {client_cpu / count * 1000:.1f} ms; "
            f"machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
        goal = overall["rps"] >= 200 and overall["p95"] < 150 and overall["errors"] == 0
        print(f"\ngoal (>= 200 req/s, p95 < 150 ms, 0 errors): {'met' if goal else 'NOT met'}")
    except BaseException:
        if server is not None:
            log.seek(0)
            print(log.read()[-4000:], file=sys.stderr)
        raise
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


if __name__ == "__main__":
    main()
