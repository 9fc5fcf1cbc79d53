"""Load test of the liveability monitor: 20 concurrent users on the 100k-dwelling demo, PostgreSQL, loopback only.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bb_bench BUURTBALANS_OPEN_DATA_DIR=../shared/data \
        .venv/bin/python benchmarks/load_monitor.py --prepare [--users 20] [--duration 60] [--servers 2]

A small load generator (threads + http.client; locust is not a dependency) against the product's server on
127.0.0.1, started as scripts/serve.sh starts it: gunicorn with `--servers N` worker processes (default 4, two per
core of the 2-core machine the figures were taken on). `--server runserver` starts N of Django's threaded
development servers on consecutive ports instead and spreads the users over them (the figures before issue 12).

Each virtual user has its own logged-in session (neighbourhood manager at Voorbeeld Wonen) and its own keep-alive
connection, and repeats: pick one of the three pages at random, request it, wait a think time drawn uniformly from
0.5 to 1.5 times `--think` seconds (locust's `between`). The pages:

- overview: `/monitor/` (the vitality table, first page, lowest scores first),
- complex: `/monitor/complexes/<pk>/` for a random complex (indicators, trend chart, social management),
- map data: `/monitor/map/data.json?municipality=GM0193&indicator=<random>` (every buurt's value and class, the
  legend, all 1,230 complex markers).

With `--all` the map page, the stock complex page, the corporation's stock overview (`/stock/`, the home page until
issue 14) and the home page's work list (`/`) join the mix, and every page
of it is held to the target (issue 12: every page of the mix at p95 <= 300 ms).

`--prepare` makes the data first when it is missing: `seed_demo --dwellings 100000 --open-data DIR`,
`seed_social_demo`, and the vitality count; then `VACUUM ANALYZE`, the state autovacuum keeps a database in (a
freshly loaded one has no visibility map, so no index-only scans, and a development server may run without
autovacuum). Prints per page: requests, errors, p50/p95/p99/max in ms, the throughput and the machine's load
average before and after. Exit code 1 when a target page's p95 is above `--target-ms` (300) or any request failed.

The benchmark user is a neighbourhood manager, a role that must use two-step verification: its sessions are made as
after a correct code (an authenticator app enrolled for it), otherwise every page would answer with the redirect
to the set-up screen.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
DEMO = "voorbeeld-wonen"
USERNAME = "bench-monitor"
TARGET_PAGES = ("overview", "complex", "map data")
ALL_PAGES = (*TARGET_PAGES, "map page", "stock complex", "stock overview", "home")
MAP_INDICATORS = ("lbm", "lbm_onv", "low_income", "vitality")


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buurtbalans.settings")
    import django

    django.setup()


def prepare(dwellings: int) -> None:
    from django.core.management import call_command

    from buurtbalans.core.models import HousingCorporation
    from buurtbalans.liveability.models import ComplexVitality

    # A fresh database (createdb) has no tables yet.
    call_command("migrate", verbosity=0)
    corporation = HousingCorporation.objects.filter(code=DEMO).first()
    if corporation is None or corporation.dwellings.count() < dwellings:
        directory = os.environ.get("BUURTBALANS_OPEN_DATA_DIR")
        options = {"dwellings": dwellings, "reset": corporation is not None}
        if directory:
            options.update(open_data=directory, municipality="GM0193")
        print(f"prepare: seed_demo {options}", flush=True)
        call_command("seed_demo", verbosity=0, **options)
        corporation = HousingCorporation.objects.get(code=DEMO)
    print("prepare: seed_social_demo", flush=True)
    call_command("seed_social_demo", corporation=DEMO)
    if not ComplexVitality.objects.filter(corporation=corporation, is_latest=True).exists():
        from django.utils import timezone

        from buurtbalans.liveability.services import vitality_refresh

        print("prepare: counting the vitality", flush=True)
        print(vitality_refresh(corporation=corporation, reference_date=timezone.localdate()), flush=True)
    vacuum()


def vacuum() -> None:
    """VACUUM ANALYZE (PostgreSQL): fresh statistics and the visibility map the index-only scans need."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    print("prepare: VACUUM ANALYZE", flush=True)
    with connection.cursor() as cursor:  # outside a transaction: Django's default autocommit
        cursor.execute("VACUUM ANALYZE")


