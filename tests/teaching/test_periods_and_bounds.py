"""Periods are added, edited and deleted by teachers through one service that writes the
activity log; dates outside the site's calendar are refused with a message, and a period
saved before that limit existed no longer breaks a page."""

import pytest

from shop.activity.models import ActivityEntry
from shop.teaching.models import Period, Reflection

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]

OUT_OF_RANGE = "Выберите дату с 2000-01-01 по 2099-12-31"


def add(client, **fields):
    data = {"action": "period", "name": "Декабрь", "starts_on": "2026-12-01"}
    data["ends_on"] = "2026-12-31"
    return client.post("/team/rubrics/", {**data, **fields})


@pytest.mark.parametrize(
    "dates",
    [{"starts_on": "0001-01-01"}, {"ends_on": "9999-12-31"}],
    ids=["from year 1", "to year 9999"],
)
def test_a_period_at_the_ends_of_the_calendar_is_refused_with_a_message(client, teacher, dates):
    client.force_login(teacher)

    response = add(client, **dates)

    assert response.status_code == 400 and OUT_OF_RANGE in response.content.decode()
    assert Period.objects.count() == 0 and ActivityEntry.objects.count() == 0


def test_adding_a_period_is_written_to_the_activity_log(client, teacher):
    client.force_login(teacher)

    add(client)

    period = Period.objects.get()
    entry = ActivityEntry.objects.get(action="period.created")
    assert entry.actor == teacher and entry.after["name"] == "Декабрь"
    assert period.created_by == teacher


def test_a_teacher_edits_a_period_and_the_log_keeps_before_and_after(client, teacher):
    period = Period.objects.create(name="Декабрь", starts_on="2026-12-01", ends_on="2026-12-31")
    client.force_login(teacher)
    assert "Декабрь" in client.get(f"/team/periods/{period.pk}/").content.decode()

    client.post(
        f"/team/periods/{period.pk}/",
        {"action": "save", "name": "Зима", "starts_on": "2026-12-01", "ends_on": "2027-02-28"},
    )

    period.refresh_from_db()
    assert (period.name, str(period.ends_on)) == ("Зима", "2027-02-28")
    entry = ActivityEntry.objects.get(action="period.updated")
    assert entry.before["name"] == "Декабрь" and entry.after["ends_on"] == "2027-02-28"


def test_an_edit_out_of_range_changes_nothing(client, teacher):
    period = Period.objects.create(name="Декабрь", starts_on="2026-12-01", ends_on="2026-12-31")
    client.force_login(teacher)

    response = client.post(
        f"/team/periods/{period.pk}/",
        {"action": "save", "name": "Вечность", "starts_on": "2026-12-01", "ends_on": "9999-12-31"},
    )

    assert response.status_code == 400 and OUT_OF_RANGE in response.content.decode()
    assert Period.objects.get().name == "Декабрь"


def test_a_teacher_deletes_a_period_nothing_cites(client, teacher):
    period = Period.objects.create(name="Черновик", starts_on="2026-12-01", ends_on="2026-12-31")
    client.force_login(teacher)

    client.post(f"/team/periods/{period.pk}/", {"action": "delete"})

    assert not Period.objects.exists()
    entry = ActivityEntry.objects.get(action="period.deleted")
    assert entry.actor == teacher and entry.before["name"] == "Черновик"


def test_a_period_a_reflection_cites_is_not_deleted(client, teacher, student):
    period = Period.objects.create(name="Осень", starts_on="2026-09-01", ends_on="2026-12-31")
    Reflection.objects.create(student=student, period=period, text="Научился упаковывать")
    client.force_login(teacher)

    response = client.post(f"/team/periods/{period.pk}/", {"action": "delete"}, follow=True)

    assert "не может быть удалён" in response.content.decode()
    assert Period.objects.filter(pk=period.pk).exists()
    assert not ActivityEntry.objects.filter(action="period.deleted").exists()


def test_a_student_can_neither_edit_nor_delete_a_period(client, student):
    period = Period.objects.create(name="Осень", starts_on="2026-09-01", ends_on="2026-12-31")
    client.force_login(student)

    assert client.get(f"/team/periods/{period.pk}/").status_code == 403
    assert client.post(f"/team/periods/{period.pk}/", {"action": "delete"}).status_code == 403
    assert client.get("/team/periods/987654/").status_code == 403  # the same for no period
    assert Period.objects.filter(pk=period.pk).exists()


def test_a_period_saved_before_the_limit_breaks_no_page(client, teacher, student):
    """Such a period (year 1 to year 9999) is what today's pages fall back to when no period
    covers today: every page answers, with the dates cut to the site's calendar."""
    endless = Period.objects.create(name="Всё время", starts_on="0001-01-01", ends_on="9999-12-31")
    client.force_login(teacher)

    for url in (
        "/team/students/",
        f"/team/students/{student.pk}/",
        f"/team/students/{student.pk}/?period={endless.pk}",
        f"/team/students/{student.pk}/assess/?period={endless.pk}",
        f"/team/gradebook/?period={endless.pk}",
        f"/team/gradebook/?period={endless.pk}&export=csv",
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("export", ["", "&export=csv", "&export=xlsx"])
def test_a_report_at_the_end_of_the_calendar_is_refused_with_a_message(client, teacher, export):
    client.force_login(teacher)

    response = client.get(f"/team/reports/?first=9999-12-29&last=9999-12-31{export}")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert OUT_OF_RANGE in response.content.decode()
