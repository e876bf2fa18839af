"""SQL queries per storefront page, with a small and a ten times larger catalogue.

    python -m bench.query_counts          (or: make bench-queries)

Builds the data in a throwaway test database (SQLite by default, PostgreSQL when
DATABASE_URL says so), requests each page as an anonymous visitor and prints a Markdown
table. The same measurement backs tests/catalogue/test_query_counts.py, which fails when a
page's count grows with the data.
"""

import collections
import os
import sys


def count_queries(client, url: str) -> int:
    """Queries one GET of `url` issues, after a warm-up request (per-process caches)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    _rebuild_fragments()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured.captured_queries)


def _rebuild_fragments() -> None:
    """A new storefront version, so the page is built anew rather than from its cached
    fragments. When the clock next changes what the storefront shows is computed once per
    version for every page (two queries) and belongs to no page: it is done here."""
    from shop.core.freshness import catalogue_changed, catalogue_version

    catalogue_changed()
    catalogue_version()


def query_shapes(client, url: str) -> collections.Counter:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    _rebuild_fragments()
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return collections.Counter(q["sql"][:120] for q in captured.captured_queries)


def build_catalogue(products: int, *, start: int = 0) -> None:
    """Half gingerbread, half tours with three departures each, alternating on every page."""
    from tests.factories import make_gingerbread, make_tour

    for index in range(start, start + products):
        if index % 2:
            make_gingerbread(title=f"{index:03d} Пряник")
        else:
            make_tour(title=f"{index:03d} Экскурсия", departures=3)


def pages_for(tour, departure) -> dict[str, str]:
    return {
        "catalogue": "/shop/catalogue/",
        "tours only": "/shop/catalogue/?type=tour",
        "tour page": tour.get_absolute_url(),
        "booking page": f"/shop/tours/{tour.pk}/book/?departure={departure.pk}",
    }


def measure() -> list[tuple[str, int, int]]:
    from django.test import Client

    from tests.factories import make_tour

    client = Client()
    rows = []
    small_tour = make_tour(title="Тур на 10 дат", departures=10)
    big_tour = make_tour(title="Тур на 100 дат", departures=100)
    build_catalogue(8)  # with the two tours above: 10 products
    small = {
        "catalogue (10 → 100 products)": count_queries(client, "/shop/catalogue/"),
        "tour page (10 → 100 departures)": count_queries(client, small_tour.get_absolute_url()),
    }
    build_catalogue(90, start=8)
    large = {
        "catalogue (10 → 100 products)": count_queries(client, "/shop/catalogue/"),
        "tour page (10 → 100 departures)": count_queries(client, big_tour.get_absolute_url()),
    }
    for name in small:
        rows.append((name, small[name], large[name]))
    departure = big_tour.tour.departures.first()
    for name, url in pages_for(big_tour, departure).items():
        if name in ("catalogue", "tour page"):
            continue
        rows.append((name + " (100 products)", count_queries(client, url), None))
    return rows


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.test")
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

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
        rows = measure()
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)
    print(f"Queries per page on {connection.vendor}:\n")
    print("| page | small | large |")
    print("|---|---|---|")
    for page, small, large in rows:
        print(f"| {page} | {small} | {'' if large is None else large} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
