"""Staff manage tours and departures in Oscar's dashboard: schedule, edit, close, cancel."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from shop.activity.models import ActivityEntry
from shop.bookings.models import Departure, DepartureStatus, Tour, TourTranslation
from tests.factories import ensure_booking_basics, make_staff, make_tour

pytestmark = [pytest.mark.django_db]

StockRecord = get_model("partner", "StockRecord")
IRKUTSK = ZoneInfo("Asia/Irkutsk")

ACCESS_FN = "shop.bookings.dashboard.nav.dashboard_access_fn"
VIEWER_PERMS = ("view_tour", "view_departure")
MANAGER_PERMS = (*VIEWER_PERMS, "change_tour", "add_departure", "change_departure")


# --- helpers --------------------------------------------------------------------------------


def make_user(email, *codenames, is_staff=True):
    user = make_staff(email, is_staff=is_staff)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="bookings", codename__in=codenames)
    )
    return type(user).objects.get(pk=user.pk)  # drop the permission cache


@pytest.fixture
def manager():
    return make_user("manager@example.com", *MANAGER_PERMS)


@pytest.fixture
def viewer():
    return make_user("viewer@example.com", *VIEWER_PERMS)


@pytest.fixture
def nobody():
    return make_user("nobody@example.com")


@pytest.fixture
def product():
    return make_tour(departures=2, capacity=10)


@pytest.fixture
def tour(product):
    return product.tour


@pytest.fixture
def departure(tour):
    return tour.departures.order_by("starts_at").first()


@pytest.fixture
def staff_client(client, manager):
    client.force_login(manager)
    return client


def url(name, tour, departure=None):
    if isinstance(departure, int):  # may be too long for the URL pattern: build it by hand
        path = reverse(f"bookings-dashboard:{name}", kwargs={"pk": tour.pk, "departure_pk": 1})
        return path.replace("/departures/1/", f"/departures/{departure}/")
    kwargs = {"pk": tour.pk}
    if departure is not None:
        kwargs["departure_pk"] = departure.pk
    return reverse(f"bookings-dashboard:{name}", kwargs=kwargs)


def sell(departure, seats):
    StockRecord.objects.filter(product_id=departure.pk).update(num_allocated=seats)


def stock(departure):
    return StockRecord.objects.get(product_id=departure.pk)


def next_monday(weeks_ahead=1) -> dt.date:
    today = timezone.localdate()
    return today + dt.timedelta(days=7 * weeks_ahead - today.weekday())


def schedule_data(**fields):
    monday = next_monday()
    data = {
        "date_from": monday.isoformat(),
        "date_to": (monday + dt.timedelta(days=13)).isoformat(),
        "weekdays": ["0", "4"],
        "times": "10:00",
        "capacity": "12",
        "price_adult": "900",
        "price_child": "450",
        "price_student": "",
        "price_group": "",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def departure_data(departure, **fields):
    data = {"capacity": str(stock(departure).num_in_stock)}
    data.update({f"price_{f.ticket_type.code}": str(f.price) for f in departure.fares.all()})
    data.update(fields)
    return data


def snapshot(tour):
    """Everything a dashboard action could change."""
    departures = Departure.objects.filter(tour=tour).order_by("pk")
    return {
        "tour": Tour.objects.filter(pk=tour.pk).values().get(),
        "translations": list(TourTranslation.objects.filter(tour=tour).values()),
        "departures": list(departures.values("pk", "starts_at", "status", "status_reason")),
        "stock": list(
            StockRecord.objects.filter(product__departure__tour=tour)
            .order_by("pk")
            .values("num_in_stock", "num_allocated", "price")
        ),
        "fares": sorted(
            (f.departure_id, f.ticket_type.code, f.price)
            for d in departures
            for f in d.fares.select_related("ticket_type")
        ),
        "activity": ActivityEntry.objects.count(),
    }


def public_page(client, product):
    response = client.get(product.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def book_link(departure):
    return f"?departure={departure.pk}"


# --- tour list and detail -------------------------------------------------------------------


def test_tour_list_shows_upcoming_departures_and_seats(staff_client, product, departure):
    sell(departure, 3)
    make_tour(title="Встреча рассвета", departures=0)
    response = staff_client.get(reverse("bookings-dashboard:tour-list"))
    assert response.status_code == 200
    tours = {t.pk: t for t in response.context["tours"]}
    assert tours[product.pk].upcoming_count == 2
    assert (tours[product.pk].seats_sold, tours[product.pk].seats_total) == (3, 20)
    html = response.content.decode()
    assert "Астральные места Байкальска" in html and "Встреча рассвета" in html
    assert product.get_absolute_url() in html
    assert url("tour-detail", product.tour) in html


def test_tour_detail_lists_departures_in_irkutsk_time_with_fares(staff_client, tour, departure):
    sell(departure, 4)
    response = staff_client.get(url("tour-detail", tour))
    assert response.status_code == 200
    html = response.content.decode()
    local = timezone.localtime(departure.starts_at, IRKUTSK)
    assert f'{local:%H:%M}</strong> <span class="text-muted">+08</span>' in html
    assert "Asia/Irkutsk" in html
    assert "4 / 10" in html
    assert "Взрослый: 900\xa0₽" in html
    assert url("departure-edit", tour, departure) in html
    assert url("departure-close", tour, departure) in html
    assert url("departure-cancel", tour, departure) in html


def test_past_departures_are_behind_a_toggle(staff_client, tour, departure):
    Departure.objects.filter(pk=departure.pk).update(
        starts_at=timezone.now() - dt.timedelta(days=3)
    )
    upcoming = staff_client.get(url("tour-detail", tour))
    assert departure not in upcoming.context["departures"]
    assert upcoming.context["past_count"] == 1
    past = staff_client.get(url("tour-detail", tour), {"past": "1"})
    assert list(past.context["departures"]) == [departure]
    assert url("departure-close", tour, departure) not in past.content.decode()


def test_saving_the_tour_facts_records_before_and_after(staff_client, manager, tour):
    data = {
        "tour-duration_minutes": "180",
        "tour-meeting_point": "Вокзал Байкальска",
        "tour-meeting_point_map_url": "https://yandex.ru/maps/-/abc",
        "tour-what_to_bring": "Тёплую куртку",
        "tour-languages": "ru, en",
        "tour-difficulty": "moderate",
        "tour-min_group_size": "2",
        "tour-max_group_size": "12",
        "tour-max_per_booking": "6",
        "tour-booking_cutoff_hours": "24",
        "tour-decision_hours": "36",
        "tour-cancel_below_minimum": "on",
        "tour-cancellation_terms": "Бесплатно за сутки",
        "tour-is_group_booking": "on",
        "en-meeting_point": "Baikalsk railway station",
        "en-what_to_bring": "A warm jacket",
        "en-cancellation_terms": "",
        "zh-hans-meeting_point": "贝加尔斯克火车站",
        "zh-hans-what_to_bring": "",
        "zh-hans-cancellation_terms": "",
    }
    response = staff_client.post(url("tour-detail", tour), data)
    assert response.status_code == 302
    tour.refresh_from_db()
    assert (tour.duration_minutes, tour.max_group_size, tour.languages) == (180, 12, "ru,en")
    assert tour.is_group_booking
    assert (tour.decision_hours, tour.cancel_below_minimum) == (36, True)
    english = TourTranslation.objects.get(tour=tour, language="en")
    assert english.meeting_point == "Baikalsk railway station"
    chinese = TourTranslation.objects.get(tour=tour, language="zh-hans")
    assert chinese.meeting_point == "贝加尔斯克火车站"
    entry = ActivityEntry.objects.get(action="tour.updated")
    assert entry.actor == manager
    assert entry.before["meeting_point"] == "Площадь у Дома культуры"
    assert entry.after["meeting_point"] == "Вокзал Байкальска"
    assert entry.after["en"]["what_to_bring"] == "A warm jacket"
    assert entry.after["zh-hans"]["meeting_point"] == "贝加尔斯克火车站"
    assert entry.after["tour"] == tour.pk

    # The same form again changes nothing and records nothing.
    staff_client.post(url("tour-detail", tour), data)
    assert ActivityEntry.objects.filter(action="tour.updated").count() == 1


@pytest.mark.parametrize(
    "field, value",
    [
        ("tour-duration_minutes", "-5"),
        ("tour-duration_minutes", "0"),
        ("tour-duration_minutes", "9" * 30),
        ("tour-meeting_point", ""),
        ("tour-meeting_point_map_url", "javascript:alert(1)"),
        ("tour-languages", "русский"),
        ("tour-min_group_size", "20"),  # larger than the maximum
        ("tour-max_group_size", "100000"),
        ("tour-difficulty", "extreme"),
        ("tour-booking_cutoff_hours", "abc"),
        ("tour-decision_hours", "100000"),
        ("zh-hans-meeting_point", "地" * 300),
    ],
)
def test_bad_tour_facts_change_nothing(staff_client, tour, field, value):
    data = {
        "tour-duration_minutes": "150",
        "tour-meeting_point": "Площадь",
        "tour-languages": "ru",
        "tour-difficulty": "easy",
        "tour-min_group_size": "1",
        "tour-max_group_size": "15",
        "tour-max_per_booking": "10",
        "tour-booking_cutoff_hours": "12",
        "tour-decision_hours": "24",
        field: value,
    }
    before = snapshot(tour)
    response = staff_client.post(url("tour-detail", tour), data)
    assert response.status_code == 200
    forms = [response.context["facts_form"], *response.context["translation_forms"]]
    assert [form.prefix for form in forms if form.errors] == [field.rsplit("-", 1)[0]]
    assert snapshot(tour) == before


# --- schedule -------------------------------------------------------------------------------


def test_schedule_creates_monday_and_friday_departures_in_local_time(client, manager):
    product = make_tour(departures=0)
    tour = product.tour
    client.force_login(manager)
    response = client.get(url("tour-schedule", tour))
    assert response.status_code == 200
    assert response.context["form"]["capacity"].value() == tour.max_group_size

    response = client.post(url("tour-schedule", tour), schedule_data())
    assert response.status_code == 200
    assert not response.context["form"].errors
    monday = next_monday()
    expected = [
        dt.datetime.combine(monday + dt.timedelta(days=offset), dt.time(10), tzinfo=IRKUTSK)
        for offset in (0, 4, 7, 11)
    ]
    departures = list(tour.departures.order_by("starts_at"))
    assert [d.starts_at for d in departures] == expected
    assert [d.starts_at.astimezone(dt.UTC).hour for d in departures] == [2, 2, 2, 2]
    assert [timezone.localtime(d.starts_at).strftime("%a %H:%M") for d in departures] == [
        "Mon 10:00",
        "Fri 10:00",
        "Mon 10:00",
        "Fri 10:00",
    ]
    first = departures[0]
    assert stock(first).num_in_stock == 12
    assert {f.ticket_type.code: f.price for f in first.fares.all()} == {
        "adult": Decimal("900"),
        "child": Decimal("450"),
    }
    assert len(response.context["created"]) == 4 and response.context["skipped"] == []
    entries = ActivityEntry.objects.filter(action="departure.created", departure__tour=tour)
    assert entries.count() == 4 and {e.actor for e in entries} == {manager}

    # The same schedule again creates nothing new.
    again = client.post(url("tour-schedule", tour), schedule_data())
    assert again.status_code == 200
    assert again.context["created"] == []
    assert [row["starts_at"] for row in again.context["skipped"]] == expected
    assert not any(row["past"] for row in again.context["skipped"])
    assert tour.departures.count() == 4
    assert entries.count() == 4


def test_schedule_form_starts_with_the_prices_of_the_latest_departure(staff_client, tour):
    form = staff_client.get(url("tour-schedule", tour)).context["form"]
    assert form["price_adult"].value() == Decimal("900")
    assert form["price_group"].value() is None
    assert form["date_from"].value() == timezone.localdate() + dt.timedelta(days=1)


def test_schedule_with_several_times_and_overlap_creates_only_the_new_starts(staff_client):
    tour = make_tour(departures=0).tour
    staff_client.post(url("tour-schedule", tour), schedule_data(times="10:00"))
    response = staff_client.post(url("tour-schedule", tour), schedule_data(times="15:30, 10:00"))
    assert len(response.context["created"]) == 4
    assert len(response.context["skipped"]) == 4
    times = sorted({timezone.localtime(d.starts_at).time() for d in tour.departures.all()})
    assert times == [dt.time(10), dt.time(15, 30)]


def test_schedule_skips_starts_in_the_past(staff_client):
    tour = make_tour(departures=0).tour
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = staff_client.post(
        url("tour-schedule", tour),
        schedule_data(
            date_from=yesterday.isoformat(),
            date_to=yesterday.isoformat(),
            weekdays=[str(yesterday.weekday())],
        ),
    )
    assert response.status_code == 200
    assert response.context["created"] == []
    assert [row["past"] for row in response.context["skipped"]] == [True]
    assert tour.departures.count() == 0


@pytest.mark.parametrize(
    "fields, error_field",
    [
        ({"date_from": "2025-13-45"}, "date_from"),
        ({"date_to": "not a date"}, "date_to"),
        ({"date_from": ""}, "date_from"),
        ({"date_from": "99999-01-01"}, "date_from"),
        ({"weekdays": None}, "weekdays"),
        ({"weekdays": ["7"]}, "weekdays"),
        ({"weekdays": ["monday"]}, "weekdays"),
        ({"times": ""}, "times"),
        ({"times": " , "}, "times"),
        ({"times": "25:00"}, "times"),
        ({"times": "10:75"}, "times"),
        ({"times": "ten o'clock"}, "times"),
        ({"times": ", ".join(f"{h:02d}:00" for h in range(20))}, "times"),
        ({"capacity": "0"}, "capacity"),
        ({"capacity": "-3"}, "capacity"),
        ({"capacity": "1000000000"}, "capacity"),
        ({"capacity": "9" * 5000}, "capacity"),
        ({"capacity": "12.5"}, "capacity"),
        ({"price_adult": "-1"}, "price_adult"),
        ({"price_adult": "1e999"}, "price_adult"),
        ({"price_adult": "NaN"}, "price_adult"),
        ({"price_adult": "99999999999"}, "price_adult"),
        ({"price_adult": "9.999"}, "price_adult"),
        ({"price_adult": "", "price_child": ""}, None),  # nothing to sell
    ],
)
def test_bad_schedule_input_shows_an_error_and_creates_nothing(
    staff_client, tour, fields, error_field
):
    before = snapshot(tour)
    response = staff_client.post(url("tour-schedule", tour), schedule_data(**fields))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors
    if error_field:
        assert error_field in form.errors
    else:
        assert form.non_field_errors()
    assert "created" not in response.context
    assert snapshot(tour) == before


def test_schedule_errors_of_the_service_are_shown_on_the_form(staff_client, tour):
    before = snapshot(tour)
    monday = next_monday()
    too_long = schedule_data(date_to=(monday + dt.timedelta(days=400)).isoformat())
    response = staff_client.post(url("tour-schedule", tour), too_long)
    assert response.status_code == 200
    assert "366" in " ".join(response.context["form"].non_field_errors())
    reversed_dates = schedule_data(date_to=(monday - dt.timedelta(days=1)).isoformat())
    response = staff_client.post(url("tour-schedule", tour), reversed_dates)
    assert response.context["form"].errors["date_to"]
    assert snapshot(tour) == before


# --- one departure --------------------------------------------------------------------------


def test_edit_departure_changes_capacity_and_fares(staff_client, manager, tour, departure):
    response = staff_client.get(url("departure-edit", tour, departure))
    assert response.status_code == 200
    assert response.context["form"]["price_adult"].value() == Decimal("900")
    data = departure_data(departure, capacity="14", price_adult="950", price_child="")
    response = staff_client.post(url("departure-edit", tour, departure), data)
    assert response.status_code == 302
    assert stock(departure).num_in_stock == 14
    fares = {f.ticket_type.code: f.price for f in departure.fares.all()}
    assert fares == {"adult": Decimal("950"), "student": Decimal("600")}
    entry = ActivityEntry.objects.get(action="departure.updated")
    assert (entry.actor, entry.departure) == (manager, departure)
    assert (entry.before["capacity"], entry.after["capacity"]) == (10, 14)


def test_capacity_below_seats_sold_is_refused_with_the_service_message(
    staff_client, tour, departure
):
    sell(departure, 5)
    before = snapshot(tour)
    response = staff_client.post(
        url("departure-edit", tour, departure), departure_data(departure, capacity="3")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["capacity"]
    assert any("5" in error for error in errors)
    assert snapshot(tour) == before
    # Exactly the seats sold is fine.
    response = staff_client.post(
        url("departure-edit", tour, departure), departure_data(departure, capacity="5")
    )
    assert response.status_code == 302
    assert stock(departure).num_in_stock == 5


@pytest.mark.parametrize(
    "fields",
    [
        {"capacity": "0"},
        {"capacity": ""},
        {"capacity": "1001"},
        {"capacity": "abc"},
        {"price_adult": "-100"},
        {"price_adult": "1" * 40},
        {"price_adult": "", "price_child": "", "price_student": ""},
    ],
)
def test_bad_departure_input_changes_nothing(staff_client, tour, departure, fields):
    before = snapshot(tour)
    response = staff_client.post(
        url("departure-edit", tour, departure), departure_data(departure, **fields)
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert snapshot(tour) == before


def test_close_and_reopen_change_what_the_public_page_offers(
    client, site_home, manager, product, tour, departure
):
    assert book_link(departure) in public_page(client, product)
    client.force_login(manager)

    response = client.post(url("departure-close", tour, departure))
    assert response.status_code == 302
    departure.refresh_from_db()
    assert departure.status == DepartureStatus.CLOSED
    html = public_page(client, product)
    assert book_link(departure) not in html
    assert "Бронирование закрыто" in html

    # Closing twice is refused by the service, with a message, and changes nothing.
    entries = ActivityEntry.objects.count()
    response = client.post(url("departure-close", tour, departure), follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert ActivityEntry.objects.count() == entries

    response = client.post(url("departure-reopen", tour, departure))
    assert response.status_code == 302
    departure.refresh_from_db()
    assert departure.status == DepartureStatus.SCHEDULED
    assert book_link(departure) in public_page(client, product)

    actions = list(
        ActivityEntry.objects.filter(departure=departure)
        .order_by("pk")
        .values_list("action", "actor")
    )
    assert actions[-2:] == [
        ("departure.closed", manager.pk),
        ("departure.reopened", manager.pk),
    ]


def test_cancel_asks_for_confirmation_and_a_reason(
    client, site_home, manager, product, tour, departure
):
    sell(departure, 3)
    client.force_login(manager)
    response = client.get(url("departure-cancel", tour, departure))
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["departure"].seats_sold == 3
    assert "3 seats are sold on this departure" in html or "продано 3 места" in html.lower()
    assert "возвращ" in html.lower() and "письмо" in html.lower()
    assert departure.status == DepartureStatus.SCHEDULED

    before = snapshot(tour)
    for data in (
        {},
        {"reason": "storm"},
        {"reason": "other"},
        {"reason": "other", "note": "   "},
        {"reason": "weather", "note": "x" * 300},
    ):
        response = client.post(url("departure-cancel", tour, departure), data)
        assert response.status_code == 200
        assert response.context["form"].errors
    assert snapshot(tour) == before

    response = client.post(
        url("departure-cancel", tour, departure), {"reason": "weather", "note": "Шторм на Байкале"}
    )
    assert response.status_code == 302
    departure.refresh_from_db()
    assert (departure.status, departure.cancel_reason, departure.status_reason) == (
        "cancelled",
        "weather",
        "Шторм на Байкале",
    )
    entry = ActivityEntry.objects.filter(departure=departure).first()
    assert (entry.action, entry.actor, entry.note) == (
        "departure.cancelled",
        manager,
        "Погода: Шторм на Байкале",
    )

    html = public_page(client, product)
    assert "Отменена" in html
    assert book_link(departure) not in html

    # A cancelled departure cannot be cancelled again or reopened.
    response = client.post(url("departure-cancel", tour, departure), {"reason": "weather"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    client.post(url("departure-reopen", tour, departure))
    departure.refresh_from_db()
    assert departure.status == DepartureStatus.CANCELLED
    assert ActivityEntry.objects.filter(departure=departure).count() == 2  # created, cancelled


def test_a_departure_of_another_tour_or_a_missing_one_is_404(staff_client, tour):
    other = make_tour(title="Встреча рассвета", departures=1).tour.departures.get()
    before = snapshot(tour), snapshot(other.tour)
    for target in (other, 999999, 10**20):
        for name in ("departure-edit", "departure-cancel"):
            assert staff_client.get(url(name, tour, target)).status_code == 404
        for name in ("departure-edit", "departure-close", "departure-reopen"):
            assert staff_client.post(url(name, tour, target), {"capacity": "1"}).status_code == 404
        response = staff_client.post(url("departure-cancel", tour, target), {"reason": "x"})
        assert response.status_code == 404
    for pk in (999999, 10**20):
        assert staff_client.get(f"/shop/dashboard/tours/{pk}/").status_code == 404
        assert staff_client.post(f"/shop/dashboard/tours/{pk}/schedule/").status_code == 404
    assert (snapshot(tour), snapshot(other.tour)) == before


def test_close_and_reopen_only_accept_post(staff_client, tour, departure):
    assert staff_client.get(url("departure-close", tour, departure)).status_code == 405
    assert staff_client.get(url("departure-reopen", tour, departure)).status_code == 405


# --- permissions ----------------------------------------------------------------------------


def every_request(tour, departure):
    return [
        ("get", reverse("bookings-dashboard:tour-list"), {}),
        ("get", url("tour-detail", tour), {}),
        ("post", url("tour-detail", tour), {"tour-meeting_point": "Взлом"}),
        ("get", url("tour-schedule", tour), {}),
        ("post", url("tour-schedule", tour), schedule_data()),
        ("get", url("departure-edit", tour, departure), {}),
        ("post", url("departure-edit", tour, departure), {"capacity": "1", "price_adult": "1"}),
        ("post", url("departure-close", tour, departure), {}),
        ("post", url("departure-reopen", tour, departure), {}),
        ("get", url("departure-cancel", tour, departure), {}),
        ("post", url("departure-cancel", tour, departure), {"reason": "weather"}),
        ("post", url("departure-decide", tour, departure), {"decision": "cancel"}),
        ("get", url("departure-add", tour), {}),
        ("post", url("departure-add", tour), {"date": "2030-01-01", "time": "10:00"}),
        ("get", reverse("bookings-dashboard:feedback"), {}),
    ]


def test_staff_without_permissions_gets_403_and_changes_nothing(client, nobody, tour, departure):
    client.force_login(nobody)
    before = snapshot(tour)
    for method, path, data in every_request(tour, departure):
        assert getattr(client, method)(path, data).status_code == 403, (method, path)
    assert snapshot(tour) == before


def test_superuser_may_do_everything(client, tour, departure):
    admin = make_staff("admin@example.com", is_superuser=True)
    client.force_login(admin)
    for method, path, _data in every_request(tour, departure):
        if method == "get":
            assert client.get(path).status_code == 200, path
    response = client.post(url("departure-close", tour, departure))
    assert response.status_code == 302
    assert ActivityEntry.objects.filter(action="departure.closed", actor=admin).exists()


def test_a_viewer_sees_everything_but_cannot_change_anything(client, viewer, tour, departure):
    client.force_login(viewer)
    response = client.get(url("tour-detail", tour))
    assert response.status_code == 200
    html = response.content.decode()
    assert url("departure-close", tour, departure) not in html
    assert url("tour-schedule", tour) not in html
    assert all(field.disabled for field in response.context["facts_form"].fields.values())
    before = snapshot(tour)
    for method, path, data in every_request(tour, departure)[2:]:
        assert getattr(client, method)(path, data).status_code == 403, (method, path)
    assert snapshot(tour) == before


def test_each_permission_opens_only_its_own_action(client, tour, departure):
    scheduler = make_user("scheduler@example.com", "view_tour", "add_departure")
    client.force_login(scheduler)
    assert client.get(url("tour-schedule", tour)).status_code == 200
    assert client.get(url("departure-edit", tour, departure)).status_code == 403
    assert client.post(url("departure-close", tour, departure)).status_code == 403

    editor = make_user("editor@example.com", "view_departure", "change_departure")
    client.force_login(editor)
    assert client.get(url("departure-edit", tour, departure)).status_code == 200
    assert client.get(url("tour-schedule", tour)).status_code == 403
    assert client.post(url("tour-detail", tour), {}).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login(client, tour, departure):
    before = snapshot(tour)
    login = reverse("dashboard:login")
    for method, path, data in every_request(tour, departure):
        response = getattr(client, method)(path, data)
        assert response.status_code == 302, path
        assert response["Location"].startswith(login), path
    assert snapshot(tour) == before


def test_dashboard_menu_shows_tours_to_staff_with_the_permission(client, viewer, nobody):
    from oscar.apps.dashboard.menu import get_nodes

    def labels(user):
        return [child.url for node in get_nodes(user) for child in node.children]

    tour_list = reverse("bookings-dashboard:tour-list")
    assert tour_list in labels(viewer)
    assert tour_list not in labels(nobody)

    client.force_login(viewer)
    html = client.get(tour_list).content.decode()
    assert f'href="{tour_list}"' in html  # the menu entry, on our own page
    superuser = make_staff("root@example.com", is_superuser=True)
    client.force_login(superuser)
    response = client.get(reverse("dashboard:index"))
    assert response.status_code == 200
    assert tour_list in response.content.decode()


def test_nav_access_function_leaves_oscar_entries_to_oscar(viewer):
    from shop.bookings.dashboard.nav import dashboard_access_fn

    ensure_booking_basics()
    admin = make_staff("root2@example.com", is_superuser=True)
    customer = make_user("customer@example.com", *VIEWER_PERMS, is_staff=False)
    assert dashboard_access_fn(admin, "dashboard:catalogue-product-list")
    assert dashboard_access_fn(viewer, "dashboard:index")  # Oscar: any staff member
    assert not dashboard_access_fn(viewer, "dashboard:order-list")  # Oscar: view_order
    assert not dashboard_access_fn(customer, "dashboard:index")
    assert dashboard_access_fn(customer, "bookings-dashboard:tour-list")
    assert not dashboard_access_fn(make_user("x@example.com"), "bookings-dashboard:tour-list")
    assert dashboard_access_fn(viewer, None)
    assert settings.OSCAR_DASHBOARD_DEFAULT_ACCESS_FUNCTION == ACCESS_FN
