"""The teachers' report on a small known data set, figured by hand."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from oscar.core.loading import get_model

from shop.bookings.cancellation import departure_cancel_for_everyone
from shop.bookings.options import TICKET_TYPE_OPTION
from shop.payments.services import order_refund
from shop.teaching import reports
from shop.teaching.exports import table_rows
from shop.team.services import order_claim, order_step
from tests.checkout.helpers import basket_for, gingerbread, make_departure
from tests.payments.helpers import pay

# Day/week/month buckets in Irkutsk time and decimal sums are computed differently by
# SQLite (Python functions) and PostgreSQL.
pytestmark = [pytest.mark.sqlite, pytest.mark.payments, pytest.mark.django_db]

Order = get_model("order", "Order")
Option = get_model("catalogue", "Option")

DAY = dt.date(2026, 11, 20)


def buy(client, user, *, products=(), departures=(), adults=1, method=None):
    basket = basket_for(user, products=products)
    option = Option.objects.get_or_create(code=TICKET_TYPE_OPTION, defaults={"name": "Тип"})[0]
    for departure in departures:
        basket.add_product(
            departure.product, adults, options=[{"option": option, "value": "adult"}]
        )
    client.force_login(user)
    if method:
        client.post("/shop/checkout/shipping-method/", {"method_code": method})
    else:
        client.get("/shop/checkout/shipping-method/")
    order = pay(client)
    client.logout()
    return order


def at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def known(client, django_user_model, student):
    """A: a gift box (1350) picked up at the college, 350 refunded for a dented box.
    B: two adults on departure 1 (2 × 900). C: one adult on departure 2 (900), which the
    weather cancelled: refunded in full. All placed on 20 November; one order the day after
    the range shows the range is respected."""
    users = [
        django_user_model.objects.create_user(username=n, email=f"{n}@example.com", password="x")
        for n in ("anna", "boris", "vera", "late")
    ]
    box = gingerbread(title="Подарочная коробка", price="1350", stock=10)
    first, second = make_departure(capacity=10), make_departure(capacity=8)
    a = buy(client, users[0], products=[box], method="pickup-college")
    b = buy(client, users[1], departures=[first], adults=2)
    c = buy(client, users[2], departures=[second])
    late = buy(client, users[3], products=[box], method="pickup-college")
    for order, hour in ((a, 9), (b, 10), (c, 11)):
        Order.objects.filter(pk=order.pk).update(date_placed=at(DAY, hour))
    Order.objects.filter(pk=late.pk).update(date_placed=at(DAY + dt.timedelta(days=1), 9))
    a.refresh_from_db()
    order_claim(order=a, actor=student)
    order_step(order=a, actor=student, to_stage="packed")
    order_step(order=a, actor=student, to_stage="ready")
    order_step(order=a, actor=student, to_stage="handed_over")
    order_refund(order=a, amount=Decimal("350"), actor=student, reason="Помятая коробка")
    departure_cancel_for_everyone(departure=second, actor=student, reason="weather", note="Шторм")
    return {"a": a, "b": b, "c": c, "first": first, "second": second}


def tables(period=None, **kwargs):
    period = period or reports.DateRange(DAY - dt.timedelta(days=1), DAY)
    # Refunds count on the day they were made (today), so the range reaches today.
    return {t.id: t for t in reports.report(period, **kwargs)}


def test_the_summary_matches_the_figures_by_hand(known):
    today = timezone.localdate()
    summary = tables(reports.DateRange(DAY, DAY))["summary"].rows[0]
    assert summary["orders"] == 3 and summary["cancelled"] == 1
    assert summary["sales"] == Decimal("4050.00")  # 1350 + 1800 + 900
    assert summary["average"] == Decimal("1350.00")
    # The refunds were made today: in a range that holds today.
    both = tables(reports.DateRange(DAY, today))["summary"].rows[0]
    assert both["orders"] == 4 and both["sales"] == Decimal("5400.00")
    assert both["refunds"] == 2 and both["refunded"] == Decimal("1250.00")
    assert both["net"] == Decimal("4150.00")


def test_the_tables_by_product_departure_ticket_type_and_delivery(known, settings):
    period = reports.DateRange(DAY, DAY)
    by = {t.id: t for t in reports.report(period)}

    products = {row["name"]: row for row in by["by_product"].rows}
    assert products["Подарочная коробка"] == {
        "name": "Подарочная коробка",
        "quantity": 1,
        "cancelled": 0,
        "sales": Decimal("1350.00"),
    }
    assert by["by_product"].total["sales"] == Decimal("4050.00")  # nothing to deliver here
    assert sorted((r["quantity"], r["cancelled"], r["sales"]) for r in by["by_product"].rows) == [
        (1, 0, Decimal("1350.00")),
        (1, 1, Decimal("900.00")),
        (2, 0, Decimal("1800.00")),
    ]
    assert by["by_ticket_type"].rows == [
        {"type": "Взрослый", "people": 3, "cancelled": 1, "sales": Decimal("2700.00")}
    ]
    delivery = {row["method"]: row for row in by["by_delivery"].rows}
    assert delivery["Самовывоз из техникума в Байкальске"]["orders"] == 1
    assert delivery["Только экскурсии, доставлять нечего"]["orders"] == 2


def test_departures_show_seats_capacity_and_occupancy(known):
    first, second = known["first"], known["second"]
    whole = reports.DateRange(
        timezone.localdate() - dt.timedelta(days=30), timezone.localdate() + dt.timedelta(days=30)
    )
    by = {t.id: t for t in reports.report(whole)}

    # Both test tours start at the same time; their capacities tell them apart.
    rows = {row["capacity"]: row for row in by["by_departure"].rows}
    assert rows[10]["starts"] == first.local_start_label()
    assert (rows[10]["sold"], rows[10]["occupancy"]) == (2, Decimal("20.0"))
    assert rows[10]["sales"] == Decimal("1800.00")
    assert (rows[8]["sold"], rows[8]["status"]) == (0, "Отменена")
    assert second.pk


def test_service_and_refunds_with_reasons(known):
    today = timezone.localdate()
    by = tables(reports.DateRange(DAY, today))

    service = by["service"].rows[0]
    assert service["orders"] == 2  # the gift box orders (one placed the next day)
    assert service["ready"] == 1 and service["done"] == 1
    reasons = [(row["what"], row["reason"], row["amount"]) for row in by["refunds"].rows]
    assert ("Возврат денег", "Помятая коробка", Decimal("350.00")) in reasons
    assert ("Возврат денег", "Погода: Шторм", Decimal("900.00")) in reasons
    assert ("Выезд отменён", "Погода: Шторм", None) in reasons


def test_service_hours_are_the_medians_of_the_steps_as_recorded(known, student):
    from shop.activity import kinds
    from shop.activity.models import ActivityEntry

    late = Order.objects.get(date_placed=at(DAY + dt.timedelta(days=1), 9))
    order_claim(order=late, actor=student)
    order_step(order=late, actor=student, to_stage="packed")
    order_step(order=late, actor=student, to_stage="ready")

    def step_at(order, stage):
        entries = ActivityEntry.objects.filter(order=order, action=kinds.ORDER_STEP)
        return entries.get(after__stage=stage).at

    # The steps were recorded just now (entries are append-only): the orders were placed
    # 10 and 31 hours before they were ready.
    a = known["a"]
    Order.objects.filter(pk=a.pk).update(date_placed=step_at(a, "ready") - dt.timedelta(hours=10))
    Order.objects.filter(pk=late.pk).update(
        date_placed=step_at(late, "ready") - dt.timedelta(hours=31)
    )
    service = tables(reports.DateRange(DAY, timezone.localdate()))["service"].rows[0]

    assert (service["orders"], service["ready"], service["done"]) == (2, 2, 1)
    assert service["median_ready"] == Decimal("20.5")  # between 10 and 31 hours
    assert service["within_target"] == Decimal("50.0")  # 10 h within 24, 31 h not
    assert service["median_done"] == Decimal("10.0")  # handed over right after it was ready


def test_a_range_without_orders_is_empty_not_an_error(known):
    empty = tables(reports.DateRange(dt.date(2020, 1, 1), dt.date(2020, 1, 31)))
    assert empty["summary"].rows[0]["orders"] == 0
    assert empty["summary"].rows[0]["average"] is None
    assert empty["by_product"].rows == []


def test_csv_and_xlsx_hold_the_same_figures_as_the_screen(known, client, teacher):
    from openpyxl import load_workbook

    client.force_login(teacher)
    query = f"first={DAY:%Y-%m-%d}&last={timezone.localdate():%Y-%m-%d}&every=day&target=24"
    page = client.get(f"/team/reports/?{query}")
    assert page.status_code == 200
    screen = {t.id: t for t in page.context["tables"]}
    html = page.content.decode().replace("\xa0", " ")
    assert "5 400,00 ₽" in html and "1 250,00 ₽" in html

    for table_id, table in screen.items():
        expected = table_rows(table)
        got = list(
            csv.reader(
                io.StringIO(
                    client.get(
                        f"/team/reports/?{query}&export=csv&table={table_id}"
                    ).content.decode("utf-8-sig")
                )
            )
        )
        assert got == [[_csv(v) for v in row] for row in expected], table_id

        workbook = load_workbook(
            io.BytesIO(client.get(f"/team/reports/?{query}&export=xlsx&table={table_id}").content)
        )
        sheet = workbook.worksheets[0]
        values = [[_xlsx(c) for c in row] for row in sheet.iter_rows(values_only=True)]
        assert values == [[_xlsx(v) for v in row] for row in expected], table_id


def _csv(value):
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def _xlsx(value):
    if value is None or value == "":
        return None
    if isinstance(value, (Decimal, float, int)) and not isinstance(value, bool):
        return round(float(value), 2)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None, microsecond=0, second=0)
    return value


@pytest.mark.parametrize(
    "query",
    [
        "first=2026-12-01&last=2026-11-01",
        "first=nonsense&last=2026-11-01",
        "first=2000-01-01&last=2026-01-01",
        "every=century&first=2026-11-01&last=2026-11-02",
        "target=-5&first=2026-11-01&last=2026-11-02",
    ],
)
def test_bad_ranges_are_explained(client, teacher, query):
    client.force_login(teacher)
    response = client.get(f"/team/reports/?{query}")
    assert response.status_code == 200
    assert response.context["tables"] == []
    assert response.context["form"].errors


@pytest.mark.django_db(transaction=True)
def test_a_report_kept_between_visits_shows_a_refund_made_after_them(
    known, client, teacher, student
):
    """The report is kept until an order, a refund or a step is written
    (shop/core/table_versions.py): the visit after a refund shows it."""
    client.force_login(teacher)
    url = f"/team/reports/?first={DAY:%Y-%m-%d}&last={timezone.localdate():%Y-%m-%d}&every=day"

    def summary():
        page = client.get(url)
        return next(t for t in page.context["tables"] if t.id == "summary").rows[0]

    for _ in range(3):  # the last visits are answered from what was kept
        assert summary()["refunded"] == Decimal("1250.00")
    order_refund(order=known["b"], amount=Decimal("100"), actor=student, reason="Опоздание")
    after = summary()
    assert after["refunds"] == 3 and after["refunded"] == Decimal("1350.00")
    assert after["net"] == Decimal("4050.00")
