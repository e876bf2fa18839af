"""Portfolios from the activity log, reflections, and signed assessments that never change."""

import pytest
from django.core.exceptions import PermissionDenied

from shop.activity.models import ActivityEntry
from shop.core.roles import TEACHERS
from shop.teaching.models import Assessment, Reflection, Score
from shop.teaching.services import (
    AssessmentError,
    Judgement,
    assessment_sign,
    criterion_add,
    rubric_create,
)
from shop.team.services import order_claim, order_step
from tests.checkout.helpers import checkout_and_pay, gingerbread
from tests.factories import make_member

pytestmark = [pytest.mark.payments, pytest.mark.django_db]


@pytest.fixture
def rubric(teacher):
    rubric = rubric_create(teacher=teacher, name="Работа с заказами")
    criterion_add(
        rubric=rubric,
        name="Аккуратность",
        description="",
        levels_text="3 | Отлично | Без ошибок\n2 | Хорошо | Редкие ошибки\n1 | Пока слабо |",
    )
    criterion_add(
        rubric=rubric,
        name="Скорость",
        description="",
        levels_text="2 | Быстро | В тот же день\n1 | Медленно |",
    )
    return rubric


@pytest.fixture
def handled(client, django_user_model, student):
    """A gift box order the student took and handed over."""
    customer = django_user_model.objects.create_user(
        username="tourist", email="tourist@example.com", password="pw-123456"
    )
    order = checkout_and_pay(client, customer, products=[gingerbread(price="1350", stock=5)])
    client.logout()
    order_claim(order=order, actor=student)
    for stage in ("packed", "ready", "handed_over"):
        order_step(order=order, actor=student, to_stage=stage)
    return order


def levels(rubric, *points):
    judgements = {}
    for criterion, wanted in zip(rubric.criteria.all(), points, strict=True):
        level = next(lv for lv in criterion.levels.all() if lv.points == wanted)
        judgements[criterion.pk] = Judgement(level_id=level.pk, comment=f"{criterion.name}!")
    return judgements


def test_the_portfolio_counts_what_the_student_did(client, student, handled, period):
    client.force_login(student)

    page = client.get(f"/team/students/{student.pk}/?period={period.pk}")

    folio = page.context["folio"]
    assert folio.figures["orders"] == 1 and folio.figures["steps"] == 3
    assert folio.share_of_work == 100 and folio.share_of_revenue == 100
    html = page.content.decode()
    assert f"/team/orders/{handled.number}/" in html
    assert "tourist@example.com" not in html  # no customer data in a portfolio


@pytest.mark.django_db(transaction=True)
def test_a_portfolio_kept_between_visits_shows_the_next_step_at_once(
    client, django_user_model, student, period
):
    """A portfolio is kept until the activity log or an order is written
    (shop/core/table_versions.py): the visit after a step counts it."""
    customer = django_user_model.objects.create_user(
        username="tourist", email="tourist@example.com", password="pw-123456"
    )
    order = checkout_and_pay(client, customer, products=[gingerbread(price="1350", stock=5)])
    client.logout()
    order_claim(order=order, actor=student)
    client.force_login(student)
    url = f"/team/students/{student.pk}/?period={period.pk}"
    for _ in range(3):  # the last visits are answered from what was kept
        assert client.get(url).context["folio"].figures["steps"] == 0

    order_step(order=order, actor=student, to_stage="packed")

    page = client.get(url)
    assert page.context["folio"].figures["steps"] == 1
    assert page.context["folio"].student.get_full_name() == "Алексей Студент"

    client.post(f"/team/students/{student.pk}/", {"period": period.pk, "text": "Упаковал сам"})
    assert "Упаковал сам" in client.get(url).content.decode()


