"""Notifications from the local YooKassa server: YooKassa's shape, from 127.0.0.1, unsigned;
retried with back-off until HTTP 200; given up after 24 hours; and, for the shop's tests,
held back and released out of order, or delivered again."""

import itertools
import time

import pytest
import requests
from yookassa import Payment
from yookassa.domain.notification import WebhookNotificationFactory

from tests.devtools.conftest import api, card_payment, pay_by_card


def test_a_notification_is_yookassas_object_posted_from_loopback_unsigned(
    yookassa, inbox, return_url
):
    payment = card_payment(return_url)
    pay_by_card(payment)

    [delivery] = inbox.wait_for(1)
    assert delivery["client"] == "127.0.0.1"
    assert delivery["headers"]["Content-Type"] == "application/json"
    assert not any("signature" in name.lower() for name in delivery["headers"])
    body = delivery["body"]
    assert set(body) == {"type", "event", "object"}
    assert (body["type"], body["event"]) == ("notification", "payment.waiting_for_capture")
    assert body["object"] == api(yookassa, "GET", f"/payments/{payment.id}").json()
    # The SDK's own parser reads it.
    parsed = WebhookNotificationFactory().create(body)
    assert parsed.object.status == "waiting_for_capture"
    assert parsed.object.amount.value == 450


def test_the_object_is_as_it_was_at_the_event(yookassa, inbox, return_url):
    payment = card_payment(return_url)
    pay_by_card(payment)
    Payment.capture(payment.id)
    first, second = inbox.wait_for(2)
    assert first["body"]["object"]["status"] == "waiting_for_capture"
    assert second["body"]["object"]["status"] == "succeeded"


def test_a_refused_notification_is_retried_with_growing_pauses_until_200(
    yookassa, inbox, return_url
):
    inbox.statuses = [500, 503, 404]
    payment = card_payment(return_url)
    pay_by_card(payment)

    deliveries = inbox.wait_for(4)
    assert [d["status"] for d in deliveries] == [500, 503, 404, 200]
    assert {d["body"]["event"] for d in deliveries} == {"payment.waiting_for_capture"}
    pauses = [later["at"] - earlier["at"] for earlier, later in itertools.pairwise(deliveries)]
    assert pauses[0] >= 0.1  # retry_base
    assert pauses[1] >= 0.2
    assert pauses[2] >= 0.4
    [record] = yookassa.control("/_test/notifications")
    assert [a["status"] for a in record["attempts"]] == [500, 503, 404, 200]
    assert record["delivered"] == 1


def test_retries_stop_24_hours_after_the_event(yookassa, inbox, return_url):
    inbox.statuses = [500] * 1000
    yookassa.configure(retry_base=0.05, retry_max=0.05)
    payment = card_payment(return_url)
    pay_by_card(payment)
    inbox.wait_for(2)

    yookassa.control("/_test/clock", {"advance_seconds": 24 * 3600})
    _wait_until(lambda: yookassa.control("/_test/notifications")[0]["gave_up"])
    attempts = len(inbox.wait_for(1))
    _pause(0.3)
    assert len(inbox.received) == attempts


def test_held_notifications_are_released_reversed_and_three_times(yookassa, inbox, return_url):
    yookassa.control("/_test/notifications/hold", {})
    payment = card_payment(return_url)
    pay_by_card(payment)
    Payment.capture(payment.id)
    _pause(0.3)
    assert inbox.received == []

    answer = yookassa.control("/_test/notifications/release", {"order": "reverse", "times": 3})
    assert len(answer["sequence"]) == 6
    inbox.wait_for(6)
    events = [event for event, _ in inbox.events()]
    assert events == ["payment.succeeded", "payment.waiting_for_capture"] * 3


def test_a_notification_is_delivered_again_on_demand(yookassa, inbox, return_url):
    payment = card_payment(return_url)
    pay_by_card(payment)
    inbox.wait_for(1)
    [record] = yookassa.control("/_test/notifications")

    yookassa.control("/_test/notifications/redeliver", {"ids": [record["id"], record["id"]]})
    deliveries = inbox.wait_for(3)
    assert [d["body"] for d in deliveries] == [deliveries[0]["body"]] * 3


def test_released_concurrently_all_arrive(yookassa, inbox, return_url):
    yookassa.control("/_test/notifications/hold", {})
    payment = card_payment(return_url)
    pay_by_card(payment)
    yookassa.control("/_test/notifications/release", {"times": 3, "concurrent": True})
    assert len(inbox.wait_for(3)) == 3


def test_without_a_notification_url_events_are_recorded_not_sent(yookassa, inbox, return_url):
    yookassa.configure(notify_url="")
    payment = card_payment(return_url)
    pay_by_card(payment)
    _pause(0.3)
    assert inbox.received == []
    [record] = yookassa.control(f"/_test/notifications?object_id={payment.id}")
    assert (record["event"], record["attempts"]) == ("payment.waiting_for_capture", [])


@pytest.mark.parametrize(
    ("control", "parameter"),
    [({"order": "sideways"}, "order"), ({"times": 0}, "times")],
)
def test_a_wrong_release_is_refused(yookassa, control, parameter):
    answer = requests.post(f"{yookassa.url}/_test/notifications/release", json=control, timeout=5)
    assert answer.status_code == 400
    assert answer.json()["parameter"] == parameter


def _pause(seconds):
    time.sleep(seconds)


def _wait_until(condition, timeout=10):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition never came true"
        time.sleep(0.05)
