"""Staff refunds: partial and full, at most what was paid, never twice, always attributed."""

from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Permission
from oscar.core.loading import get_model

from shop.activity.models import ActivityEntry
from shop.payments.models import Refund, RefundStatus
from shop.payments.providers import stripe
from shop.payments.services import RefundError, order_refund
from tests.checkout.helpers import basket_for, make_departure
from tests.factories import make_staff
from tests.payments.helpers import pay

pytestmark = [pytest.mark.payments, pytest.mark.django_db]

Source = get_model("payment", "Source")
PaymentEvent = get_model("order", "PaymentEvent")


@pytest.fixture
def paid_order(client, django_user_model):
    customer = django_user_model.objects.create_user(
        username="anna", email="anna@example.com", password="secret-pass-1"
    )
    client.force_login(customer)
    basket_for(customer, departures=[make_departure(price="900")])
    client.get("/shop/checkout/shipping-method/")
    order = pay(client)
    client.logout()
    return order


@pytest.fixture
def cashier():
    user = make_staff("cashier@example.com")
    user.user_permissions.add(Permission.objects.get(codename="add_refund"))
    return type(user).objects.get(pk=user.pk)


def stripe_refunded(order) -> int:
    """Kopecks Stripe (localstripe) has refunded on the order's charge."""
    return int(stripe.retrieve(order.payment_attempt.provider_payment_id).refunded * 100)


def test_partial_then_full_refund_is_recorded_everywhere(paid_order, cashier):
    order_refund(order=paid_order, amount=Decimal("300"), actor=cashier, reason="Ребёнок не поехал")
    order_refund(order=paid_order, amount=Decimal("600"), actor=cashier, reason="Отмена")

    source = Source.objects.get(order=paid_order)
    assert source.amount_refunded == Decimal("900.00")
    assert [t.txn_type for t in source.transactions.order_by("pk")] == ["Debit", "Refund", "Refund"]
    assert PaymentEvent.objects.filter(order=paid_order, event_type__name="Refunded").count() == 2
    assert stripe_refunded(paid_order) == 90000
    entries = ActivityEntry.objects.filter(action="order.refunded", order=paid_order)
    assert entries.count() == 2 and {e.actor for e in entries} == {cashier}


def test_more_than_was_paid_is_refused(paid_order, cashier):
    order_refund(order=paid_order, amount=Decimal("800"), actor=cashier, reason="Отмена")

    with pytest.raises(RefundError):
        order_refund(order=paid_order, amount=Decimal("100.01"), actor=cashier, reason="Ещё")
    with pytest.raises(RefundError):
        order_refund(order=paid_order, amount=Decimal("0"), actor=cashier, reason="Ноль")

    assert stripe_refunded(paid_order) == 80000


def test_the_same_key_never_refunds_twice(paid_order, cashier):
    first = order_refund(
        order=paid_order, amount=Decimal("900"), actor=cashier, reason="Погода", key="dep-1"
    )
    again = order_refund(
        order=paid_order, amount=Decimal("900"), actor=cashier, reason="Погода", key="dep-1"
    )

    assert first.pk == again.pk
    assert Refund.objects.count() == 1 and first.status == RefundStatus.SUCCEEDED
    assert stripe_refunded(paid_order) == 90000


def test_a_refund_stripe_did_not_confirm_is_finished_by_the_retry(paid_order, cashier, settings):
    real = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    with pytest.raises(RefundError):
        order_refund(order=paid_order, amount=Decimal("900"), actor=cashier, key="k-1")
    assert Refund.objects.get().status == RefundStatus.PENDING
    settings.STRIPE_API_BASE = real
    assert stripe_refunded(paid_order) == 0

    order_refund(order=paid_order, amount=Decimal("900"), actor=cashier, key="k-1")

    assert Refund.objects.get().status == RefundStatus.SUCCEEDED
    assert stripe_refunded(paid_order) == 90000


class _Forms(HTMLParser):
    """The forms of a page as a browser sees them: a form inside a form is ignored."""

    def __init__(self):
        super().__init__()
        self.forms, self.open = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.open is None:
            self.open = {"action": attrs.get("action", ""), "fields": {}, "buttons": []}
            self.forms.append(self.open)
        elif tag == "form":
            self.open["nested"] = True
        elif tag == "input" and self.open is not None and attrs.get("name"):
            self.open["fields"][attrs["name"]] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.open = None

    def handle_data(self, data):
        if self.open is not None and data.strip():
            self.open["buttons"].append(data.strip())


