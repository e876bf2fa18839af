"""The shared cache (a real redis-server, started by the test) goes away: every storefront
page still renders, from the database, and the outage is logged; when Redis answers again,
pages are kept again, and none kept before the outage comes back showing what changed
meanwhile."""

import os
import signal
import socket
import subprocess
import time

import pytest
from django.test import Client
from oscar.core.loading import get_model

from bench.rush import free_port
from shop.core import cache_backend
from shop.settings.base import cache_aliases

pytestmark = [pytest.mark.django_db]

StockRecord = get_model("partner", "StockRecord")


class Redis:
    """redis-server on a loopback port, nothing kept on disk; stopped, paused and started
    again by the test."""

    def __init__(self):
        self.port = free_port()
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port)]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), 1) as connection:
                    connection.sendall(b"PING\r\n")
                    if connection.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self):
        self.process.terminate()
        self.process.wait(10)

    def pause(self):
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self):
        os.kill(self.process.pid, signal.SIGCONT)


@pytest.fixture
def redis(settings, monkeypatch):
    server = Redis()
    server.start()
    monkeypatch.setattr(cache_backend, "RETRY_AFTER", 0.3)
    cache_backend._state.clear()
    settings.CACHES = cache_aliases(
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": server.url}
    )
    yield server
    if server.process.poll() is None:
        server.resume()
        server.stop()


def visit(url):
    response = Client().get(url)
    return response, response.content.decode().replace("\xa0", " ")


def storefront(content) -> list[str]:
    return [
        content["home"].url,
        "/shop/catalogue/",
        content["tour"].get_absolute_url(),
        content["gingerbread"].get_absolute_url(),
        content["tour_page"].url,
        content["calendar"].url,
        content["embed"].url,
        content["contact"].url,
        "/search/?q=нерпа",
    ]


def test_with_redis_gone_every_page_renders_and_caching_resumes(content, redis, caplog):
    product = content["gingerbread"].get_absolute_url()
    visit(product)
    assert visit(product)[0]["X-Page-Cache"] == "hit"

    redis.stop()
    for url in storefront(content):
        response, _html = visit(url)
        assert response.status_code == 200, url
        assert response.get("X-Page-Cache") != "hit", url
    assert "cannot be reached" in caplog.text

    redis.start()
    time.sleep(0.4)
    visit(product)
    response, html = visit(product)
    assert response["X-Page-Cache"] == "hit" and "Пряник «Нерпа»" in html
    assert "answers again" in caplog.text


def test_a_change_made_while_redis_was_away_shows_when_it_is_back(content, redis):
    product = content["gingerbread"].get_absolute_url()
    visit(product)
    assert visit(product)[0]["X-Page-Cache"] == "hit"

    redis.pause()  # unreachable (timeouts), its data kept: what was cached is still there
    record = StockRecord.objects.get(product=content["gingerbread"])
    record.price = "290.00"
    record.save()  # the storefront version's bump is lost
    response, html = visit(product)
    assert response.status_code == 200 and "290 ₽" in html

    redis.resume()
    time.sleep(0.4)
    response, html = visit(product)
    assert response["X-Page-Cache"] == "miss"
    assert "290 ₽" in html and "250 ₽" not in html


@pytest.mark.django_db(transaction=True)
def test_a_value_kept_before_the_outage_is_not_served_after_it(redis):
    """A teacher's report and the like (shop/core/table_versions.py) under the same rule."""
    from django.contrib.auth.models import Group
    from django.core.cache import cache

    from shop.core.table_versions import kept

    def names():
        return sorted(Group.objects.filter(name__startswith="т:").values_list("name", flat=True))

    Group.objects.create(name="т:гиды")
    for _ in range(3):
        assert kept("outage", (), names) == ["т:гиды"]

    version = cache.get("table:auth_group")

    redis.pause()
    Group.objects.create(name="т:кассиры")
    assert kept("outage", (), names) == ["т:гиды", "т:кассиры"]

    redis.resume()
    time.sleep(0.4)
    cache.set("table:auth_group", version)  # the table's new version was lost
    assert kept("outage", (), names) == ["т:гиды", "т:кассиры"]
