"""Correctly signed Stripe events of any shape: a refusal (400) or handled (200), never a 500,
and nothing is recorded from an event that cannot be read."""

import json
import time

import pytest
import stripe

from shop.payments.models import ProcessedEvent

pytestmark = [pytest.mark.django_db]

WEBHOOK = "/shop/payments/stripe/webhook/"
SECRET = "whsec_shapes"


def signed(client, body: str):
    timestamp = int(time.time())
    signature = stripe.WebhookSignature._compute_signature(f"{timestamp}.{body}", SECRET)
    return client.post(
        WEBHOOK,
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=f"t={timestamp},v1={signature}",
    )


@pytest.fixture(autouse=True)
def _secret(settings):
    settings.STRIPE_WEBHOOK_SECRET = SECRET


def event(**fields) -> dict:
    base = {
        "id": "evt_1",
        "type": "payment_intent.succeeded",
        "data": {"object": {"id": "pi_1", "metadata": {}}},
    }
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


UNREADABLE = {
    "no data": event(data=None),
    "data not an object": event(data="pi_1"),
    "no data.object.id": event(data={"object": {"metadata": {}}}),
    "no type": event(type=None),
    "no id": event(id=None),
    "an id longer than its column": event(id="evt_" + "x" * 10_000),
    "a PaymentIntent id longer than its column": event(
        data={"object": {"id": "pi_" + "x" * 10_000}}
    ),
    "a JSON array": [event()],
    "a JSON string": "payment_intent.succeeded",
    "a number as the type": event(type=7),
}


@pytest.mark.parametrize("body", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_a_signed_event_that_cannot_be_read_is_refused_and_records_nothing(client, body):
    response = signed(client, json.dumps(body))

    assert response.status_code == 400
    assert ProcessedEvent.objects.count() == 0


def test_a_signed_body_that_is_not_json_is_refused(client):
    assert signed(client, "not json {").status_code == 400
    assert ProcessedEvent.objects.count() == 0


def test_metadata_as_a_string_is_read_as_no_metadata(client):
    response = signed(client, json.dumps(event(data={"object": {"id": "pi_1", "metadata": "x"}})))

    assert response.status_code == 200
    assert list(ProcessedEvent.objects.values_list("event_id", "payment_intent_id")) == [
        ("evt_1", "pi_1")
    ]


def test_an_event_of_another_type_is_acknowledged_and_ignored(client):
    response = signed(client, json.dumps(event(type="customer.created", data=None)))

    assert response.status_code == 200
    assert ProcessedEvent.objects.count() == 0