# The median is taken by the database on PostgreSQL and in Python on SQLite.
@pytest.mark.sqlite
def test_the_median_handling_hours_run_from_taking_an_order_to_handing_it_over(
    client, django_user_model, student, handled, period
):
    import datetime as dt

    from shop.activity import kinds
    from shop.team.models import OrderHandling

    customer = django_user_model.objects.get(username="tourist")
    other = checkout_and_pay(client, customer, products=[gingerbread(price="250", stock=5)])
    order_claim(order=other, actor=student)
    for stage in ("packed", "ready", "handed_over"):
        order_step(order=other, actor=student, to_stage=stage)
    # Handed over just now (entries are append-only): taken 5 and 8 hours before.
    for order, hours in ((handled, 5), (other, 8)):
        done = ActivityEntry.objects.get(
            order=order, action=kinds.ORDER_STEP, after__stage="handed_over"
        ).at
        OrderHandling.objects.filter(order=order).update(
            claimed_at=done - dt.timedelta(hours=hours)
        )
    client.force_login(student)

    folio = client.get(f"/team/students/{student.pk}/?period={period.pk}").context["folio"]

    assert str(folio.median_handling_hours) == "6.5"


def test_only_what_students_did_as_staff_counts_in_portfolios_and_the_overview(
    client, student, handled, period
):
    """The student also buys a gift box as a customer: the shop logs that order's placing and
    payment (system) and the student's own step on it as a customer; none of it is work."""
    from django.db import transaction

    from shop.activity import kinds
    from shop.activity.actors import customer_of
    from shop.activity.services import activity_record
    from shop.teaching.portfolio import portfolio, students_overview

    own = checkout_and_pay(client, student, products=[gingerbread(price="250", stock=5)])
    with transaction.atomic():
        activity_record(actor=customer_of(own), action=kinds.ORDER_CANCELLED, order=own)
    assert ActivityEntry.objects.filter(order=own, actor_kind="system").count() == 2
    assert ActivityEntry.objects.filter(order=own, actor=student, actor_kind="customer").exists()

    folio = portfolio(student, period)

    assert folio.figures["actions"] == 4  # claimed, packed, ready, handed over: nothing else
    assert folio.figures["orders"] == 1 and folio.figures["steps"] == 3
    assert folio.team["actions"] == 4 and folio.share_of_work == 100
    assert all(entry.order_id == handled.pk for entry in folio.timeline)
    assert students_overview(period) == [{"student": student, "actions": 4}]


def test_a_student_writes_a_reflection_on_their_own_portfolio_only(
    client, student, other_student, period
):
    client.force_login(student)
    client.post(
        f"/team/students/{student.pk}/", {"period": period.pk, "text": "Научился упаковывать"}
    )
    assert Reflection.objects.get(student=student).text == "Научился упаковывать"

    response = client.post(
        f"/team/students/{other_student.pk}/", {"period": period.pk, "text": "x"}
    )
    assert response.status_code == 403
    assert client.get(f"/team/students/{other_student.pk}/?period={period.pk}").status_code == 403
    assert not Reflection.objects.filter(student=other_student).exists()


def test_a_teacher_signs_an_assessment_citing_evidence_and_the_student_sees_it(
    client, teacher, student, handled, period, rubric
):
    entry = ActivityEntry.objects.filter(actor=student, action="order.step").first()
    client.force_login(teacher)
    form = client.get(f"/team/students/{student.pk}/assess/?period={period.pk}")
    assert form.status_code == 200
    data = {"period": period.pk, "rubric": rubric.pk, "evidence": [entry.pk], "comment": "Молодец"}
    for criterion_pk, judgement in levels(rubric, 3, 2).items():
        data[f"level-{criterion_pk}"] = judgement.level_id
        data[f"comment-{criterion_pk}"] = "ok"
    client.post(f"/team/students/{student.pk}/assess/", data)

    assessment = Assessment.objects.get(student=student)
    assert assessment.teacher == teacher and assessment.version == 1
    assert sum(s.points for s in assessment.scores.all()) == 5
    assert list(assessment.evidence.all()) == [entry]

    client.force_login(student)
    page = client.get(f"/team/students/{student.pk}/?period={period.pk}").content.decode()
    assert "Работа с заказами" in page and "Ирина Учитель" in page and "Молодец" in page