def sessions(count: int) -> tuple[list[str], list[int]]:
    """Session cookies of `count` logged-in sessions of the benchmark user, and the demo's complex ids."""
    from django.conf import settings
    from django.test import Client

    from buurtbalans.accounts.testing import login_verified
    from buurtbalans.core.models import HousingCorporation, Membership, Role
    from buurtbalans.portfolio.models import Complex

    corporation = HousingCorporation.objects.get(code=DEMO)
    from django.contrib.auth import get_user_model

    user, created = get_user_model().objects.get_or_create(username=USERNAME)
    if created:
        user.set_unusable_password()
        user.save()
        Membership.objects.create(user=user, corporation=corporation, roles=[Role.NEIGHBOURHOOD_MANAGER])
    cookies = []
    for _ in range(count):
        client = Client()
        login_verified(client, user)  # the second step done, as after entering a code
        cookies.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    complexes = list(Complex.objects.filter(corporation=corporation).values_list("pk", flat=True))
    return cookies, complexes


def server_commands(kind: str, count: int, first_port: int) -> list[tuple[list[str], int]]:
    """The command line of each server process to start, with its port.

    gunicorn: one server on `first_port` with `count` worker processes (what scripts/serve.sh runs); runserver:
    `count` of Django's threaded development servers on consecutive ports, the users spread over them.
    """
    if kind == "gunicorn":
        return [([str(BIN / "gunicorn"), "--config", str(ROOT / "scripts" / "gunicorn.conf.py"),
                  "--workers", str(count), "--bind", f"127.0.0.1:{first_port}", "buurtbalans.wsgi"], first_port)]
    return [([str(BIN / "buurtbalans"), "runserver", "--noreload", "--skip-checks", f"127.0.0.1:{first_port + i}"],
             first_port + i) for i in range(count)]


def start_servers(kind: str, count: int, first_port: int, log_dir: Path) -> list[tuple[subprocess.Popen, int]]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "ALLOWED_HOSTS": "127.0.0.1,localhost"}
    servers = []
    for command, port in server_commands(kind, count, first_port):
        # Someone else's server on the port would answer our requests: refuse rather than measure it.
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                raise SystemExit(f"port {port} is in use; choose another with --port")
        log = (log_dir / f"server-{port}.log").open("w")
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        servers.append((process, port))
    deadline = time.monotonic() + 60
    for process, port in servers:
        while True:
            if process.poll() is not None:
                raise SystemExit(f"the server on port {port} stopped; see {log_dir}/server-{port}.log")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/login/")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"the server on port {port} did not answer within 60 s")
            time.sleep(0.3)
    return servers


def page_request(rng: random.Random, complexes: list[int], with_all: bool) -> tuple[str, str]:
    pages = ["overview", "complex", "map data"] + (
        ["map page", "stock complex", "stock overview", "home"] if with_all else [])
    page = rng.choice(pages)
    if page == "overview":
        return page, "/monitor/"
    if page == "complex":
        return page, f"/monitor/complexes/{rng.choice(complexes)}/"
    if page == "map data":
        return page, f"/monitor/map/data.json?municipality=GM0193&indicator={rng.choice(MAP_INDICATORS)}"
    if page == "map page":
        return page, f"/monitor/map/?municipality=GM0193&indicator={rng.choice(MAP_INDICATORS)}"
    if page == "stock overview":
        return page, "/stock/"
    if page == "home":  # the work list (issue 14), the home page since the stock overview moved to /stock/
        return page, "/"
    return page, f"/stock/complexes/{rng.choice(complexes)}/"


def fetch(connection: http.client.HTTPConnection, path: str, cookie: str) -> tuple[int, float]:
    started = time.perf_counter()
    connection.request("GET", path, headers={"Cookie": f"sessionid={cookie}", "Connection": "keep-alive"})
    response = connection.getresponse()
    response.read()
    return response.status, (time.perf_counter() - started) * 1000


