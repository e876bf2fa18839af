"""Demo orders for the student workspace, paid through the local test servers.

`make run` calls this once localstripe and the local YooKassa server answer, so the orders
are paid like real ones (Russian customers by card through YooKassa, with their receipts;
the foreign visitor through Stripe): refunds and departure cancellations work on them. A way
to pay that is off, or not a local test one, is replaced by one that is. Each order is placed
once (the demo customers' orders are looked up first).
"""

import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone, translation
from oscar.core.loading import get_model

from shop.bookings.basket_services import BookingRequest, basket_add_booking
from shop.bookings.models import Departure, DepartureStatus
from shop.partner.strategy import Selector
from shop.payments import providers
from shop.payments.models import AttemptStatus, PaymentMethod, Provider
from shop.payments.placement import shipping_for
from shop.payments.providers import stripe
from shop.payments.services import attempt_create, attempt_settle, attempt_start

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
Product = get_model("catalogue", "Product")

DEMO_CARD = "4242424242424242"
DEMO_RUSSIAN_CARD = "5555555555554444"


@dataclass
class DemoOrder:
    email: str
    first_name: str
    last_name: str
    phone: str
    boxes: int = 0
    adults: int = 0
    children: int = 0
    language: str = "ru"
    post_address: dict | None = None
    provider: str = Provider.YOOKASSA


DEMO_ORDERS = [
    DemoOrder("olga@demo.example", "Ольга", "Смирнова", "+7 914 000-11-22", boxes=2, adults=2),
    DemoOrder("pavel@demo.example", "Павел", "Кузнецов", "+7 902 000-33-44", boxes=1),
    DemoOrder(
        "anna@demo.example",
        "Анна",
        "Иванова",
        "+7 950 000-55-66",
        boxes=3,
        post_address={
            "first_name": "Анна",
            "last_name": "Иванова",
            "line1": "ул. Ленина, д. 5, кв. 12",
            "line4": "Иркутск",
            "state": "Иркутская область",
            "postcode": "664003",
            "country": "RU",
            "phone_number": "+79500005566",
        },
    ),
    DemoOrder(
        "li.wei@demo.example",
        "Wei",
        "Li",
        "+86 138 0000 0000",
        adults=2,
        children=1,
        language="en",
        provider=Provider.STRIPE,
    ),
    DemoOrder("maxim@demo.example", "Максим", "Попов", "+7 924 000-77-88", boxes=1, adults=1),
]


def _card() -> tuple[str, str]:
    token = stripe.client().v1.tokens.create(
        params={"card": {"number": DEMO_CARD, "exp_month": 12, "exp_year": 2034, "cvc": "123"}}
    )
    return token.id, token.card.id


def _local(provider: str) -> bool:
    """The provider takes test payments from its local server (so the demo may pay)."""
    return settings.STRIPE_LOCAL if provider == Provider.STRIPE else settings.YOOKASSA_LOCAL


def _pay(attempt) -> None:
    """Pay as the customer would: the card form of the local server, then back to the shop."""
    if attempt.provider == Provider.STRIPE:
        token_id, card_id = _card()
        attempt_start(attempt, token_id=token_id, card_id=card_id)
        return
    attempt_start(attempt, method=PaymentMethod.CARD, return_url=settings.WAGTAILADMIN_BASE_URL)
    form = urllib.parse.urlencode({"number": DEMO_RUSSIAN_CARD, "expiry": "12/34", "csc": "123"})
    opener = urllib.request.build_opener(_NoRedirect, urllib.request.ProxyHandler({}))
    try:
        opener.open(attempt.confirmation_url, form.encode(), timeout=10).close()
    except urllib.error.HTTPError as redirect:  # 303 back to the shop: confirmed
        if redirect.code != 303:
            raise


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _customer(demo: DemoOrder):
    User = get_user_model()
    user, _created = User.objects.get_or_create(
        username=demo.email,
        defaults={"email": demo.email, "first_name": demo.first_name, "last_name": demo.last_name},
    )
    return user


def _basket(user, demo: DemoOrder, gingerbread, departure):
    basket = Basket.objects.create(owner=user)
    basket.strategy = Selector().strategy(user=user)
    if demo.boxes:
        basket.add_product(gingerbread, demo.boxes)
    if demo.adults or demo.children:
        tickets = {code: n for code, n in (("adult", demo.adults), ("child", demo.children)) if n}
        basket_add_booking(
            basket,
            departure,
            BookingRequest(
                tickets=tickets,
                lead_name=f"{demo.first_name} {demo.last_name}",
                lead_phone=demo.phone,
            ),
        )
    return basket


def demo_load_orders() -> int:
    """Place and pay the demo orders that do not exist yet; returns how many were placed."""
    gingerbread = (
        Product.objects.filter(product_class__slug="gingerbread", stockrecords__isnull=False)
        .order_by("pk")
        .first()
    )
    departure = (
        Departure.objects.filter(status=DepartureStatus.SCHEDULED, tour__is_group_booking=False)
        .select_related("tour")
        .order_by("starts_at")
    )
    departure = next((d for d in departure if d.is_open_for_booking() and d.seats_left >= 3), None)
    if gingerbread is None or departure is None:
        return 0
    placed = 0
    local = [code for code in providers.enabled() if _local(code)]
    for demo in DEMO_ORDERS:
        # The customer's usual way to pay, or another test one when that one is off.
        provider = demo.provider if demo.provider in local else next(iter(local), None)
        if provider is None:
            continue
        user = _customer(demo)
        if Order.objects.filter(user=user).exists():
            continue
        with translation.override(demo.language), transaction.atomic():
            basket = _basket(user, demo, gingerbread, departure)
            if demo.post_address:
                method = "post-russia"
            elif demo.boxes:
                method = "pickup-college"
            else:
                method = "no-shipping-required"
            attempt = attempt_create(
                basket=basket,
                user=user,
                guest_email="",
                shipping_method_code=method,
                shipping_address=demo.post_address or {},
                amount=0,
                consented_at=timezone.now(),  # as on the payment page
                provider=provider,
                method=PaymentMethod.CARD,
            )
            shipping_method, _address = shipping_for(attempt, basket)
            charge = shipping_method.calculate(basket)
            attempt.amount = basket.total_incl_tax + charge.incl_tax
            attempt.save(update_fields=["amount"])
        with translation.override(demo.language):
            _pay(attempt)
            attempt = attempt_settle(attempt)
        placed += attempt.status == AttemptStatus.PAID
    if placed:
        _demo_work()
    return placed


# What the demo students have done already: (student, customer, steps, tracking number).
DEMO_WORK = [
    ("student1@example.com", "olga@demo.example", ["packed", "ready"], ""),
    ("student2@example.com", "pavel@demo.example", ["packed", "ready", "handed_over"], ""),
    ("student1@example.com", "anna@demo.example", ["packed", "shipped"], "RA123456789RU"),
]


def _demo_work() -> None:
    from shop.team.services import order_claim, order_step

    User = get_user_model()  # noqa: N806
    for student_email, customer_email, steps, tracking in DEMO_WORK:
        student = User.objects.filter(email=student_email).first()
        order = Order.objects.filter(user__email=customer_email).first()
        if student is None or order is None or hasattr(order, "handling"):
            continue
        order_claim(order=order, actor=student)
        for stage in steps:
            order_step(order=order, actor=student, to_stage=stage, tracking_number=tracking)
