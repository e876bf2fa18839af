"""The contact form's protection: consent to the processing of personal data, and three
checks that keep spam out without a captcha (which would need a third-party service):

- a field hidden from people ("website") that bots fill in;
- a signed time stamp: a message sent less than MIN_SECONDS after the form was shown is
  refused, and so is a form older than a day or with a forged stamp;
- at most LIMIT_PER_HOUR messages an hour from one address (an IPv6 network of /64 counts
  as one), and each shown form sends at most one message.

Every text field is bounded (LINE_MAX, MESSAGE_MAX), whatever the editors set up.

Behind a reverse proxy, REMOTE_ADDR is the proxy's: settings.TRUSTED_PROXIES lists the
proxies whose X-Forwarded-For is believed.

What passes is stored as a Wagtail form submission (with the moment consent was given) and
mailed to the bureau by the task worker, so a slow mail server never holds the page.
"""

import ipaddress
import secrets

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.core.validators import MaxLengthValidator
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tasks import task

# Where the visitor comes from, behind the trusted proxies (also read by the sign-in guard).
from shop.core.clients import client_ip

MIN_SECONDS = 3
MAX_AGE = 24 * 60 * 60
# The longest a field an editor adds may hold: a line, or a message (a text area). A longer
# one is refused with the field's own message before anything is kept or mailed.
LINE_MAX = 255
MESSAGE_MAX = 5000
LIMIT_PER_HOUR = 5
SALT = "cms.contact-form"
PROTECTION_FIELDS = ("website", "started", "consent")
EXPIRED_MESSAGE = _("The form has expired. Please check your message and send it again.")
LIMIT_MESSAGE = _("Too many messages from your address. Please try again in an hour.")


def _stamp() -> str:
    """When the form was shown, signed, with a random part: each shown form sends once."""
    shown = int(timezone.now().timestamp())
    return signing.TimestampSigner(salt=SALT).sign(f"{shown}:{secrets.token_hex(6)}")


def client_address(request) -> str:
    """The visitor's address for counting: an IPv6 network of /64 counts as one."""
    address = client_ip(request)
    if address is None:
        return "unknown"
    parsed = ipaddress.ip_address(address)
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def client_key(request) -> str:
    return "contact-form:" + client_address(request)


def _count(key: str) -> int:
    """One more message from this address this hour; the new count (atomic where the cache
    is: locmem, Redis)."""
    if cache.add(key, 1, 60 * 60):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired in between
        cache.add(key, 1, 60 * 60)
        return 1


def consent_field(privacy_url: str = "") -> forms.BooleanField:
    """The required consent to the processing of personal data (Federal Law 152-FZ), its
    label linking the privacy policy when the site has one."""
    label = gettext("I agree to the processing of my personal data")
    if privacy_url:
        label = format_html(
            '{} (<a href="{}" target="_blank">{}</a>)',
            label,
            privacy_url,
            gettext("privacy policy"),
        )
    return forms.BooleanField(
        label=label,
        required=True,
        error_messages={"required": _("Please agree to the processing of your personal data.")},
    )


def privacy_url(request) -> str:
    from cms.navigation import legal_page_url

    return legal_page_url(request, "privacy_page")


def _bound_length(field) -> None:
    """Wagtail's form builder makes its text fields without a length limit."""
    if not isinstance(field, forms.CharField):
        return
    limit = MESSAGE_MAX if isinstance(field.widget, forms.Textarea) else LINE_MAX
    if field.max_length is None or field.max_length > limit:
        field.max_length = limit
        field.validators.append(MaxLengthValidator(limit))
        field.widget.attrs["maxlength"] = str(limit)


