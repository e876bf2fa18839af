"""54-FZ receipts: what each payment, refund and settlement receipt says.

YooKassa's "receipt together with payment" scenario (FFD 1.2): a receipt is sent with the
payment and registered when the money is taken; each refund carries its own; a tour paid in
advance (`full_prepayment`) gets a second, settlement receipt (`full_payment`, settlement of
type `prepayment`) once it has taken place.

One item per order line: description (in Russian: a receipt is a Russian tax document, in
whatever language the customer shopped), quantity, price per unit, VAT code, what was sold
(`payment_subject`: a tour is a `service`, gingerbread a `commodity`, delivery a `service`)
and how (`payment_mode`: a tour paid before it happens is a `full_prepayment`, goods are a
`full_payment`). The items add up to the payment to the kopeck: a discount is spread over
the lines by the largest-remainder rule, and a line whose total does not divide by its
quantity becomes two items (e.g. 3 × 33.33 + 1 × 33.34), so not a kopeck is lost or made up.

The tax system and VAT codes are the bureau's settings (RECEIPT_TAX_SYSTEM_CODE,
RECEIPT_VAT_CODES; see .env.example). Items keep the order line they stand for (`line`), in
the shop's copy only, so refunds and settlements know what was paid for each line.

Pure functions over lines; the services record and send the receipts.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone, translation

from shop.bookings.options import TICKET_TYPE_OPTION, line_option, ticket_type_names
from shop.partner.strategy import departure_of

DELIVERY = "delivery"
SERVICE, COMMODITY = "service", "commodity"
FULL_PREPAYMENT, FULL_PAYMENT = "full_prepayment", "full_payment"
# What each product class sells, for `payment_subject` (any other class: a commodity).
SUBJECTS = {"tour": SERVICE, "gingerbread": COMMODITY}
# Receipt descriptions are at most 128 characters.
DESCRIPTION_LENGTH = 128


@dataclass(frozen=True)
class ReceiptLine:
    """What the customer pays for one order (or basket) line, before it becomes items."""

    ref: int | str  # the line's id, or "delivery"
    description: str
    quantity: int
    total: Decimal
    subject: str
    mode: str
    vat_code: int


def vat_code(kind: str) -> int:
    codes = settings.RECEIPT_VAT_CODES
    return int(codes.get(kind, codes.get("default", 1)))


def _kopecks(amount) -> int:
    return int((Decimal(amount) * 100).to_integral_value())


def _rub(kopecks: int) -> str:
    return f"{Decimal(kopecks) / 100:.2f}"


def _shares(totals: list[int], amount: int) -> list[int]:
    """`amount` kopecks split in proportion to `totals`, adding up exactly (largest
    remainder; ties go to the earlier line)."""
    whole = sum(totals)
    if whole == amount:
        return list(totals)
    if whole <= 0:
        raise ValueError("Nothing to spread the amount over")
    shares = [amount * total // whole for total in totals]
    remainders = sorted(range(len(totals)), key=lambda i: (-(amount * totals[i] % whole), i))
    for index in remainders[: amount - sum(shares)]:
        shares[index] += 1
    return shares


def receipt_items(lines: list[ReceiptLine], amount: Decimal) -> list[dict]:
    """The receipt's items for `lines`, adding up to `amount` exactly."""
    lines = [line for line in lines if line.quantity > 0]
    shares = _shares([_kopecks(line.total) for line in lines], _kopecks(amount))
    items = []
    for line, share in zip(lines, shares, strict=True):
        unit, odd = divmod(share, line.quantity)
        # `odd` units cost one kopeck more, so the line's items add up to its share.
        for quantity, price in ((line.quantity - odd, unit), (odd, unit + 1)):
            if quantity:
                items.append(
                    {
                        "description": line.description[:DESCRIPTION_LENGTH],
                        "quantity": quantity,
                        "amount": {"value": _rub(price), "currency": "RUB"},
                        "vat_code": line.vat_code,
                        "payment_subject": line.subject,
                        "payment_mode": line.mode,
                        "line": line.ref,
                    }
                )
    return items


def items_total(items: list[dict]) -> Decimal:
    return sum(
        (Decimal(item["amount"]["value"]) * item["quantity"] for item in items), Decimal("0.00")
    )


def for_provider(items: list[dict]) -> list[dict]:
    """The items as sent: without the shop's own line references."""
    return [{k: v for k, v in item.items() if k != "line"} for item in items]


def receipt_body(*, items: list[dict], email: str = "", phone: str = "") -> dict:
    """The `receipt` object of a payment or refund (the customer, items, tax system)."""
    customer = {"email": email} if email else {"phone": phone}
    body = {"customer": customer, "items": for_provider(items)}
    if settings.RECEIPT_TAX_SYSTEM_CODE:
        body["tax_system_code"] = settings.RECEIPT_TAX_SYSTEM_CODE
    return body


# --- Lines of a basket or an order ---------------------------------------------------------


def _description(product, ticket_type: str | None) -> str:
    departure = departure_of(product)
    if departure is None:
        return str(product.title or product.get_title())
    tour = departure.tour.product
    when = timezone.localtime(departure.starts_at).strftime("%d.%m.%Y %H:%M")
    text = f"Экскурсия «{tour.title}», {when}"
    if ticket_type:
        text += f", {ticket_type_names().get(ticket_type, ticket_type).lower()}"
    return text


