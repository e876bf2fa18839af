"""What the providers tell the shop by themselves: Stripe's webhooks, YooKassa's notifications.

Neither is trusted as it comes. Stripe's events are signed (checked with the endpoint's
secret); YooKassa's are not, so they are accepted only from YooKassa's published addresses
(YOOKASSA_NOTIFICATION_NETWORKS, behind TRUSTED_PROXIES). Either way a notification is only a
reason to re-read the payment from the provider's API and settle it: a replayed, forged or
out-of-order one can change nothing the provider does not confirm.

YooKassa's are answered at once: the payment is settled by a task (the worker, or in the
request with an immediate task backend), and anything that fails there is finished by the
reconciliation job. Any payload, of any shape, gets a 4xx or a 200, never a 5xx.
"""

import contextlib
import json
import logging
import re

from django.conf import settings
from django.db import IntegrityError
from django_tasks import task

from shop.activity.actors import SystemProcess, system_process
from shop.core.clients import client_ip, ip_in_networks
from shop.core.converters import row_id
from shop.payments import providers
from shop.payments.models import PaymentAttempt, ProcessedEvent, Provider, Refund
from shop.payments.services import _finish, attempt_settle, refund_send

logger = logging.getLogger(__name__)


# --- Stripe --------------------------------------------------------------------------------

STRIPE_SETTLING_EVENTS = {
    "payment_intent.succeeded",
    "payment_intent.amount_capturable_updated",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
}


# The columns an event's ids are kept in (ProcessedEvent, PaymentAttempt).
EVENT_ID_MAX = ProcessedEvent._meta.get_field("event_id").max_length
EVENT_TYPE_MAX = ProcessedEvent._meta.get_field("event_type").max_length


def _text(value, longest: int) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= longest else None


@system_process(SystemProcess.PAYMENT_NOTIFICATION)
def webhook_receive(payload: bytes, signature: str) -> int:
    """Handle one Stripe delivery; returns the HTTP status for Stripe: 400 for a bad signature
    or an event of a shape it cannot be (logged), 503 when Stripe cannot be asked back (Stripe
    delivers it again), 200 for one handled or not ours to handle."""
    import stripe

    try:
        event = providers.get(Provider.STRIPE).event_from_webhook(payload, signature or "")
    except (ValueError, stripe.SignatureVerificationError):
        return 400
    # Signed, so Stripe's; but its shape is checked before anything is read from it.
    event_id = _text(event.get("id"), EVENT_ID_MAX) if isinstance(event, dict) else None
    event_type = _text(event.get("type"), EVENT_TYPE_MAX) if isinstance(event, dict) else None
    if event_id is None or event_type is None:
        logger.warning("A signed Stripe event without a usable id or type: refused")
        return 400
    if event_type not in STRIPE_SETTLING_EVENTS:
        return 200
    data = event.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    intent_id = _text(obj.get("id"), EVENT_ID_MAX) if isinstance(obj, dict) else None
    if intent_id is None:
        logger.warning(
            "Stripe event %s (%s) has no usable PaymentIntent: refused", event_id, event_type
        )
        return 400
    if ProcessedEvent.objects.filter(event_id=event_id).exists():
        return 200  # delivered before: nothing changes
    attempts = PaymentAttempt.objects.filter(provider=Provider.STRIPE)
    attempt = attempts.filter(provider_payment_id=intent_id).first()
    if attempt is None:
        metadata = obj.get("metadata")
        attempt_id = row_id(metadata.get("attempt")) if isinstance(metadata, dict) else None
        attempt = attempts.filter(pk=attempt_id).first() if attempt_id else None
        if attempt is not None and not attempt.provider_payment_id:
            # The webhook came before our own request finished saving the id.
            _finish(attempt, attempt.status, attempt.message, payment_id=intent_id)
    try:
        if attempt is not None:
            attempt_settle(attempt)
    except providers.PaymentUnavailable:
        return 503  # not recorded as processed: Stripe will deliver it again
    except providers.PaymentRejected:
        logger.exception("Stripe refused a request while handling event %s", event_id)
        return 500
    # (A parallel delivery of the same event may have recorded it meanwhile.)
    with contextlib.suppress(IntegrityError):
        ProcessedEvent.objects.create(
            event_id=event_id, event_type=event_type, payment_intent_id=intent_id
        )
    return 200


# --- YooKassa ------------------------------------------------------------------------------

YOOKASSA_EVENTS = {
    "payment.waiting_for_capture",
    "payment.succeeded",
    "payment.canceled",
    "refund.succeeded",
}
OBJECT_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")


def yookassa_notification_receive(*, body: bytes, request) -> int:
    """Check one YooKassa notification and queue its settling; the HTTP status to answer."""
    if not ip_in_networks(client_ip(request), settings.YOOKASSA_NOTIFICATION_NETWORKS):
        logger.warning("YooKassa notification from %s refused", client_ip(request))
        return 403
    try:
        data = json.loads(body)
        event, object_id = data["event"], data["object"]["id"]
    except (ValueError, TypeError, KeyError, UnicodeDecodeError):
        return 400
    if not isinstance(event, str) or not isinstance(object_id, str):
        return 400
    if not OBJECT_ID.match(object_id) or data.get("type") != "notification":
        return 400
    if event not in YOOKASSA_EVENTS:
        return 200  # other kinds of events (payouts, deals…) are not the shop's business
    yookassa_notification_settle.enqueue(event, object_id)
    return 200


@task()
def yookassa_notification_settle(event: str, object_id: str) -> None:
    """Re-read what the notification is about and settle it. Never raises: what cannot be
    done now is finished by the reconciliation job."""
    with system_process(SystemProcess.PAYMENT_NOTIFICATION):
        try:
            if event.startswith("payment."):
                _payment_notified(object_id)
            else:
                _refund_notified(object_id)
        except (providers.PaymentUnavailable, providers.PaymentRejected) as error:
            logger.warning(
                "YooKassa %s %s: %s; reconciliation will settle it", event, object_id, error
            )
        except Exception:
            logger.exception("YooKassa %s %s could not be settled", event, object_id)


def _payment_notified(payment_id: str) -> None:
    attempts = PaymentAttempt.objects.filter(provider=Provider.YOOKASSA)
    attempt = attempts.filter(provider_payment_id=payment_id).first()
    if attempt is None:
        # Not ours, or it came before our own request finished saving the id: the payment's
        # metadata (as YooKassa has it, not as the notification says) names the attempt.
        remote = providers.get(Provider.YOOKASSA).retrieve(payment_id)
        attempt_id = row_id(remote.attempt)
        attempt = attempts.filter(pk=attempt_id).first() if attempt_id else None
        if attempt is None or attempt.provider_payment_id:
            return
        _finish(attempt, attempt.status, attempt.message, payment_id=payment_id)
    attempt_settle(attempt)


def _refund_notified(refund_id: str) -> None:
    remote, ours = providers.get(Provider.YOOKASSA).refund_retrieve(refund_id)
    refund = Refund.objects.filter(provider_refund_id=refund_id).first()
    if refund is None and row_id(ours):
        refund = Refund.objects.filter(
            pk=row_id(ours), attempt__provider_payment_id=remote.payment_id
        ).first()
    if refund is not None:
        refund_send(refund)  # the same idempotence key: records YooKassa's answer once
