"""Pages of people who are signed in: a customer's, a student's and a teacher's.

    python -m bench.signed_in [--orders 10000] [--runs 20]     (or: make bench-signed-in)

Quick and in-process: builds the data in a fresh database of its own (var/bench-signed.sqlite3,
or `<name>_bench` beside a PostgreSQL DATABASE_URL, as bench/site.py does), runs Django's test
client with the production settings (DEBUG off, cached templates, the file cache) and prints
each page's queries, with the data as built and with ten times the data, and the median
milliseconds of --runs renders. `--profile NAME` prints a cProfile of that page instead.
`make bench` (bench/site.py) builds the same data and loads the same pages over HTTP.

The data: a catalogue (tours, gingerbread, the home page); a customer with orders placed
through the checkout's own path (basket, attempt, OrderCreator, tickets) and an open basket
with gingerbread and a booking of two ticket types, delivery chosen (the payment page opens);
orders waiting for the team and a departure with bookings (the student's queue, the week's
tours, the manifest); 1/10 of --orders generated orders for the teacher's report, portfolio
and gradebook (bench/teaching_data.py). Ten times the data: ten times each of these (the
customer's orders, the basket's lines, the queue, the manifest's bookings, the report's
orders); the page loaded under wrk keeps its realistic size (a basket of three lines) in the
larger database.
"""

import argparse
import cProfile
import datetime as dt
import gc
import json
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SESSIONS = 8  # one per wrk connection


def _place(user, *, gingerbread=None, departure=None, method="pickup-college", people=None):
    """An order placed as the checkout places it (no payment record stands behind it), paid,
    with its tickets."""
    from django.db import transaction
    from django.utils import timezone
    from oscar.core.loading import get_model

    from shop.bookings.basket_services import BookingRequest, basket_add_booking
    from shop.bookings.tickets import tickets_issue
    from shop.order.statuses import OrderStatus
    from shop.partner.strategy import Selector
    from shop.payments.models import Provider
    from shop.payments.placement import order_place_from_attempt, shipping_for
    from shop.payments.services import attempt_create

    Basket = get_model("basket", "Basket")  # noqa: N806
    with transaction.atomic():
        basket = Basket.objects.create(owner=user)
        basket.strategy = Selector().strategy(user=user)
        if gingerbread is not None:
            basket.add_product(gingerbread, 2)
        if departure is not None:
            basket_add_booking(
                basket,
                departure,
                BookingRequest(
                    tickets=people or {"adult": 2, "child": 1},
                    lead_name=f"{user.first_name} {user.last_name}",
                    lead_phone="+79025551234",
                    participants=["Иван Петров", "Маша Петрова"],
                ),
            )
        attempt = attempt_create(
            basket=basket,
            user=user,
            guest_email="",
            shipping_method_code=method,
            shipping_address={},
            amount=0,
            consented_at=timezone.now(),
            provider=Provider.NONE,
        )
        shipping_method, _address = shipping_for(attempt, basket)
        attempt.amount = basket.total_incl_tax + shipping_method.calculate(basket).incl_tax
        attempt.save(update_fields=["amount"])
        order = order_place_from_attempt(attempt)
        # As attempt_settle marks it once the money is captured.
        type(order).objects.filter(pk=order.pk).update(status=OrderStatus.PAID)
        order.status = OrderStatus.PAID
        tickets_issue(order)
    return order


def _open_basket(user, *, gingerbreads, departures):
    """The user's open basket: two of each gingerbread, an adult and a child on each
    departure."""
    from oscar.core.loading import get_model

    from shop.bookings.basket_services import BookingRequest, basket_add_booking
    from shop.partner.strategy import Selector

    basket = get_model("basket", "Basket").objects.create(owner=user)
    basket.strategy = Selector().strategy(user=user)
    for product in gingerbreads:
        basket.add_product(product, 2)
    for departure in departures:
        basket_add_booking(
            basket,
            departure,
            BookingRequest(
                tickets={"adult": 1, "child": 1},
                lead_name="Анна Иванова",
                lead_phone="+79025551234",
            ),
        )
    return basket


