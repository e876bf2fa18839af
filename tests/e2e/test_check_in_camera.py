"""The guide scans a ticket with the phone's camera: Chromium's fake camera shows the QR code
from the confirmation e-mail, qr-scanner (served from our static files) reads it, and the
group is checked in."""

import io
from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import expect

from shop.bookings.models import Ticket
from shop.bookings.ticket_documents import ticket_qr_png
from shop.core.roles import STUDENTS
from tests.checkout.helpers import basket_for, make_departure
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, watch_csp
from tests.factories import make_member, start_today
from tests.payments.helpers import pay

pytestmark = [
    pytest.mark.payments,
    pytest.mark.e2e,
    # The rows migrations created (ticket types, locales) come back after the flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def camera_video(png: bytes, path: Path) -> Path:
    """A Y4M video (what Chromium's fake camera plays) of the QR code on a white page."""
    from PIL import Image

    width, height = 640, 480
    qr = Image.open(io.BytesIO(png)).convert("L")
    qr = qr.resize((280, 280))  # inside the scanner's region: the middle two thirds
    frame = Image.new("L", (width, height), 255)
    frame.paste(qr, ((width - qr.width) // 2, (height - qr.height) // 2))
    chroma = bytes([128]) * (width // 2 * height // 2)
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(10):
            out.write(b"FRAME\n" + frame.tobytes() + chroma + chroma)
    return path


def test_the_guide_scans_the_ticket_and_the_group_is_checked_in(
    live_server, django_user_model, tmp_path, monkeypatch
):
    from django.db import connections
    from playwright.sync_api import sync_playwright

    customer = django_user_model.objects.create_user(
        username="tourist", email="tourist@example.com", password="pw-123456"
    )
    tourist = Client()
    tourist.force_login(customer)
    departure = make_departure(capacity=10)
    basket_for(customer, departures=[departure])
    tourist.get("/shop/checkout/shipping-method/")
    order = pay(tourist)
    ticket = Ticket.objects.get(order=order)
    start_today(departure, started=False)  # check-in opens on the departure's day
    video = camera_video(ticket_qr_png(ticket), tmp_path / "ticket.y4m")

    student = make_member(STUDENTS, "alexey", first_name="Алексей")
    guide = Client()
    guide.force_login(student)

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                *CHROMIUM_ARGS,
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        try:
            context = browser.new_context(
                base_url=live_server.url,
                locale="ru-RU",
                viewport={"width": 390, "height": 844},
                permissions=["camera"],
            )
            context.add_cookies(
                [
                    {
                        "name": "sessionid",
                        "value": guide.cookies["sessionid"].value,
                        "url": live_server.url,
                    }
                ]
            )
            page = context.new_page()
            errors, violations = [], []
            page.on("pageerror", lambda error: errors.append(str(error)))
            watch_csp(page, violations)
            page.goto(f"/team/tours/{departure.pk}/")
            page.get_by_role("button", name="Сканировать QR-код билета").click()

            expect(page.locator(".alert-success")).to_contain_text("Отмечены", timeout=15_000)
            expect(page.locator("main")).to_contain_text("1 из 1")
            page.screenshot(path=f"{SCREENSHOTS}/e2e-check-in-scanned.png", full_page=True)
            # The guide goes on scanning: the camera opens again for the next ticket, and the
            # same ticket shown again is refused with who checked it in.
            expect(page.locator(".alert-danger, .alert-error, .alert-warning")).to_contain_text(
                "Уже отмечены", timeout=15_000
            )
            page.get_by_role("button", name="Выключить камеру").click()
            assert not errors, errors
            assert not violations, violations
        finally:
            connections.close_all()
            browser.close()

    ticket.refresh_from_db()
    assert ticket.checked_in_by == student
