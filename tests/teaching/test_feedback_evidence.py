"""Tourists' ratings of the tours a student guided are evidence: in the student's portfolio
(for the teacher and the student), and cited in a signed assessment like the log's entries."""

import datetime as dt

import pytest
from django.utils import timezone

from shop.bookings.models import Departure, Ticket
from shop.bookings.services import departure_guides_set
from shop.feedback.services import feedback_submit, feedback_token
from shop.teaching.models import Assessment
from shop.teaching.services import (
    AssessmentError,
    Judgement,
    assessment_sign,
    criterion_add,
    rubric_create,
)
from tests.checkout.helpers import checkout_and_pay, make_departure

pytestmark = [pytest.mark.payments, pytest.mark.django_db]


@pytest.fixture
def rubric(teacher):
    rubric = rubric_create(teacher=teacher, name="Экскурсии")
    criterion_add(
        rubric=rubric,
        name="Работа с группой",
        description="",
        levels_text="3 | Отлично | Группа довольна\n1 | Слабо |",
    )
    return rubric


def rated(client, django_user_model, guides, actor, *, rating, comment, name):
    """A departure guided by `guides` that ran yesterday, and a tourist's rating of it."""
    departure = make_departure(capacity=10)
    customer = django_user_model.objects.create_user(
        username=name, email=f"{name}@example.com", password="pw"
    )
    order = checkout_and_pay(client, customer, departures=[departure])
    client.logout()
    Departure.objects.filter(pk=departure.pk).update(
        starts_at=timezone.now() - dt.timedelta(days=1)
    )
    departure_guides_set(departure=departure, guides=guides, actor=actor)
    ticket = Ticket.objects.get(order=order)
    return feedback_submit(
        token=feedback_token(ticket), rating=rating, comment=comment, language="ru"
    )


def test_a_review_of_a_tour_the_student_guided_is_cited_in_an_assessment(
    client, django_user_model, teacher, student, other_student, period, rubric
):
    theirs = rated(
        client,
        django_user_model,
        [student],
        student,
        rating=5,
        comment="Алексей — лучший гид",
        name="a",
    )
    someone_elses = rated(
        client,
        django_user_model,
        [other_student],
        other_student,
        rating=2,
        comment="Скучно",
        name="b",
    )

    client.force_login(teacher)
    portfolio = client.get(f"/team/students/{student.pk}/?period={period.pk}").content.decode()
    assert "Алексей — лучший гид" in portfolio and "Скучно" not in portfolio
    assert "Средняя оценка туристов" in portfolio and "5,0" in portfolio
    form = client.get(f"/team/students/{student.pk}/assess/?period={period.pk}").content.decode()
    assert f'name="feedback" value="{theirs.pk}"' in form
    assert f'name="feedback" value="{someone_elses.pk}"' not in form

    criterion = rubric.criteria.get()
    level = criterion.levels.get(points=3)
    response = client.post(
        f"/team/students/{student.pk}/assess/",
        {
            "period": period.pk,
            "rubric": rubric.pk,
            f"level-{criterion.pk}": level.pk,
            "feedback": [theirs.pk],
            "comment": "Туристы довольны",
        },
    )

    assert response.status_code == 302
    assessment = Assessment.objects.get(student=student)
    assert list(assessment.feedback.all()) == [theirs]
    client.force_login(student)
    own = client.get(f"/team/students/{student.pk}/?period={period.pk}").content.decode()
    cited = own.split("Приведённые доказательства", 1)[1]
    assert "Туристы довольны" in own and "Алексей — лучший гид" in cited

    with pytest.raises(AssessmentError, match="экскурсиях, которые студент вёл"):
        assessment_sign(
            teacher=teacher,
            student=student,
            period=period,
            rubric=rubric,
            judgements={criterion.pk: Judgement(level_id=level.pk)},
            evidence_ids=[],
            feedback_ids=[someone_elses.pk],
            revises=assessment,
        )
    assert Assessment.objects.filter(student=student).count() == 1
