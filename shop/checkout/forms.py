from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from oscar.apps.checkout.forms import GatewayForm, ShippingAddressForm
from oscar.core.loading import get_model

from shop.shipping.methods import POST_COUNTRY

Country = get_model("address", "Country")

CHOOSE_METHOD = _("Please choose how you would like to receive your order.")


class CheckoutGatewayForm(GatewayForm):
    """The checkout's first step: go on as a guest with an e-mail, or sign in.

    The page shows two small forms posting here, each with its choice in a hidden field.
    Oscar's third choice (create an account first) is a link to the sign-up page instead.
    """

    username = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    options = forms.ChoiceField(
        choices=[(GatewayForm.GUEST, GatewayForm.GUEST), (GatewayForm.EXISTING, "")],
        initial=GatewayForm.GUEST,
        widget=forms.HiddenInput,
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The e-mail or the password is wrong. Please check them; the password is "
            "case-sensitive."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("Password")
        self.fields["password"].required = False

    def clean(self):
        if not self.is_guest_checkout():
            if not self.cleaned_data.get("password"):
                self.add_error("password", _("Enter your password."))
                return self.cleaned_data
            return AuthenticationForm.clean(self)
        email = self.cleaned_data.get("username")
        # A guest may not use the e-mail of an account (Oscar's rule): the orders would not
        # reach it.
        if email and get_user_model()._default_manager.filter(email__iexact=email).exists():
            self.add_error(
                "username",
                _(
                    "There is an account with this e-mail: sign in with its password, "
                    "or continue with another e-mail."
                ),
            )
        return self.cleaned_data


class DeliveryMethodForm(forms.Form):
    """One choice among the delivery methods offered for this basket."""

    method_code = forms.ChoiceField(
        widget=forms.RadioSelect,
        error_messages={"required": CHOOSE_METHOD},
    )

    def __init__(self, *args, methods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.methods = list(methods)
        self.fields["method_code"].choices = [(m.code, m.name) for m in self.methods]

    def chosen_method(self):
        code = self.cleaned_data["method_code"]
        return next(method for method in self.methods if method.code == code)


class PostAddressForm(ShippingAddressForm):
    """The address of a parcel: the post delivers within Russia only, so no country field."""

    LABELS = {
        "line1": _("Street, house and flat"),
        "line2": _("More about the address (optional)"),
        "line4": _("City, town or village"),
        "state": _("Region"),
        "postcode": _("Postcode"),
        "phone_number": _("Phone"),
        "notes": _("Note for the parcel (optional)"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("line3", None)
        for name, label in self.LABELS.items():
            if name in self.fields:
                self.fields[name].label = label
        if "phone_number" in self.fields:
            self.fields["phone_number"].help_text = _(
                "The post office texts you when the parcel arrives."
            )

    def adjust_country_field(self):
        self.fields.pop("country", None)
        self.post_country = Country._default_manager.filter(pk=POST_COUNTRY).first()
        if self.post_country is not None:
            self.instance.country = self.post_country

    def clean(self):
        cleaned_data = super().clean()
        if self.post_country is None:
            raise forms.ValidationError(
                _("Delivery by post is not available at the moment. Please choose a pickup.")
            )
        return cleaned_data
