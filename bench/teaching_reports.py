"""Queries and render time of the teachers' report and portfolio pages, small and large.

    python -m bench.teaching_reports [ORDERS]     (or: make bench-reports; default 10,000)

Builds the data in a throwaway test database (SQLite by default, PostgreSQL when
DATABASE_URL says so): first 1% of ORDERS, then ORDERS orders with about five activity
entries each, and prints a Markdown table of queries and the median of five renders.
tests/teaching/test_query_counts.py fails when a page's query count grows with the data.
"""

import os
import statistics
import sys
import time


def measure(client, url) -> tuple[int, float]:
    from django.db import connection

    client.get(url)
    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(5):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    return len(executed), statistics.median(times)


def run(total: int) -> list[tuple]:
    import datetime as dt

    from django.contrib.auth.models import Group
    from django.test import Client
    from django.utils import timezone

    from bench.teaching_data import generate, students
    from shop.activity.models import ActivityEntry
    from shop.core.roles import TEACHERS, roles_ensure_groups
    from shop.teaching.models import Period
    from tests.checkout.helpers import gingerbread, make_departure

    roles_ensure_groups()
    from django.contrib.auth import get_user_model

    teacher = get_user_model().objects.create_user(username="bench-teacher", password="x")
    teacher.groups.add(Group.objects.get(name=TEACHERS))
    client = Client()
    client.force_login(teacher)
    today = timezone.localdate()
    period = Period.objects.create(
        name="bench", starts_on=today - dt.timedelta(days=61), ends_on=today
    )
    product, departure = gingerbread(price="250", stock=10**6), make_departure(capacity=20_000)
    pages = {}

    def urls():
        student = students()[0]
        report = f"/team/reports/?first={period.starts_on}&last={today}&every=week"
        return {
            "report (60 days, by week)": report,
            "report CSV export": report + "&export=csv",
            "portfolio": f"/team/students/{student.pk}/?period={period.pk}",
            "students": f"/team/students/?period={period.pk}",
        }

    sizes = []
    small = max(total // 100, 10)
    for label, count, prefix in (("small", small, "S"), ("large", total - small, "L")):
        started = time.perf_counter()
        generate(
            orders=count, product=product, departure=departure, prefix=prefix, seed=len(prefix)
        )
        sizes.append((label, time.perf_counter() - started))
        for page, url in urls().items():
            pages.setdefault(page, {})[label] = measure(client, url)
        pages.setdefault("_data", {})[label] = (
            __import__("oscar.core.loading", fromlist=["x"])
            .get_model("order", "Order")
            .objects.count(),
            ActivityEntry.objects.count(),
        )
    return pages


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.test")
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    total = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    setup_test_environment()
    # Its own throwaway database, so that a benchmark never clobbers the test suite's.
    test = connection.settings_dict.setdefault("TEST", {})
    if connection.vendor == "sqlite":
        from django.conf import settings

        test["NAME"] = str(settings.VAR_DIR / "bench-db.sqlite3")
    else:
        test["NAME"] = "bench_" + connection.settings_dict["NAME"]
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        pages = run(total)
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)
    data = pages.pop("_data")
    print(f"Teachers' pages on {connection.vendor}:")
    print(
        f"small: {data['small'][0]:,} orders, {data['small'][1]:,} activity entries; "
        f"large: {data['large'][0]:,} orders, {data['large'][1]:,} activity entries\n"
    )
    print("| page | queries small | queries large | ms small | ms large |")
    print("|---|---|---|---|---|")
    for page, by_size in pages.items():
        (qs, ms_s), (ql, ms_l) = by_size["small"], by_size["large"]
        print(f"| {page} | {qs} | {ql} | {ms_s:.0f} | {ms_l:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
