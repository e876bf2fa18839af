"""80 customers over HTTP against gunicorn try to book the last 20 seats of a departure: on
PostgreSQL two servers share the database and a Redis cache (production with several app
servers), on SQLite one server (a single machine, as `make run`). Both ways to pay are on and
the customers take turns: a foreign card through Stripe, a Russian card through YooKassa.
Two servers sharing Redis show the same, fresh, seat counts.
"""

import contextlib

import pytest
import requests
from django.conf import settings
from django.db import connection
from oscar.core.loading import get_model

from bench.rush import PROVIDERS, gunicorn, redis_server, rush
from shop.bookings.models import Departure
from shop.payments import providers
from shop.payments.models import PaymentAttempt
from shop.payments.providers import PaymentState
from tests.factories import make_tour

pytestmark = [
    pytest.mark.payments,
    pytest.mark.yookassa,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

# Four customers for each seat keep every server worker busy and the seats contended to the
# last one; `make bench` runs the same rush with 200 for its latencies.
CUSTOMERS, SEATS = 80, 20


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return (
        f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST']}:"
        f"{settings['PORT']}/{settings['NAME']}"
    )


def app_env(localstripe_url, cache_url="") -> dict:
    env = {
        "DJANGO_SETTINGS_MODULE": "shop.settings.test",
        "DATABASE_URL": database_url(),
        "STRIPE_SECRET_KEY": "",
        "LOCALSTRIPE_URL": localstripe_url,
        # Both ways to pay, YooKassa through the session's local server (tests/conftest.py).
        "PAYMENT_PROVIDERS": ",".join(settings.PAYMENT_PROVIDERS),
        "YOOKASSA_SHOP_ID": settings.YOOKASSA_SHOP_ID,
        "YOOKASSA_SECRET_KEY": settings.YOOKASSA_SECRET_KEY,
        "YOOKASSA_API_URL": settings.YOOKASSA_API_URL,
    }
    if cache_url:
        env["CACHE_URL"] = cache_url
    return env


def start_servers(stack, env, tmp_path, servers: int) -> list:
    sites = []
    for index in range(servers):
        log = stack.enter_context(open(tmp_path / f"gunicorn-{index}.log", "w"))  # noqa: SIM115
        sites.append(stack.enter_context(gunicorn(env, workers=4 // servers, log=log)))
    return sites


def run_rush(localstripe_url, tmp_path, *, servers: int):
    tour = make_tour(title="Фестивальный выезд", departures=1, capacity=SEATS)
    departure = Departure.objects.get(tour__product=tour)
    payments_before = payment_ids()
    with contextlib.ExitStack() as stack:
        cache_url = ""
        if servers > 1:
            # As in production with several app servers: the cache is shared too.
            log = stack.enter_context(open(tmp_path / "redis.log", "w"))
            cache_url = stack.enter_context(redis_server(log=log))
        sites = start_servers(stack, app_env(localstripe_url, cache_url), tmp_path, servers)
        outcomes = rush(
            site=sites,
            localstripe=localstripe_url,
            tour=tour.pk,
            departure=departure.pk,
            customers=CUSTOMERS,
            providers=PROVIDERS["both"],
        )
    assert_exactly_the_seats_were_sold(departure, outcomes, payments_before)


def payment_ids() -> dict[str, set[str]]:
    """Each provider's payments, as its local server lists them (the session shares them)."""
    return {code: {p.id for p in providers.get(code).payments()} for code in PROVIDERS["both"]}


def assert_exactly_the_seats_were_sold(departure, outcomes, payments_before):
    errors = [o for o in outcomes if o.result == "error"]
    assert not errors, [(o.customer, o.message) for o in errors[:5]]
    assert not [s for o in outcomes for s in o.statuses if s >= 500]
    paid = [o for o in outcomes if o.result == "paid"]
    refused = [o for o in outcomes if o.result == "refused"]
    assert len(paid) == SEATS and len(refused) == CUSTOMERS - SEATS
    assert all("распродан" in o.message.lower() or "мест" in o.message.lower() for o in refused)

    record = StockRecord.objects.get(product_id=departure.pk)
    assert (record.num_in_stock, record.num_allocated) == (SEATS, SEATS)
    orders = Order.objects.filter(lines__product_id=departure.pk).distinct()
    assert orders.count() == SEATS and {o.status for o in orders} == {"Paid"}
    # Money, per provider: exactly its paid orders' payments were captured, each once, every
    # other one let go.
    for code in PROVIDERS["both"]:
        paid_here = [o for o in paid if o.provider == code]
        assert paid_here, f"nobody paid through {code}"
        new = [p for p in providers.get(code).payments() if p.id not in payments_before[code]]
        captured = [p.id for p in new if p.state == PaymentState.CAPTURED]
        assert {p.state for p in new} <= {PaymentState.CAPTURED, PaymentState.CANCELED}
        attempts = PaymentAttempt.objects.filter(provider=code, provider_payment_id__in=captured)
        assert sorted(a.order.number for a in attempts) == sorted(o.order_number for o in paid_here)
        assert len(captured) == len(paid_here)


@pytest.mark.sqlite
def test_the_last_seats_go_to_exactly_that_many_customers(localstripe_url, tmp_path):
    """On PostgreSQL each customer's requests alternate between two gunicorn processes on
    different ports: sessions, baskets and payments live in the database, cached pages in
    Redis, nothing in a server. (One server on the same database takes the same locks.)"""
    run_rush(localstripe_url, tmp_path, servers=2 if connection.vendor == "postgresql" else 1)


def test_two_app_servers_share_cached_pages_and_a_seat_sold_on_one_shows_on_the_other(
    localstripe_url, tmp_path
):
    tour = make_tour(title="Фестивальный выезд", departures=1, capacity=SEATS)
    departure = Departure.objects.get(tour__product=tour)
    url = tour.get_absolute_url()

    def visit(site):
        # One public address in front of both, as a load balancer gives them.
        response = requests.get(site + url, headers={"Host": "localhost"}, timeout=30)
        response.raise_for_status()
        return response.headers.get("X-Page-Cache"), response.text.replace("\xa0", " ")

    with contextlib.ExitStack() as stack:
        log = stack.enter_context(open(tmp_path / "redis.log", "w"))
        cache_url = stack.enter_context(redis_server(log=log))
        first, second = start_servers(stack, app_env(localstripe_url, cache_url), tmp_path, 2)

        assert visit(first)[0] == "miss"
        state, html = visit(second)  # rendered by the other server, kept in Redis
        assert state == "hit" and f"Осталось {SEATS} мест" in html

        (outcome,) = rush(
            site=first,
            localstripe=localstripe_url,
            tour=tour.pk,
            departure=departure.pk,
            customers=1,
        )
        assert outcome.result == "paid", outcome.message
        state, html = visit(second)
        assert state == "miss" and f"Осталось {SEATS - 1} мест" in html
        assert f"Осталось {SEATS} мест" not in visit(first)[1]