def _user(username, *, group=None, **fields):
    from django.contrib.auth import get_user_model

    from tests.factories import make_member

    if group:
        return make_member(group, username, first_name="Мария", last_name="Сергеева")
    return get_user_model().objects.create_user(
        username=username,
        email=f"{username}@example.com",
        password="pw-123456",
        first_name="Анна",
        last_name="Иванова",
        **fields,
    )


def build(report_orders: int = 10_000) -> dict:
    """The data as built (see the module's docstring); returns what `grow` and `pages` need."""
    from django.utils import timezone

    from bench.teaching_data import generate
    from shop.bookings.models import Departure
    from shop.core.roles import STUDENTS, TEACHERS
    from shop.teaching.models import Period
    from tests.checkout.helpers import gingerbread, make_departure
    from tests.factories import make_home_page, make_tour, tours_category

    if not _home_exists():
        make_home_page(
            body=[
                {
                    "type": "featured_tours",
                    "value": {"heading": "Экскурсии", "lead": "", "limit": 3},
                },
                {"type": "gingerbread", "value": {"heading": "Пряники", "lead": "", "limit": 3}},
            ]
        )
    tours_category()
    boxes = [gingerbread(title=f"Пряник «Омуль» {n:02d}", stock=10**6) for n in range(10)]
    tour = make_tour(title="Вдоль Байкала", departures=30, capacity=2000)
    departures = list(Departure.objects.filter(tour__product=tour).order_by("starts_at"))
    customer = _user("bench-customer")
    big = _user("bench-customer-big")
    student = _user("bench-student", group=STUDENTS)
    teacher = _user("bench-teacher", group=TEACHERS)
    today = timezone.localdate()
    period = Period.objects.create(
        name="bench", starts_on=today - dt.timedelta(days=61), ends_on=today
    )
    state = {
        "customer": customer.username,
        "big": big.username,
        "student": student.username,
        "teacher": teacher.username,
        "boxes": [b.pk for b in boxes],
        "departures": [d.pk for d in departures],
        "manifest": departures[1].pk,
        "period": period.pk,
        "report_orders": report_orders,
        "size": 1,
    }
    # The report's orders on a tour of their own, so that the manifest shows only its own.
    state["report_product"] = gingerbread(title="Пряник «Отчётный»", price="250", stock=10**6).pk
    state["report_departure"] = make_departure(capacity=20_000).pk
    _add(state, 1)
    state["order"] = _orders_of(customer)[0]
    _open_basket(customer, gingerbreads=boxes[:1], departures=departures[:1])
    _open_basket(big, gingerbreads=boxes, departures=departures[:10])
    generate(
        orders=report_orders // 10,
        product=_product(state["report_product"]),
        departure=Departure.objects.get(pk=state["report_departure"]),
        prefix="S",
    )
    return state


def grow(state: dict) -> None:
    """Ten times the data of `build` (the open baskets are built large already)."""
    from bench.teaching_data import generate
    from shop.bookings.models import Departure

    _add(state, 9)
    generate(
        orders=state["report_orders"] - state["report_orders"] // 10,
        product=_product(state["report_product"]),
        departure=Departure.objects.get(pk=state["report_departure"]),
        prefix="L",
        seed=8,
    )
    state["size"] = 10
    analyse()