def refund_form(html: str) -> dict:
    parser = _Forms()
    parser.feed(html)
    (form,) = [f for f in parser.forms if "Вернуть деньги" in f["buttons"]]
    return form


def test_staff_refund_from_the_order_page(client, paid_order, cashier):
    cashier.is_staff = True
    cashier.save()
    cashier.user_permissions.add(Permission.objects.get(codename="view_order"))
    client.force_login(cashier)

    page = client.get(f"/shop/dashboard/orders/{paid_order.number}/")
    form = refund_form(page.content.decode())
    assert "Можно вернуть до 900\xa0₽." in page.content.decode()
    assert "nested" not in form and form["action"].endswith(f"/{paid_order.number}/refund/")
    data = {**form["fields"], "amount": "450", "reason": "Ребёнок не поехал"}

    client.post(form["action"], data)
    client.post(form["action"], data)  # a double click

    assert Refund.objects.count() == 1
    assert stripe_refunded(paid_order) == 45000
    assert "Можно вернуть до 450\xa0₽." in client.get(page.request["PATH_INFO"]).content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"amount": "-5", "reason": "x", "key": "b" * 32},
        {"amount": "много", "reason": "x", "key": "b" * 32},
        {"amount": "901", "reason": "x", "key": "b" * 32},
        {"amount": "99999999999999999999", "reason": "x", "key": "b" * 32},
        {"amount": "100", "reason": "", "key": "b" * 32},
        {"amount": "100", "reason": "x", "key": "z" * 100},
    ],
)
def test_bad_refund_input_changes_nothing(client, paid_order, cashier, data):
    client.force_login(cashier)

    response = client.post(f"/shop/dashboard/orders/{paid_order.number}/refund/", data)

    assert response.status_code == 302
    assert Refund.objects.count() == 0


def test_refunds_need_the_permission(client, paid_order):
    client.force_login(make_staff("helper@example.com"))

    response = client.post(
        f"/shop/dashboard/orders/{paid_order.number}/refund/",
        {"amount": "900", "reason": "x", "key": "c" * 32},
    )

    assert response.status_code == 403
    assert Refund.objects.count() == 0


def test_the_order_page_shows_refunds_instead_of_a_status_form(client, paid_order):
    client.force_login(make_staff("boss@example.com", is_superuser=True))
    order_refund(order=paid_order, amount=Decimal("300"), actor=None, reason="Ребёнок не поехал")

    html = client.get(f"/shop/dashboard/orders/{paid_order.number}/").content.decode()

    assert "Ребёнок не поехал" in html
    assert "Можно вернуть до 600\xa0₽" in html
    assert 'name="order_action" value="change_order_status"' not in html


def test_a_refund_key_of_another_order_is_refused(paid_order, cashier, client, django_user_model):
    order_refund(order=paid_order, amount=Decimal("100"), actor=cashier, key="shared-key")
    other = django_user_model.objects.create_user(
        username="boris", email="boris@example.com", password="secret-pass-2"
    )
    client.force_login(other)
    basket_for(other, departures=[make_departure(price="500")])
    client.get("/shop/checkout/shipping-method/")
    second = pay(client)

    with pytest.raises(RefundError):
        order_refund(order=second, amount=Decimal("100"), actor=cashier, key="shared-key")

    assert stripe_refunded(second) == 0


def test_a_pending_refund_is_sent_again_from_the_order_page(client, paid_order, cashier, settings):
    real = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    with pytest.raises(RefundError):
        order_refund(order=paid_order, amount=Decimal("900"), actor=cashier, reason="Отмена")
    settings.STRIPE_API_BASE = real
    refund = Refund.objects.get()
    client.force_login(cashier)

    client.post(f"/shop/dashboard/orders/{paid_order.number}/refunds/{refund.pk}/retry/")
    client.post(f"/shop/dashboard/orders/{paid_order.number}/refunds/{refund.pk}/retry/")

    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED
    assert stripe_refunded(paid_order) == 90000