def seats_description(departure, ticket_type: str | None) -> str:
    """A departure's seats of one ticket type as a receipt names them."""
    return _description(departure.product, ticket_type)


def _receipt_line(ref, product, line, total: Decimal) -> ReceiptLine:
    ticket_type = line_option(line, TICKET_TYPE_OPTION)
    if departure_of(product) is not None:
        subject, mode, kind = SERVICE, FULL_PREPAYMENT, "tour"
    else:
        kind = product.get_product_class().slug
        subject, mode = SUBJECTS.get(kind, COMMODITY), FULL_PAYMENT
    return ReceiptLine(
        ref=ref,
        description=_description(product, ticket_type),
        quantity=line.quantity,
        total=total,
        subject=subject,
        mode=mode,
        vat_code=vat_code(kind),
    )


def _delivery(code: str, charge: Decimal) -> list[ReceiptLine]:
    from shop.shipping.methods import CollegePickup, MeetingPointPickup, PostRussia

    if not charge:
        return []
    names = {m.code: m.name for m in (CollegePickup, MeetingPointPickup, PostRussia)}
    return [
        ReceiptLine(
            ref=DELIVERY,
            description=f"Доставка: {names.get(code, code)}",
            quantity=1,
            total=charge,
            subject=SERVICE,
            mode=FULL_PAYMENT,
            vat_code=vat_code(DELIVERY),
        )
    ]


def basket_receipt_lines(basket, *, shipping_code: str, shipping_charge: Decimal):
    """What the customer is about to pay for, line by line (the payment's receipt)."""
    with translation.override("ru"):
        lines = [
            _receipt_line(line.pk, line.product, line, line.line_price_incl_tax_incl_discounts)
            for line in basket.all_lines()
        ]
        return lines + _delivery(shipping_code, shipping_charge)


def order_receipt_lines(order) -> list[ReceiptLine]:
    """What the customer paid for, line by line, with the order's line ids."""
    with translation.override("ru"):
        lines = [
            _receipt_line(line.pk, line.product, line, line.line_price_incl_tax)
            for line in order.lines.select_related(
                "product__parent__product_class", "product__product_class"
            )
            .prefetch_related("attributes__option")
            .order_by("pk")
        ]
        return lines + _delivery(order.shipping_code, order.shipping_incl_tax)


# --- What was paid, refunded and still owed per line -----------------------------------------


def paid_by_line(items: list[dict]) -> dict:
    """Kopecks per line ref, from a receipt's items (in the items' order)."""
    paid: dict = {}
    for item in items:
        ref = item.get("line")
        paid[ref] = paid.get(ref, 0) + _kopecks(item["amount"]["value"]) * item["quantity"]
    return paid


def _left_by_line(paid: list[dict], refunded: list[dict]) -> dict:
    left = paid_by_line(paid)
    for ref, kopecks in paid_by_line(refunded).items():
        left[ref] = left.get(ref, 0) - kopecks
    return left


def _part_of_line(item: dict, kopecks: int) -> dict:
    """Part of a line's money as one item (what is left of it, or a part refunded)."""
    return {**item, "quantity": 1, "amount": {"value": _rub(kopecks), "currency": "RUB"}}


def refund_items(
    *, paid: list[dict], refunded: list[dict], amount: Decimal, first: set
) -> list[dict]:
    """The items of a refund of `amount`, given the payment's items and earlier refunds'.

    Lines in `first` (the cancelled ones) are refunded before the others; within each group
    the amount is spread in proportion to what is still unrefunded on each line. A line
    refunded whole gets its payment's items back; part of a line is one item of quantity 1.
    """
    left = _left_by_line(paid, refunded)
    untouched = set(left) - set(paid_by_line(refunded))
    to_give = _kopecks(amount)
    if to_give > sum(max(kopecks, 0) for kopecks in left.values()):
        raise ValueError("The refund is more than what is left to refund")
    taken: dict = {}
    for in_first in (True, False):
        group = [ref for ref in left if (ref in first) == in_first and left[ref] > 0]
        portion = min(to_give, sum(left[ref] for ref in group))
        if portion:
            shares = _shares([left[ref] for ref in group], portion)
            taken.update(zip(group, shares, strict=True))
            to_give -= portion
    items = []
    for ref, kopecks in taken.items():
        line_items = [item for item in paid if item.get("line") == ref]
        if ref in untouched and kopecks == left[ref]:
            items += [dict(item) for item in line_items]
        elif kopecks:
            items.append(_part_of_line(line_items[0], kopecks))
    return items


def settlement_items(*, paid: list[dict], refunded: list[dict], refs: set) -> list[dict]:
    """The settlement receipt's items for the prepaid lines `refs`: what is still paid for
    each (paid less refunded), now as the full payment for a service delivered."""
    left = _left_by_line(paid, refunded)
    untouched = set(left) - set(paid_by_line(refunded))
    items = []
    for ref in left:
        if ref not in refs or left[ref] <= 0:
            continue
        line_items = [
            item
            for item in paid
            if item.get("line") == ref and item["payment_mode"] == FULL_PREPAYMENT
        ]
        if not line_items:
            continue
        if ref not in untouched:
            line_items = [_part_of_line(line_items[0], left[ref])]
        items += [{**item, "payment_mode": FULL_PAYMENT} for item in line_items]
    return items
