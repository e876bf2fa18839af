"""The contact form keeps and mails nothing longer than a message can be."""

import pytest
from django.core import mail
from wagtail.contrib.forms.models import FormSubmission

from cms.forms import LINE_MAX, MESSAGE_MAX
from tests.cms.test_content import message

pytestmark = [pytest.mark.django_db]


def test_a_megabyte_message_is_refused_with_the_fields_own_message(
    client, content, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(content["contact"].url, message(message="я" * 1_000_000))

    page = response.content.decode()
    assert response.status_code == 200
    assert f"не более {MESSAGE_MAX}" in page  # Django's own message, in Russian
    assert FormSubmission.objects.count() == 0 and mail.outbox == []


def test_a_name_longer_than_a_line_is_refused(client, content):
    response = client.post(content["contact"].url, message(name="Мария" * LINE_MAX))

    assert f"не более {LINE_MAX}" in response.content.decode()
    assert FormSubmission.objects.count() == 0


def test_the_form_says_how_long_each_field_may_be(client, content):
    page = client.get(content["contact"].url).content.decode()

    assert f'maxlength="{MESSAGE_MAX}"' in page and f'maxlength="{LINE_MAX}"' in page


def test_a_message_of_the_longest_length_is_kept(
    client, content, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(content["contact"].url, message(message="я" * MESSAGE_MAX))

    assert len(FormSubmission.objects.get().form_data["message"]) == MESSAGE_MAX
