"""Oscar's sign-up (on its own page and beside the login form) asks for consent to the
processing of personal data, as the contact form and the payment page do."""

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from oscar.apps.customer.forms import EmailUserCreationForm
from oscar.apps.customer.views import AccountAuthView, AccountRegistrationView

from cms.navigation import legal_page_url


class ConsentRegistrationForm(EmailUserCreationForm):
    consent = forms.BooleanField(
        label=_("I agree to the processing of my personal data"),
        required=True,
        error_messages={"required": _("Please agree to the processing of your personal data.")},
    )


def _with_privacy_link(form, request):
    url = legal_page_url(request, "privacy_page")
    if url:
        form.fields["consent"].label = format_html(
            '{} (<a href="{}" target="_blank">{}</a>)',
            gettext("I agree to the processing of my personal data"),
            url,
            gettext("privacy policy"),
        )
    return form


class RegistrationView(AccountRegistrationView):
    form_class = ConsentRegistrationForm

    def get_form(self, form_class=None):
        return _with_privacy_link(super().get_form(form_class), self.request)


class AuthView(AccountAuthView):
    registration_form_class = ConsentRegistrationForm

    def get_registration_form(self, bind_data=False):
        return _with_privacy_link(super().get_registration_form(bind_data), self.request)