def analyse() -> None:
    """The planner's statistics of the data just built, as autovacuum keeps them on a
    database in use (without them PostgreSQL plans the pages' queries on guesses)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _add(state: dict, times: int) -> None:
    """`times` × (five orders of the customer, the first with gingerbread for the team to
    pack; two others' bookings on the manifest's departure with gingerbread handed over at
    its meeting point; one order sent by post): a queue of 4 and a manifest of 2 bookings,
    ten times that after `grow`."""
    from django.contrib.auth import get_user_model
    from oscar.core.loading import get_model

    from shop.bookings.models import Departure

    User = get_user_model()  # noqa: N806
    customer = User.objects.get(username=state["customer"])
    Product = get_model("catalogue", "Product")  # noqa: N806
    boxes = list(Product.objects.filter(pk__in=state["boxes"]).order_by("pk"))
    departures = list(Departure.objects.filter(pk__in=state["departures"]).order_by("starts_at"))
    manifest = next(d for d in departures if d.pk == state["manifest"])
    for n in range(times):
        box = boxes[n % len(boxes)]
        _place(customer, gingerbread=box, departure=departures[0])
        for k in range(4):
            _place(customer, departure=departures[2 + k], method="no-shipping-required")
        other = User.objects.create_user(
            username=f"bench-buyer-{User.objects.count()}", first_name="Пётр", last_name="Сидоров"
        )
        for _k in range(2):
            _place(other, gingerbread=box, departure=manifest, method="pickup-meeting-point")
        _place(other, gingerbread=box, method="post-russia")


def _product(pk):
    from oscar.core.loading import get_model

    return get_model("catalogue", "Product").objects.get(pk=pk)


def _home_exists() -> bool:
    from cms.models import HomePage

    return HomePage.objects.exists()


def _orders_of(user) -> list[str]:
    return list(user.orders.order_by("-date_placed").values_list("number", flat=True))


def pages(state: dict) -> dict:
    """{page: (who, address)}: who is a username; the big customer's rows show the basket and
    order of ten times the lines."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from bench.teaching_data import students
    from shop.bookings.models import Departure

    departure = Departure.objects.get(pk=state["departures"][0])
    period, pupil = state["period"], students()[0].pk
    today = timezone.localdate()
    first = today - dt.timedelta(days=61)
    report = f"/team/reports/?first={first}&last={today}&every=week"
    customer, student, teacher = state["customer"], state["student"], state["teacher"]
    customer_user = get_user_model().objects.get(username=customer)
    return {
        "customer: home": (customer, "/"),
        "customer: account orders": (customer, "/shop/accounts/orders/"),
        "customer: an order": (customer, f"/shop/accounts/orders/{state['order']}/"),
        "customer: basket": (customer, "/shop/basket/"),
        "customer: booking page": (
            customer,
            f"/shop/tours/{departure.tour.product_id}/book/?departure={departure.pk}",
        ),
        "customer: payment page": (customer, "/shop/checkout/payment-details/"),
        "student: queue": (student, "/team/"),
        "student: tours": (student, "/team/tours/"),
        "student: manifest": (student, f"/team/tours/{state['manifest']}/"),
        "teacher: report (orders)": (teacher, report),
        "teacher: portfolio": (teacher, f"/team/students/{pupil}/?period={period}"),
        "teacher: gradebook": (teacher, f"/team/gradebook/?period={period}"),
        "_orders": (customer, str(customer_user.orders.count())),
    }


def big_pages(state: dict) -> dict:
    """The rows whose size is the visitor's own (their basket, an order): the big customer's."""
    from django.contrib.auth import get_user_model

    big = get_user_model().objects.get(username=state["big"])
    order = big.orders.order_by("-date_placed").values_list("number", flat=True).first()
    rows = {
        "customer: basket": (state["big"], "/shop/basket/"),
        "customer: payment page": (state["big"], "/shop/checkout/payment-details/"),
    }
    if order:
        rows["customer: an order"] = (state["big"], f"/shop/accounts/orders/{order}/")
    return rows


