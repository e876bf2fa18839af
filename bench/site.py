"""Storefront speed in the production configuration, against a bare Django view in the same run.

    python -m bench.site [--seconds 10] [--connections 8] [--workers 2]    (or: make bench)

1. Builds a site of realistic size in a fresh database of its own (var/bench-site.sqlite3;
   with a PostgreSQL DATABASE_URL, a database named after it with "_bench" appended on the
   same server, created and emptied here, never the one DATABASE_URL names): 40 gingerbread
   products, 8 tours (one with 60 departures), categories and the home page.
2. Runs shop.settings.production (DEBUG off, WhiteNoise, gunicorn with sync workers) on
   127.0.0.1, with localstripe and the local YooKassa server allowed and no TLS redirect, as
   a benchmark needs.
3. Counts the SQL queries of each page twice: rendered (the whole-page cache off, fragments
   and per-process caches warm) and served from the whole-page cache
   (shop/core/page_cache.py); then loads each page and the bare view with wrk (Debian's
   `wrk`) one after another, each request a new anonymous visitor. PAGE_CACHE_SECONDS=0
   measures the pages rendered every time. The cache is a directory of its own unless
   CACHE_URL names one (e.g. redis://127.0.0.1:6379/0).
   Then the signed-in pages (bench/signed_in.py: a customer's home, orders, basket, booking
   and payment pages, a student's queue, tours and manifest, a teacher's report over 10,000
   orders, portfolio and gradebook): their queries with the data as built and with ten
   times the data, then each loaded with wrk in the same run, every connection a signed-in
   session of its own (bench/sessions.lua sends the next session's cookie with each request).
4. Runs the booking rush (bench/rush.py): --customers customers at once, over HTTP, for the
   last 20 seats of one departure, paying in turn through a localstripe and a local YooKassa
   server of its own (`--provider stripe|yookassa|both`, default both).
   Lighthouse (bench/lighthouse.py) scores home, a tour, a gingerbread product, the booking
   page, and signed in the basket, the payment page and a student's queue.
5. Prints Markdown tables (req/s, p50/p99 latency, errors, ratio to the bare view, queries;
   the rush's outcomes and latencies) and writes them to var/bench-site.md.

Only loopback is ever loaded; each wrk run stops by itself after --seconds.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
RUSH_SEATS = 20
PAYING = {
    "both": "in turn through localstripe and YooKassa's card page on the local YooKassa server",
    "stripe": "through localstripe",
    "yookassa": "on YooKassa's card page on the local YooKassa server",
}


def production_env(database_url: str, static_root: str, cache_dir: str = "") -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "STRIPE_", "YOOKASSA_", "PAYMENT_"))
    }
    if cache_dir and "CACHE_URL" not in env:
        env["CACHE_URL"] = f"filecache://{cache_dir}"
    env.update(
        DJANGO_SETTINGS_MODULE="shop.settings.production",
        SECRET_KEY="bench-only-not-secret",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DATABASE_URL=database_url,
        # The benchmark's rush pays through localstripe and the local YooKassa server.
        PAYMENT_PROVIDERS="yookassa,stripe",
        STRIPE_ALLOW_LOCALSTRIPE="true",
        # Pages that are only measured need no YooKassa server; the rush sets its own.
        YOOKASSA_ALLOW_LOCAL="true",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        SECURE_COOKIES="false",
        STATIC_ROOT=static_root,
        BENCH_BASELINE="true",
        TASKS_IMMEDIATE="true",
        PYTHONUNBUFFERED="1",
    )
    return env


def prepare() -> dict:
    """(In the child, with the production settings.) Build the data, count the queries."""
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.db import connection
    from django.test import Client

    from shop.bookings.models import Departure
    from tests.factories import make_gingerbread, make_home_page, make_tour, tours_category

    home = make_home_page(
        body=[
            {"type": "featured_tours", "value": {"heading": "Экскурсии", "lead": "", "limit": 3}},
            {"type": "gingerbread", "value": {"heading": "Пряники", "lead": "", "limit": 3}},
            {"type": "upcoming_events", "value": {"heading": "События", "lead": "", "limit": 3}},
        ]
    )
    tours_category()
    big = make_tour(title="Астральные места Байкальска", departures=60, capacity=30)
    tours = [make_tour(title=f"Экскурсия {index + 1}", departures=6) for index in range(7)]
    products = [make_gingerbread(title=f"Пряник «Нерпа» {n:02d}") for n in range(40)]
    category = _category(products)
    festival = make_tour(title="Фестивальный выезд", departures=1, capacity=RUSH_SEATS)
    last_seats = Departure.objects.get(tour__product=festival)
    departure = Departure.objects.filter(tour__product=big).order_by("starts_at").first()
    calendar, tour_page = _content_pages(home, big, tours)
    pages = {
        "bare view (baseline)": "/bench/bare/",
        "home (Wagtail, live blocks)": "/",
        "events calendar (20 events)": calendar.url,
        "tour landing page (Wagtail)": tour_page.url,
        "catalogue": "/shop/catalogue/",
        "catalogue: tours": "/shop/catalogue/?type=tour",
        "category (40 gingerbreads)": category.get_absolute_url(),
        "tour with 60 departures": big.get_absolute_url(),
        "gingerbread product": products[0].get_absolute_url(),
        "booking page": f"/shop/tours/{big.pk}/book/?departure={departure.pk}",
    }
    from django.core.cache import caches
    from django.test.utils import override_settings

    def count(url) -> int:
        executed = []

        def wrapper(execute, sql, params, many, context):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(wrapper):
            response = Client().get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code}")
        return len(executed)

    counts = {}
    for name, url in pages.items():
        # Rendered: the page cache off, the fragments warm. Cached: a whole page kept.
        with override_settings(PAGE_CACHE_SECONDS=0):
            count(url)
            rendered = count(url)
        caches["pages"].clear()
        count(url)
        counts[name] = {"rendered": rendered, "cached": count(url)}
    signed_in = _signed_in()
    rush = {"tour": festival.pk, "departure": last_seats.pk}
    # Watched during the rush: the rushed tour's page changes with every seat sold; the other
    # tours' and the gingerbread's pages should stay kept.
    watch = {
        "the rushed tour": festival.get_absolute_url(),
        "tour with 60 departures": pages["tour with 60 departures"],
        "tour landing page (Wagtail)": pages["tour landing page (Wagtail)"],
        "gingerbread product": pages["gingerbread product"],
    }
    return {
        "pages": pages,
        "queries": counts,
        "signed_in": signed_in,
        "rush": rush,
        "watch": watch,
    }


def prepared_site(env: dict) -> dict:
    """The benchmark's data built in a child process with the production settings `env`:
    its pages, query counts, signed-in sessions and the rush's departure (`prepare`)."""
    child = subprocess.run(
        [PY, "-m", "bench.site", "--prepare"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(child.stdout.strip().splitlines()[-1])


def _signed_in() -> dict:
    """The signed-in pages (bench/signed_in.py): their queries with the data as built and
    with ten times the data, and sessions for wrk (the pages are loaded on the larger data)."""
    from bench import signed_in

    state = signed_in.build()
    small = signed_in.query_counts(state, {}, signed_in.pages(state))
    signed_in.grow(state)
    pages = signed_in.pages(state)
    large = signed_in.query_counts(state, {}, {**pages, **signed_in.big_pages(state)})
    return {
        "pages": {name: row for name, row in pages.items() if not name.startswith("_")},
        "queries": small,
        "queries_large": large,
        "queries_kept": signed_in.query_counts(state, {}, pages, kept=True),
        "cookies": signed_in.session_cookies(state),
    }


def watch_pages(site: str, paths: dict, stop) -> dict:
    """Each page requested by a new anonymous visitor every half second until `stop` is set:
    how often it came from the page cache."""
    seen = {name: {"hit": 0, "rendered": 0} for name in paths}
    while not stop.is_set():
        for name, path in paths.items():
            response = requests.get(site + path, timeout=30)
            kept = response.headers.get("X-Page-Cache") == "hit"
            seen[name]["hit" if kept else "rendered"] += 1
        stop.wait(0.5)
    return seen


def _category(products):
    from oscar.core.loading import get_model

    category = get_model("catalogue", "Category").add_root(name="Пряники", slug="pryaniki")
    link = get_model("catalogue", "ProductCategory")
    link.objects.bulk_create([link(product=p, category=category) for p in products])
    return category


def _content_pages(home, big, tours):
    """The events calendar with 20 events over the next two months (each served by two
    tours) and a landing page over the tour with 60 departures."""
    import datetime as dt

    from django.utils import timezone

    from cms.models import EventIndexPage, EventPage, EventTour, TourIndexPage, TourPage

    def publish(parent, page):
        parent.add_child(instance=page)
        page.save_revision().publish()
        return page

    calendar = publish(home, EventIndexPage(title="События", slug="sobytiya"))
    today = timezone.localdate()
    for index in range(20):
        start = today + dt.timedelta(days=3 * index + 1)
        event = EventPage(
            title=f"Событие {index + 1}",
            slug=f"sobytie-{index + 1}",
            start_date=start,
            end_date=start + dt.timedelta(days=1),
            location="Байкальск",
        )
        for tour in (big, tours[index % len(tours)]):
            event.tour_links.add(EventTour(tour=tour))
        publish(calendar, event)
    index_page = publish(home, TourIndexPage(title="Экскурсии", slug="ekskursii"))
    tour_page = publish(
        index_page, TourPage(title="Астральные места", slug="astral", tour=big, intro="Прогулка")
    )
    return calendar, tour_page


def fresh_database(name: str) -> str:
    """A fresh database for a benchmark: var/<name>.sqlite3, or with a PostgreSQL
    DATABASE_URL a `<its name>_bench` database beside it (never the one it names)."""
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith("postgres"):
        return _bench_database(database_url)
    db = ROOT / "var" / f"{name}.sqlite3"
    db.parent.mkdir(exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{db}"


def database_url_of(name: str) -> str:
    """The database `fresh_database(name)` made, as it is now."""
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith("postgres"):
        parts = urlsplit(database_url)
        return parts._replace(path=parts.path + "_bench").geturl()
    return f"sqlite:///{ROOT / 'var' / f'{name}.sqlite3'}"


def _bench_database(url: str) -> str:
    """A fresh `<name>_bench` database beside the one `url` names."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_bench"
    admin = parts._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return parts._replace(path="/" + name).geturl()


def wrk(url: str, seconds: int, connections: int, script=(), *script_args) -> dict:
    tail = ["--", *script_args] if script_args else []
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", *script, url, *tail],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def latency(label):
        found = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, flags=re.M)
        if not found:
            return None
        value, unit = float(found.group(1)), found.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests_done = int(re.search(r"(\d+) requests in", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    if socket:
        errors += sum(int(n) for n in socket.groups())
    return {
        "rps": rps,
        "requests": requests_done,
        "p50": latency("50"),
        "p99": latency("99"),
        "errors": errors,
    }


def lighthouse_pages(prepared: dict) -> dict:
    """{name: (path, cookie)}: the main pages Lighthouse scores, public and signed in."""
    pages, signed = prepared["pages"], prepared["signed_in"]
    customer = signed["cookies"][signed["pages"]["customer: basket"][0]][0]
    student = signed["cookies"][signed["pages"]["student: queue"][0]][0]
    return {
        "home": (pages["home (Wagtail, live blocks)"], ""),
        "a tour": (pages["tour with 60 departures"], ""),
        "a gingerbread product": (pages["gingerbread product"], ""),
        "booking page": (pages["booking page"], ""),
        "basket (signed in)": (signed["pages"]["customer: basket"][1], customer),
        "payment page (signed in)": (signed["pages"]["customer: payment page"][1], customer),
        "student's queue": (signed["pages"]["student: queue"][1], student),
    }


def lighthouse_scores(site: str, prepared: dict) -> dict:
    """Lighthouse's scores of the main pages, public and signed in."""
    from bench import lighthouse

    chosen = lighthouse_pages(prepared)
    return {name: lighthouse.score(site + path, cookie) for name, (path, cookie) in chosen.items()}


def wrk_signed_in(url: str, cookies: list[str], seconds: int, connections: int) -> dict:
    """wrk with each request carrying the next of `cookies` (bench/sessions.lua)."""
    answer = requests.get(url, headers={"Cookie": cookies[0]}, timeout=60, allow_redirects=False)
    if answer.status_code != 200:  # wrk would count a redirect to the sign-in page as served
        raise SystemExit(f"{url} signed in: {answer.status_code}")
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listed:
        listed.write("\n".join(cookies) + "\n")
    script = ["-s", str(ROOT / "bench" / "sessions.lua")]
    try:
        wrk(url, 2, connections, script, listed.name)  # warm-up
        return wrk(url, seconds, connections, script, listed.name)
    finally:
        os.unlink(listed.name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--customers", type=int, default=200, help="in the booking rush")
    parser.add_argument(
        "--provider", choices=["both", "stripe", "yookassa"], default="both", help="in the rush"
    )
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        print(json.dumps(prepare()))
        return 0
    if not shutil.which("wrk"):
        print("make bench needs wrk: apt install wrk", file=sys.stderr)
        return 1
    sys.path.insert(0, str(ROOT))
    from bench import lighthouse
    from bench.rush import PROVIDERS, gunicorn, localstripe, rush, summary, yookassa, yookassa_env

    database_url = fresh_database("bench-site")
    static_root = tempfile.mkdtemp(prefix="bench-static-")
    cache_dir = tempfile.mkdtemp(prefix="bench-cache-")
    env = production_env(database_url, static_root, cache_dir)
    manage = [PY, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    prepared = prepared_site(env)
    results, signed_results = {}, {}
    with (
        open(ROOT / "var" / "bench-gunicorn.log", "w") as log,
        localstripe() as stripe,
        yookassa(log=ROOT / "var" / "bench-yookassa.log") as checkout,
        gunicorn(
            {**env, "LOCALSTRIPE_URL": stripe, **yookassa_env(checkout)},
            workers=args.workers,
            log=log,
        ) as site,
    ):
        for name, path in prepared["pages"].items():
            wrk(site + path, 2, args.connections)  # warm-up
            results[name] = wrk(site + path, args.seconds, args.connections)
        signed = prepared["signed_in"]
        for name, (who, path) in signed["pages"].items():
            signed_results[name] = wrk_signed_in(
                site + path, signed["cookies"][who], args.seconds, args.connections
            )
        scores = lighthouse_scores(site, prepared)
        for path in prepared["watch"].values():
            for _ in range(2):  # kept (and what it shows noted) before the rush starts
                requests.get(site + path, timeout=30)
        stop = threading.Event()
        with ThreadPoolExecutor(1) as pool:
            watched = pool.submit(watch_pages, site, prepared["watch"], stop)
            started = time.perf_counter()
            outcomes = rush(
                site=site,
                localstripe=stripe,
                customers=args.customers,
                providers=PROVIDERS[args.provider],
                **prepared["rush"],
            )
            rushed = summary(outcomes, time.perf_counter() - started)
            stop.set()
            watched = watched.result()
    shutil.rmtree(static_root, ignore_errors=True)
    shutil.rmtree(cache_dir, ignore_errors=True)
    base = results["bare view (baseline)"]["rps"]
    vendor = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    seconds = int(os.environ.get("PAGE_CACHE_SECONDS", "60") or 0)
    cache_mode = f"page cache {seconds} s" if seconds else "page cache off"
    cache_url = env.get("CACHE_URL", "")
    cache_mode += ", cache in Redis" if cache_url.startswith("redis") else ", cache in files"
    lines = [
        f"gunicorn {args.workers} sync workers, `wrk -t2 -c{args.connections} "
        f"-d{args.seconds}s`, DEBUG off, {vendor}, {os.cpu_count()} cores, {cache_mode}",
        "",
        "| page | req/s | p50 ms | p99 ms | errors | ÷ bare view | queries rendered | "
        "queries cached |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, row in results.items():
        lines.append(
            f"| {name} | {row['rps']:.0f} | {row['p50']:.1f} | {row['p99']:.1f} | "
            f"{row['errors']} | {row['rps'] / base:.2f} | "
            f"{prepared['queries'][name]['rendered']} | {prepared['queries'][name]['cached']} |"
        )
    signed = prepared["signed_in"]
    lines += [
        "",
        "Signed in (bench/signed_in.py): each wrk connection a session of its own (a customer, "
        "a student, a teacher), in the same run as the bare view above; the customer's basket "
        "holds three lines, the teacher's report covers 10,000 orders. Queries: with the data "
        "as built and with ten times the data (the customer's orders, the queue, the "
        "manifest's bookings, the report's orders; a basket and an order of 30 lines), "
        "computed with nothing kept, as after a write to what the page shows; and, with ten "
        "times the data, from what the page kept (shop/core/table_versions.py)",
        "",
        "| page | req/s | p50 ms | p99 ms | errors | ÷ bare view | queries | queries, 10× data "
        "| queries, kept |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, row in signed_results.items():
        lines.append(
            f"| {name} | {row['rps']:.0f} | {row['p50']:.1f} | {row['p99']:.1f} | "
            f"{row['errors']} | {row['rps'] / base:.2f} | {signed['queries'][name]} | "
            f"{signed['queries_large'][name]} | {signed['queries_kept'][name]} |"
        )
    lines += [
        "",
        "Lighthouse (bench/lighthouse.py: npm lighthouse, Debian's Chromium headless, mobile), "
        "the same server; the basket, payment page and queue signed in (their pages ask not "
        "to be indexed, so Lighthouse's SEO check of them fails by design)",
        "",
        *lighthouse.table(scores),
        "",
        *(
            f"- {name}: below 100 on {', '.join(row['failed'])}"
            for name, row in scores.items()
            if row["failed"]
        ),
    ]
    told = rushed["results"]
    lines += [
        "",
        f"Booking rush: {args.customers} customers at once for the last {RUSH_SEATS} seats of one "
        "departure, each through the booking page, guest checkout, a card payment "
        f"({PAYING[args.provider]}) and the return page",
        "",
        "| customers | paid | told sold out | errors | 5xx | requests | p50 ms | p99 ms "
        "| seconds |",
        "|---|---|---|---|---|---|---|---|---|",
        f"| {rushed['customers']} | {told.get('paid', 0)} | {told.get('refused', 0)} | "
        f"{told.get('error', 0) + told.get('unknown', 0)} | {rushed['server_errors']} | "
        f"{rushed['requests']} | {rushed['p50']:.0f} | {rushed['p99']:.0f} | "
        f"{rushed['seconds']:.1f} |",
        "",
        "During the rush, each page below requested by a new anonymous visitor every half "
        "second: a seat sold makes only the rushed tour's page (and the lists) stale",
        "",
        "| page | requests | from the page cache | rendered |",
        "|---|---|---|---|",
        *(
            f"| {name} | {row['hit'] + row['rendered']} | {row['hit']} | {row['rendered']} |"
            for name, row in watched.items()
        ),
    ]
    table = "\n".join(lines)
    print(table)
    (ROOT / "var" / "bench-site.md").write_text(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