def protected_form_class(base):
    class ProtectedForm(base):
        def __init__(self, *args, **kwargs):
            self.client_key = kwargs.pop("client_key", "")
            privacy = kwargs.pop("privacy_url", "")
            super().__init__(*args, **kwargs)
            for field in self.fields.values():
                _bound_length(field)
            self.fields["website"] = forms.CharField(
                label=_("Leave this field empty"),
                required=False,
                widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
            )
            self.fields["started"] = forms.CharField(
                widget=forms.HiddenInput, initial=_stamp, required=False
            )
            self.fields["consent"] = consent_field(privacy)

        def clean(self):
            cleaned = super().clean()
            if cleaned.get("website"):
                raise forms.ValidationError(
                    _("The message could not be sent. Please try again."), code="spam"
                )
            try:
                value = signing.TimestampSigner(salt=SALT).unsign(
                    cleaned.get("started") or "", max_age=MAX_AGE
                )
                shown = int(value.split(":")[0])
            except (signing.BadSignature, ValueError):
                raise forms.ValidationError(EXPIRED_MESSAGE, code="expired") from None
            if timezone.now().timestamp() - shown < MIN_SECONDS:
                raise forms.ValidationError(
                    _("That was very fast. Please check your message and send it again."),
                    code="too-fast",
                )
            if self.client_key and (cache.get(self.client_key) or 0) >= LIMIT_PER_HOUR:
                raise forms.ValidationError(LIMIT_MESSAGE, code="limit")
            return cleaned

        def submission_data(self) -> dict:
            data = {k: v for k, v in self.cleaned_data.items() if k not in PROTECTION_FIELDS}
            data["consented_at"] = timezone.now().isoformat(timespec="seconds")
            return data

    return ProtectedForm


def contact_serve(page, request, *args, **kwargs):
    options = {"page": page, "user": request.user, "privacy_url": privacy_url(request)}
    if request.method == "POST":
        form = page.get_form(request.POST, request.FILES, client_key=client_key(request), **options)
        if form.is_valid():
            # Counted only once a message passes (mistakes do not use up the limit), and
            # counted before it is kept, so that parallel posts cannot all slip under it.
            if _count(form.client_key) > LIMIT_PER_HOUR:
                form.add_error(None, LIMIT_MESSAGE)
            elif not cache.add("contact-stamp:" + form.cleaned_data["started"], 1, MAX_AGE):
                form.add_error(None, EXPIRED_MESSAGE)  # this shown form was sent already
            else:
                submission = page.process_form_submission(form)
                return page.render_landing_page(request, submission, *args, **kwargs)
        # Shown again with a fresh stamp: an expired form can be sent after a correction.
        form.data = form.data.copy()
        form.data[form.add_prefix("started")] = _stamp()
    else:
        form = page.get_form(**options)
    context = page.get_context(request)
    context["form"] = form
    return TemplateResponse(request, page.get_template(request), context)


def contact_mail_enqueue(page, form) -> None:
    addresses = [a.strip() for a in page.to_address.split(",") if a.strip()]
    if not addresses:
        return
    # The sender's address is the form's e-mail field, whatever the editors called it.
    reply_to = next(
        (
            form.cleaned_data.get(name) or ""
            for name, field in form.fields.items()
            if isinstance(field, forms.EmailField) and name not in PROTECTION_FIELDS
        ),
        "",
    )
    body = "\n".join(
        f"{field.label}: {_text(form.cleaned_data.get(field.name))}"
        for field in form
        if field.name in form.cleaned_data and field.name not in PROTECTION_FIELDS
    )
    subject = page.subject or gettext("Message from the website")
    from_address = page.from_address or settings.DEFAULT_FROM_EMAIL
    transaction.on_commit(
        lambda: contact_mail_send.enqueue(subject, body, addresses, from_address, reply_to)
    )


def _text(value) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


@task()
def contact_mail_send(subject: str, body: str, to: list, from_email: str, reply_to: str) -> None:
    EmailMessage(
        subject=subject,
        body=body,
        from_email=from_email,
        to=to,
        reply_to=[reply_to] if reply_to else None,
    ).send()