def test_a_signed_assessment_is_never_changed_silently(teacher, student, handled, period, rubric):
    first = assessment_sign(
        teacher=teacher,
        student=student,
        period=period,
        rubric=rubric,
        judgements=levels(rubric, 1, 1),
        evidence_ids=[],
    )
    with pytest.raises(PermissionDenied):
        first.comment = "changed"
        first.save()
    with pytest.raises(PermissionDenied):
        Score.objects.filter(assessment=first).update(points=3)
    with pytest.raises(PermissionDenied):
        first.delete()

    second = assessment_sign(
        teacher=teacher,
        student=student,
        period=period,
        rubric=rubric,
        judgements=levels(rubric, 3, 2),
        evidence_ids=[],
        revises=first,
    )

    first.refresh_from_db()
    assert second.version == 2 and second.supersedes == first
    assert sorted(s.points for s in first.scores.all()) == [1, 1]  # the old one stays
    assert not first.is_current and second.is_current
    # Revising an old version (another tab) is refused.
    with pytest.raises(AssessmentError):
        assessment_sign(
            teacher=teacher,
            student=student,
            period=period,
            rubric=rubric,
            judgements=levels(rubric, 2, 2),
            evidence_ids=[],
            revises=first,
        )


def test_evidence_must_be_the_students_own_action_in_the_period(
    teacher, student, other_student, handled, period, rubric
):
    foreign = ActivityEntry.objects.create(actor=other_student, action="order.claimed")
    with pytest.raises(AssessmentError):
        assessment_sign(
            teacher=teacher,
            student=student,
            period=period,
            rubric=rubric,
            judgements=levels(rubric, 3, 2),
            evidence_ids=[foreign.pk],
        )
    with pytest.raises(AssessmentError):  # a level missing
        assessment_sign(
            teacher=teacher,
            student=student,
            period=period,
            rubric=rubric,
            judgements={},
            evidence_ids=[],
        )
    assert not Assessment.objects.exists()


def test_a_rubric_in_use_cannot_be_edited(teacher, student, handled, period, rubric):
    assessment_sign(
        teacher=teacher,
        student=student,
        period=period,
        rubric=rubric,
        judgements=levels(rubric, 3, 2),
        evidence_ids=[],
    )
    with pytest.raises(AssessmentError):
        criterion_add(rubric=rubric, name="Новое", description="", levels_text="1 | a\n2 | b")


def test_the_gradebook_exports_the_current_versions(
    client, teacher, student, handled, period, rubric
):
    import csv
    import io

    first = assessment_sign(
        teacher=teacher,
        student=student,
        period=period,
        rubric=rubric,
        judgements=levels(rubric, 1, 1),
        evidence_ids=[],
    )
    assessment_sign(
        teacher=teacher,
        student=student,
        period=period,
        rubric=rubric,
        judgements=levels(rubric, 3, 2),
        evidence_ids=[],
        revises=first,
    )
    client.force_login(teacher)

    rows = list(
        csv.reader(
            io.StringIO(
                client.get(f"/team/gradebook/?period={period.pk}&export=csv").content.decode(
                    "utf-8-sig"
                )
            )
        )
    )

    assert rows[0][:4] == ["Студент", "Период", "Рубрика", "Аккуратность"]
    assert rows[1][0] == "Алексей Студент" and rows[1][3:8] == ["Отлично", "3", "Быстро", "2", "5"]
    assert rows[1][8] == "Ирина Учитель" and rows[1][10] == "2"
    assert len(rows) == 2
    xlsx = client.get(f"/team/gradebook/?period={period.pk}&export=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_stale_form_does_not_replace_a_colleagues_signature(
    client, django_user_model, teacher, student, handled, period, rubric
):
    colleague = make_member(TEACHERS, "oleg", first_name="Олег")
    client.force_login(teacher)
    form = client.get(f"/team/students/{student.pk}/assess/?period={period.pk}")
    assert 'name="revises" value=""' in form.content.decode()  # nothing signed yet
    assessment_sign(
        teacher=colleague,
        student=student,
        period=period,
        rubric=rubric,
        judgements=levels(rubric, 3, 2),
        evidence_ids=[],
    )
    data = {"period": period.pk, "rubric": rubric.pk, "revises": ""}
    for criterion_pk, judgement in levels(rubric, 1, 1).items():
        data[f"level-{criterion_pk}"] = judgement.level_id

    response = client.post(f"/team/students/{student.pk}/assess/", data)

    assert response.status_code == 400
    assert "подписали" in " ".join(str(m) for m in response.context["messages"])
    assert Assessment.objects.get().teacher == colleague


