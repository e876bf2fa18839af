"""Paying more for an order already placed: the difference of a booking moved to a dearer date.

A supplementary payment is a `PaymentAttempt` without a basket: it names the order
(`for_order`) and the booking change it pays for, has its own idempotency key, and goes
through the same provider the order was paid with (Stripe's card form, or YooKassa's card
page or SBP) and the same two-stage state machine as checkout (`attempt_start`,
`attempt_settle` in services.py): the difference is authorised, the change is applied under
the attempt's lock (the new seats taken with the guarded allocation before the old are
released, in one transaction: `booking_change_apply_paid`), and only then is the money
captured. If the new date filled meanwhile, the change is not applied and the authorisation
is released: nothing charged, the booking as it was.

The 54-FZ receipt (YooKassa) of the difference names what is being bought: the new date's
seats, a `service` paid in advance (`full_prepayment`), the difference spread over the
booking's lines in proportion to their new prices, adding up to it to the kopeck. The old
seats' release needs no receipt of its own: no money goes back to the customer, and the first
payment's receipt stays true (an advance for this tour's excursion for these people; only its
date moved). A receipt records a settlement between buyer and seller (54-FZ art. 1.1), and
none happens when seats are swapped for the same money: a "refund of income" receipt for the
old seats followed by a new "income" receipt for the whole new price would report money going
back and forth that never moved. When the tour has run, the settlement receipt of each
payment (the first and this one) offsets its own advance (receipt_services.py).
"""

from django.conf import settings
from django.utils import timezone, translation

from shop.payments import providers, receipts
from shop.payments.models import AttemptStatus, PaymentAttempt, Provider


def supplement_provider(order) -> str | None:
    """The provider a difference on `order` is paid with: the one the order was paid with,
    while it is on; None when the order was not paid online (a free booking)."""
    attempt = getattr(order, "payment_attempt", None)
    if attempt is None or attempt.status != AttemptStatus.PAID or not attempt.provider_payment_id:
        return None
    if attempt.provider == Provider.NONE or attempt.provider not in providers.enabled():
        return None
    return attempt.provider


def supplement_create(*, change, method: str = "") -> PaymentAttempt:
    """A new payment of `change.amount_due` for the change's order (not started yet)."""
    from shop.customercare.services import order_language

    order = change.order
    provider = supplement_provider(order)
    if provider is None or change.amount_due <= 0:
        raise ValueError("Nothing can be paid online for this change")
    return PaymentAttempt.objects.create(
        provider=provider,
        method=method,
        for_order=order,
        booking_change=change,
        user_id=order.user_id,
        guest_email=order.guest_email or "",
        consented_at=timezone.now(),
        language=order_language(order),
        shipping_method_code="",
        amount=change.amount_due,
        currency=settings.PAYMENT_CURRENCY,
    )


def supplement_receipt_lines(attempt) -> list[receipts.ReceiptLine]:
    """What the difference buys, per order line: the booking's seats on the new date, a
    service paid in advance, weighted by their new prices (receipt_items spreads the
    difference over them)."""
    from shop.bookings.change_selectors import booking_load, moved_line_prices

    change = attempt.booking_change
    target = change.to_departure
    # Before the move its lines are priced at the old date; after it, at the new one.
    if change.new_ticket_id or not change.rebook_offer_id:
        booking = booking_load(change.new_ticket or change.ticket)
    else:
        from shop.bookings.rebooking import rebook_booking

        # Another date instead of the refund: the lines the departure's cancellation cancelled.
        booking = rebook_booking(change.rebook_offer)
    lines = []
    with translation.override("ru"):
        for line, option in booking.lines:
            if change.new_ticket_id:
                new_total = line.line_price_incl_tax
            else:
                fare = target.fare_for(option["ticket_type"])
                new_total = moved_line_prices(line, fare.price)["line_price_incl_tax"]
            lines.append(
                receipts.ReceiptLine(
                    ref=line.pk,
                    description=receipts.seats_description(target, option["ticket_type"]),
                    quantity=line.quantity,
                    total=new_total,
                    subject=receipts.SERVICE,
                    mode=receipts.FULL_PREPAYMENT,
                    vat_code=receipts.vat_code("tour"),
                )
            )
    return lines


def supplement_receipt_items(attempt) -> list[dict]:
    return receipts.receipt_items(supplement_receipt_lines(attempt), attempt.amount)


def supplements_settle(change) -> bool:
    """Settle every unfinished payment of `change` with its provider (releasing those the
    customer never confirmed); False when a provider could not be asked."""
    from shop.payments.services import attempt_settle

    done = True
    for attempt in change.payment_attempts.filter(status=AttemptStatus.STARTED):
        try:
            attempt_settle(attempt, cancel_unfinished=True)
        except (providers.PaymentUnavailable, providers.PaymentRejected):
            done = False
    return done
