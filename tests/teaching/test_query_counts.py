"""The report and portfolio pages use aggregate queries: three times the data, the same
number of queries (the benchmark, `make bench-reports`, measures 10,000 orders)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.teaching_data import generate, students
from shop.teaching.models import Period
from tests.checkout.helpers import gingerbread, make_departure

pytestmark = [pytest.mark.django_db]


def queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_query_counts_do_not_grow_with_the_data(client, teacher):
    today = timezone.localdate()
    period = Period.objects.create(
        name="Два месяца", starts_on=today - dt.timedelta(days=61), ends_on=today
    )
    product, departure = gingerbread(price="250", stock=10**6), make_departure(capacity=20_000)
    report = f"/team/reports/?first={period.starts_on}&last={today}&every=week"
    client.force_login(teacher)

    generate(orders=30, product=product, departure=departure, prefix="S")
    student = students()[0]
    portfolio = f"/team/students/{student.pk}/?period={period.pk}"
    small = (
        queries(client, report),
        queries(client, portfolio),
        queries(client, "/team/students/"),
    )
    generate(orders=60, product=product, departure=departure, prefix="L", seed=8)
    large = (
        queries(client, report),
        queries(client, portfolio),
        queries(client, "/team/students/"),
    )

    assert small == large and min(small) > 3, (small, large)
