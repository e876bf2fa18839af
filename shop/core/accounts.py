"""Oscar's sign-up (on its own page and beside the login form) asks for consent to the
processing of personal data, as the contact form and the payment page do."""

from oscar.apps.customer.forms import EmailUserCreationForm
from oscar.apps.customer.views import AccountAuthView, AccountRegistrationView

from cms.forms import consent_field, privacy_url


class ConsentRegistrationForm(EmailUserCreationForm):
    consent = consent_field()


def _with_privacy_link(form, request):
    form.fields["consent"] = consent_field(privacy_url(request))
    return form


class RegistrationView(AccountRegistrationView):
    form_class = ConsentRegistrationForm

    def get_form(self, form_class=None):
        return _with_privacy_link(super().get_form(form_class), self.request)


class AuthView(AccountAuthView):
    registration_form_class = ConsentRegistrationForm

    def get_registration_form(self, bind_data=False):
        return _with_privacy_link(super().get_registration_form(bind_data), self.request)
