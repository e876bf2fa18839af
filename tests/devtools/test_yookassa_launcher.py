"""Starting and stopping the local YooKassa server from Python, its state kept across a
restart, and the controls that are not about money (settings, clock, slow answers)."""

import threading
import time
import uuid

import pytest
import requests
from yookassa import Configuration, Payment

from devtools.yookassa import launcher
from tests.devtools.conftest import SECRET_KEY, SHOP_ID, api, card_payment, pay_by_card


def test_a_restart_with_a_store_keeps_payments_and_idempotence_keys(tmp_path, return_url):
    store = tmp_path / "yookassa.json"
    port = launcher.free_port()
    key = str(uuid.uuid4())
    with launcher.start(port=port, shop_id=SHOP_ID, secret_key=SECRET_KEY, store=store) as server:
        Configuration.configure(SHOP_ID, SECRET_KEY, api_url=server.api_url)
        payment = card_payment(return_url, key=key)
        pay_by_card(payment)
    assert not launcher.answers(server.url)

    with launcher.start(port=port, shop_id=SHOP_ID, secret_key=SECRET_KEY, store=store):
        kept = Payment.find_one(payment.id)
        assert kept.status == "waiting_for_capture"
        assert card_payment(return_url, key=key).id == payment.id
        assert Payment.capture(payment.id).status == "succeeded"


def test_a_taken_port_is_reported_and_a_running_server_is_recognised(yookassa):
    port = int(yookassa.url.rsplit(":", 1)[1])
    assert launcher.answers(yookassa.url)
    with pytest.raises(RuntimeError, match="is taken"):
        launcher.start(port=port)
    assert launcher.answers(yookassa.url)  # the running one is untouched


def test_settings_change_at_run_time_and_wrong_ones_are_refused(yookassa):
    assert yookassa.configure(receipt_delay=5)["receipt_delay"] == 5
    for wrong in ({"receipt_delay": "soon"}, {"require_receipt": 1}, {"colour": "red"}):
        answer = requests.post(f"{yookassa.url}/_config", json=wrong, timeout=5)
        assert answer.status_code == 400
        assert answer.json()["parameter"] == next(iter(wrong))
    assert yookassa.control("/_config")["receipt_delay"] == 5


def test_the_clock_moves_forward_and_back(yookassa):
    before = yookassa.control("/_test/clock")
    moved = yookassa.control("/_test/clock", {"advance_seconds": 86400})
    assert moved["offset_seconds"] == pytest.approx(86400, abs=1)
    assert moved["now"][:10] > before["now"][:10]
    assert yookassa.control("/_test/clock", {"reset": True})["offset_seconds"] == 0
    assert yookassa.control("/_test/clock", {"now": "2030-01-01T00:00:00Z"})["now"].startswith(
        "2030-01-01T00:00:0"
    )


def test_a_slow_answer_keeps_no_other_request_waiting(yookassa, return_url):
    """A delay injected into one capture: meanwhile the server answers other requests."""
    payment = card_payment(return_url)
    pay_by_card(payment)
    yookassa.control("/_test/faults", {"path": "/v3/payments/*/capture", "delay": 2})
    captured = {}

    def capture():
        captured["answer"] = api(yookassa, "POST", f"/payments/{payment.id}/capture", {})

    slow = threading.Thread(target=capture)
    started = time.monotonic()
    slow.start()
    time.sleep(0.2)
    assert api(yookassa, "GET", f"/payments/{payment.id}").json()["status"] == "waiting_for_capture"
    assert time.monotonic() - started < 1.5
    slow.join()
    assert time.monotonic() - started >= 2
    assert captured["answer"].json()["status"] == "succeeded"
