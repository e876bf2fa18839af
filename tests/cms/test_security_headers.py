"""Every response carries an enforced Content-Security-Policy whose nonce its inline scripts
use (a page from the page cache too, with a nonce of its own), and a Permissions-Policy that
opens the camera only where the check-in scanner needs it; gunicorn names no server."""

import json
import re

import pytest
import requests
from django.test import Client

pytestmark = [pytest.mark.django_db]

NONCE = re.compile(r"'nonce-([^']+)'")


def policy(response) -> str:
    assert "Content-Security-Policy-Report-Only" not in response
    return response["Content-Security-Policy"]


def inline_nonces(html: str) -> set[str]:
    return set(re.findall(r'<script nonce="([^"]+)"', html))


def test_a_page_names_the_nonce_its_inline_scripts_carry(content):
    response = Client().get(content["home"].url)
    header = policy(response)

    assert "script-src 'self' 'nonce-" in header and "object-src 'none'" in header
    assert inline_nonces(response.content.decode()) == {NONCE.search(header).group(1)}
    assert "'unsafe-inline'" not in header.split("script-src")[1].split(";")[0]


def test_a_kept_page_is_served_with_a_nonce_of_its_own(content):
    url = content["gingerbread"].get_absolute_url()
    first = Client().get(url)
    second = Client().get(url)

    assert second["X-Page-Cache"] == "hit"
    nonce = NONCE.search(policy(second)).group(1)
    assert inline_nonces(second.content.decode()) == {nonce}
    assert nonce != NONCE.search(policy(first)).group(1)


def test_the_payment_providers_origin_may_serve_scripts_and_be_called(client, settings):
    settings.STRIPE_JS_URL = "https://js.stripe.example/v3/"
    settings.CSP_EXTRA_SOURCES = {"frame-src": ["https://pay.example"]}
    header = policy(client.get("/robots.txt"))

    directives = dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    assert "https://js.stripe.example" in directives["script-src"]
    assert "https://js.stripe.example" in directives["connect-src"]
    assert "https://pay.example" in directives["frame-src"]
    assert "https://js.stripe.example" not in directives["img-src"]


def test_the_camera_is_allowed_only_on_the_manifest(client, django_user_model):
    from django.contrib.auth.models import Group

    from shop.core.roles import STUDENTS, roles_ensure_groups
    from tests.checkout.helpers import make_departure

    roles_ensure_groups()
    guide = django_user_model.objects.create_user(username="guide", password="x")
    guide.groups.add(Group.objects.get(name=STUDENTS))
    departure = make_departure()
    client.force_login(guide)

    assert "camera=(self)" in client.get(f"/team/tours/{departure.pk}/")["Permissions-Policy"]
    for url in ("/team/", "/robots.txt", "/shop/basket/"):
        assert "camera=()" in client.get(url)["Permissions-Policy"], url


def test_a_violation_report_is_logged(client, caplog):
    report = {
        "csp-report": {
            "document-uri": "https://shop.example/",
            "blocked-uri": "https://evil.example/x.js",
            "violated-directive": "script-src",
        }
    }
    response = client.post(
        "/csp-report/", json.dumps(report), content_type="application/csp-report"
    )

    assert response.status_code == 204
    assert "evil.example" in caplog.text
    too_big = client.post("/csp-report/", "x" * 20_000, content_type="application/csp-report")
    assert too_big.status_code == 413


def test_gunicorn_names_no_server(tmp_path):
    from bench.rush import gunicorn
    from tests.concurrency.test_booking_rush import database_url

    env = {
        "DJANGO_SETTINGS_MODULE": "shop.settings.test",
        "DATABASE_URL": database_url(),
        "STRIPE_SECRET_KEY": "",
    }
    with open(tmp_path / "gunicorn.log", "w") as log, gunicorn(env, workers=1, log=log) as site:
        response = requests.get(f"{site}/robots.txt", timeout=10)

    assert response.status_code == 200
    assert "Server" not in response.headers
    assert "Content-Security-Policy" in response.headers