def signed_in_client(username: str):
    """A test client signed in as `username`, with delivery chosen (the payment page opens)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    response = client.post("/shop/checkout/shipping-method/", {"method_code": "pickup-college"})
    assert response.status_code in (200, 302), response.status_code
    return client


def session_cookies(state: dict, count: int = SESSIONS) -> dict:
    """{username: [Cookie header, …]}: `count` sessions of each person, for wrk."""
    from django.conf import settings

    cookies = {}
    for username in {state["customer"], state["student"], state["teacher"]}:
        cookies[username] = [
            f"{settings.SESSION_COOKIE_NAME}="
            + signed_in_client(username).cookies[settings.SESSION_COOKIE_NAME].value
            for _ in range(count)
        ]
    return cookies


def count_queries(client, url: str, *, kept: bool = False) -> int:
    """Queries of one GET of `url`, after a warm-up request (per-process caches). Computed:
    with nothing kept from before (shop/core/table_versions.py), as after any write to what
    the page shows; `kept`: right after that, from what the page kept."""
    from django.db import connection

    from shop.core.table_versions import every_table_changed

    executed = []

    def wrapper(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    client.get(url)
    every_table_changed()
    if kept:
        client.get(url)
    with connection.execute_wrapper(wrapper):
        response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url}: {response.status_code}")
    return len(executed)


def query_counts(state: dict, clients: dict, pages_: dict, *, kept: bool = False) -> dict:
    counts = {}
    for name, (who, url) in pages_.items():
        if name.startswith("_"):
            continue
        if who not in clients:
            clients[who] = signed_in_client(who)
        counts[name] = count_queries(clients[who], url, kept=kept)
    return counts


def milliseconds(client, url: str, runs: int) -> float:
    """The median CPU milliseconds of this process per request: steadier than the wall clock
    on a machine that does other work (SQLite runs in the process, so its work counts)."""
    client.get(url)
    times = []
    for _ in range(runs):
        start = time.process_time()
        client.get(url)
        times.append((time.process_time() - start) * 1000)
    return statistics.median(times)


def measure(report_orders: int, runs: int, profile: str | None, reuse: bool) -> None:
    """(In the child, with the production settings.)"""
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.test import Client

    started = time.perf_counter()
    kept = ROOT / "var" / "bench-signed.json"
    clients = {}
    if reuse and kept.exists():
        # The queries with ten times the data are counted again: the code may have changed.
        state, small, large = json.loads(kept.read_text())
        large = query_counts(state, {}, {**pages(state), **big_pages(state)})
    else:
        state = build(report_orders)
        small = query_counts(state, clients, pages(state))
        grow(state)
        large = query_counts(state, {}, {**pages(state), **big_pages(state)})
        kept.write_text(json.dumps([state, small, large]))
    from_kept = query_counts(state, {}, pages(state), kept=True)
    rows = pages(state)
    for who, _url in rows.values():
        if who not in clients:
            clients[who] = signed_in_client(who)
    built = time.perf_counter() - started
    # As shop/wsgi.py does in a server's process.
    gc.collect()
    gc.freeze()
    if profile and profile.startswith("sql:"):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        who, url = rows[profile[4:]]
        clients[who].get(url)
        with CaptureQueriesContext(connection) as captured:
            clients[who].get(url)
        for query in captured.captured_queries:
            print(query["time"], query["sql"][:300])
        return
    if profile:
        who, url = rows[profile]
        for _ in range(3):
            clients[who].get(url)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(runs):
            clients[who].get(url)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(80)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        return
    bare = Client()
    bare_ms = milliseconds(bare, "/bench/bare/", runs)
    print(f"Signed-in pages, in-process, production settings (data built in {built:.0f} s):\n")
    print("| page | CPU ms | ÷ bare view (ms) | queries | queries, 10× data | queries, kept |")
    print("|---|---|---|---|---|---|")
    print(f"| bare view | {bare_ms:.1f} | 1.00 | 0 | 0 | 0 |")
    for name, (who, url) in rows.items():
        if name.startswith("_"):
            continue
        ms = milliseconds(clients[who], url, runs)
        print(
            f"| {name} | {ms:.1f} | {bare_ms / ms:.3f} | {small[name]} | {large[name]} | "
            f"{from_kept[name]} |"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000, help="in the teacher's report")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--profile", help="a page's name: print its cProfile")
    parser.add_argument(
        "--reuse", action="store_true", help="the database and data of the last run, as they are"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure(args.orders, args.runs, args.profile, args.reuse)
        return 0
    sys.path.insert(0, str(ROOT))
    from bench.site import database_url_of, fresh_database, production_env

    name = "bench-signed"
    database_url = database_url_of(name) if args.reuse else fresh_database(name)
    # Static files collected once and kept (collectstatic copies only what changed).
    env = production_env(database_url, str(ROOT / "var" / "bench-static"))
    env["CACHE_URL"] = env.get("CACHE_URL") or f"filecache://{tempfile.mkdtemp(prefix='bc-')}"
    manage = [PY, "manage.py"]
    if not args.reuse:
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    command = [PY, "-m", "bench.signed_in", "--child", "--orders", str(args.orders)]
    command += ["--runs", str(args.runs)] + (["--reuse"] if args.reuse else [])
    command += ["--profile", args.profile] if args.profile else []
    return subprocess.run(command, cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