def user_loop(index: int, port: int, cookie: str, complexes: list[int], until: float, think: float,
              with_all: bool, results: dict, lock: threading.Lock, seed: int) -> None:
    rng = random.Random(seed * 1000 + index)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    # Users start spread over the first think time, not all in the same millisecond.
    time.sleep(rng.uniform(0, think))
    while time.monotonic() < until:
        page, path = page_request(rng, complexes, with_all)
        try:
            status, ms = fetch(connection, path, cookie)
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            status, ms = 0, 0.0
        with lock:
            results[page].append((status, ms))
        time.sleep(rng.uniform(0.5 * think, 1.5 * think))
    connection.close()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of measured load")
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds of load before measuring")
    parser.add_argument("--think", type=float, default=1.0, help="mean think time between a user's requests (s)")
    parser.add_argument("--server", choices=("gunicorn", "runserver"), default="gunicorn",
                        help="gunicorn as scripts/serve.sh runs the product, or Django's development server")
    parser.add_argument("--servers", type=int, default=None,
                        help="processes: gunicorn workers (default 4) or runserver processes (default 2)")
    parser.add_argument("--port", type=int, default=18760, help="first port (the next ones for more servers)")
    parser.add_argument("--prepare", action="store_true", help="make the demo data first when it is missing")
    parser.add_argument("--dwellings", type=int, default=100_000)
    parser.add_argument("--target-ms", type=float, default=300.0)
    parser.add_argument("--all", action="store_true", dest="with_all",
                        help="also the map page, the stock complex page, the stock overview and the home page, "
                             "all held to the target")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    setup_django()
    from django.db import connection as db

    if db.vendor != "postgresql":
        print("warning: not PostgreSQL; the target is for PostgreSQL (set DATABASE_URL)", flush=True)
    if args.prepare:
        prepare(args.dwellings)
    targets = ALL_PAGES if args.with_all else TARGET_PAGES
    load_before = os.getloadavg()
    cookies, complexes = sessions(args.users)
    db.close()
    log_dir = Path(os.environ.get("TMPDIR", "/tmp")) / "load_monitor"
    log_dir.mkdir(parents=True, exist_ok=True)
    if args.servers is None:
        args.servers = 4 if args.server == "gunicorn" else 2
    servers = start_servers(args.server, args.servers, args.port, log_dir)
    try:
        ports = [port for _process, port in servers]
        for port in ports:  # fill each process's caches (map projection, parameters) before anything is measured
            warm = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            for page in ("overview", "complex", "map data"):
                for indicator in MAP_INDICATORS:
                    path = (f"/monitor/map/data.json?municipality=GM0193&indicator={indicator}" if page == "map data"
                            else page_request(random.Random(1), complexes, False)[1])
                    fetch(warm, path, cookies[0])
            if args.with_all:
                for path in ("/", "/stock/", f"/stock/complexes/{complexes[0]}/", "/monitor/map/?municipality=GM0193"):
                    fetch(warm, path, cookies[0])
            warm.close()

        def run(seconds: float, results: dict) -> float:
            lock = threading.Lock()
            until = time.monotonic() + seconds
            threads = [
                threading.Thread(target=user_loop, args=(i, ports[i % len(ports)], cookies[i], complexes, until,
                                                         args.think, args.with_all, results, lock, args.seed))
                for i in range(args.users)
            ]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            return time.monotonic() - started

        if args.warmup > 0:
            run(args.warmup, defaultdict(list))
        results: dict[str, list[tuple[int, float]]] = defaultdict(list)
        elapsed = run(args.duration, results)
    finally:
        for process, _port in servers:
            process.terminate()
        for process, _port in servers:
            process.wait(timeout=10)

    total = sum(len(v) for v in results.values())
    load_after = os.getloadavg()
    print(f"\nload average (1/5/15 min) before {' '.join(f'{x:.2f}' for x in load_before)}, "
          f"after {' '.join(f'{x:.2f}' for x in load_after)} ({os.cpu_count()} cores)")
    print(f"{args.users} users, {args.server} with {args.servers} process(es), "
          f"think time {args.think:.1f} s (0.5-1.5x), "
          f"{elapsed:.0f} s measured, {total} requests, {total / elapsed:.1f} requests/s, "
          f"{len(complexes)} complexes")
    print(f"{'page':<14}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    failed = False
    for page in ALL_PAGES:
        rows = results.get(page)
        if not rows:
            continue
        times = [ms for status, ms in rows if status == 200]
        errors = sum(1 for status, _ms in rows if status != 200)
        p95 = percentile(times, 95)
        print(f"{page:<14}{len(rows):>9}{errors:>8}{percentile(times, 50):>9.0f}{p95:>9.0f}"
              f"{percentile(times, 99):>9.0f}{max(times, default=float('nan')):>9.0f}")
        if page in targets and (errors or not p95 <= args.target_ms):
            failed = True
    print(f"target: p95 <= {args.target_ms:.0f} ms for {', '.join(targets)}: {'NOT MET' if failed else 'met'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