def test_the_reflection_stays_as_the_teacher_read_it(
    client, teacher, student, handled, period, rubric
):
    from shop.teaching.services import reflection_save

    reflection_save(student=student, period=period, text="Первая версия")
    assessment_sign(
        teacher=teacher,
        student=student,
        period=period,
        rubric=rubric,
        judgements=levels(rubric, 3, 2),
        evidence_ids=[],
    )
    client.force_login(student)

    client.post(f"/team/students/{student.pk}/", {"period": period.pk, "text": "Переписал"})

    assert Reflection.objects.get(student=student).text == "Первая версия"


def test_the_gradebook_keeps_criteria_that_share_a_name_apart(
    client, teacher, student, handled, period
):
    import csv
    import io

    rubric = rubric_create(teacher=teacher, name="Двойная")
    for _ in range(2):
        criterion_add(
            rubric=rubric, name="Одинаковый", description="", levels_text="3 | Высоко\n1 | Низко"
        )
    criteria = list(rubric.criteria.all())
    judgements = {
        criteria[0].pk: Judgement(level_id=criteria[0].levels.get(points=3).pk),
        criteria[1].pk: Judgement(level_id=criteria[1].levels.get(points=1).pk),
    }
    assessment_sign(
        teacher=teacher,
        student=student,
        period=period,
        rubric=rubric,
        judgements=judgements,
        evidence_ids=[],
    )
    client.force_login(teacher)

    rows = list(
        csv.reader(
            io.StringIO(
                client.get(f"/team/gradebook/?period={period.pk}&export=csv").content.decode(
                    "utf-8-sig"
                )
            )
        )
    )

    assert rows[1][3:8] == ["Высоко", "3", "Низко", "1", "4"]


def test_a_name_typed_as_a_formula_stays_text_in_the_exports(
    client, teacher, student, handled, period, rubric
):
    import csv
    import io

    from openpyxl import load_workbook

    student.first_name, student.last_name = '=HYPERLINK("http://evil.example")', ""
    student.save()
    assessment_sign(
        teacher=teacher,
        student=student,
        period=period,
        rubric=rubric,
        judgements=levels(rubric, 3, 2),
        evidence_ids=[],
    )
    client.force_login(teacher)
    url = f"/team/gradebook/?period={period.pk}&export="

    rows = list(csv.reader(io.StringIO(client.get(url + "csv").content.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(client.get(url + "xlsx").content)).worksheets[0]

    assert rows[1][0].startswith("'=HYPERLINK")
    assert sheet["A2"].data_type == "s" and sheet["A2"].value.startswith("'=")


def test_the_portfolio_costs_the_same_queries_with_more_assessments(
    client, teacher, student, handled, period, rubric
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(teacher)
    url = f"/team/students/{student.pk}/?period={period.pk}"
    counts = []
    previous = None
    for points in ((1, 1), (2, 1), (3, 2)):
        previous = assessment_sign(
            teacher=teacher,
            student=student,
            period=period,
            rubric=rubric,
            judgements=levels(rubric, *points),
            evidence_ids=[],
            revises=previous,
        )
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        counts.append(len(captured.captured_queries))

    assert counts[0] == counts[1] == counts[2], counts
