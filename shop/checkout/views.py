"""Checkout steps: gateway → delivery method → address (post only) → payment → preview.

Oscar's order is address → method. Here the customer first chooses how to receive the order;
only the post asks for an address. Oscar's payment, preview and placement views are kept:
their pre-conditions (in shop.checkout.session) send a customer who skipped a step back to it.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from oscar.apps.checkout import views as oscar_views
from oscar.core.loading import get_class, get_model

from shop.checkout.forms import (
    CHOOSE_METHOD,
    CheckoutGatewayForm,
    DeliveryMethodForm,
    PostAddressForm,
)
from shop.customercare.services import order_status_path, order_summary
from shop.shipping.methods import POST_COUNTRY, MeetingPointPickup, requires_address

Repository = get_class("shipping.repository", "Repository")
NoShippingRequired = get_class("shipping.methods", "NoShippingRequired")
UserAddress = get_model("address", "UserAddress")


class IndexView(oscar_views.IndexView):
    """Step 1: continue as a guest with an e-mail, or sign in. Signed-in customers skip it."""

    form_class = CheckoutGatewayForm
    success_url = reverse_lazy("checkout:shipping-method")
    CHOICES = {CheckoutGatewayForm.GUEST: "guest", CheckoutGatewayForm.EXISTING: "signin"}

    def chosen(self) -> str:
        return self.request.POST.get("options") if self.request.method == "POST" else ""

    def form_for(self, option: str, bound=None):
        """The guest's or the sign-in form: the submitted one as it came back, else a new one
        (ids of each form's fields start with its name, so both fit on one page)."""
        chosen = self.chosen() if self.chosen() in self.CHOICES else CheckoutGatewayForm.GUEST
        if bound is not None and chosen == option:
            return bound
        email = self.checkout_session.get_guest_email()
        return self.form_class(
            initial={"username": email or "", "options": option},
            auto_id=f"{self.CHOICES[option]}-%s",
        )

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["auto_id"] = f"{self.CHOICES.get(self.chosen(), 'guest')}-%s"
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        bound = ctx["form"] if ctx["form"].is_bound else None
        ctx["guest_form"] = self.form_for(CheckoutGatewayForm.GUEST, bound)
        ctx["signin_form"] = self.form_for(CheckoutGatewayForm.EXISTING, bound)
        return ctx


class ShippingMethodView(oscar_views.ShippingMethodView):
    """Step 1: how the customer receives the order. No address has been asked for yet."""

    form_class = DeliveryMethodForm
    success_url = reverse_lazy("checkout:payment-method")

    def dispatch(self, request, *args, **kwargs):
        self._methods = []
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if not request.basket.is_shipping_required():
            return self.no_shipping_required()
        self._methods = self.get_available_shipping_methods()
        if len(self._methods) == 1:
            return self.choose(self._methods[0])
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        if not request.basket.is_shipping_required():
            return self.no_shipping_required()
        self._methods = self.get_available_shipping_methods()
        form = self.get_form()
        if form.is_valid():
            return self.form_valid(form)
        return self.form_invalid(form)

    def no_shipping_required(self):
        # Oscar's behaviour for a basket of tours only: store the special code and go on.
        self.checkout_session.use_shipping_method(NoShippingRequired().code)
        return redirect(self.get_success_url())

    def get_available_shipping_methods(self):
        # The address is not known at this step: every method the basket allows is offered.
        return Repository().get_shipping_methods(
            basket=self.request.basket,
            user=self.request.user,
            shipping_addr=None,
            request=self.request,
        )

    def get_initial(self):
        code = self.checkout_session.shipping_method_code(self.request.basket)
        if any(method.code == code for method in self._methods):
            return {"method_code": code}
        return {}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        basket = self.request.basket
        ctx["options"] = [
            {
                "method": method,
                "charge": method.calculate(basket),
                "requires_address": requires_address(method),
            }
            for method in self._methods
        ]
        return ctx

    def form_valid(self, form):
        return self.choose(form.chosen_method())

    def choose(self, method):
        self.checkout_session.use_shipping_method(method.code)
        if requires_address(method):
            return redirect("checkout:shipping-address")
        return redirect(self.get_success_url())

    def form_invalid(self, form):
        code = self.request.POST.get("method_code", "")
        if not code:
            message = CHOOSE_METHOD
        elif code == MeetingPointPickup.code:
            message = _(
                "Pickup at the tour meeting point is only possible when the same order "
                "includes a tour booking. Please choose another delivery method."
            )
        else:
            message = _("This delivery method is not available. Please choose one of these.")
        messages.error(self.request, message)
        return self.render_to_response(self.get_context_data(form=form))


class ShippingAddressView(oscar_views.ShippingAddressView):
    """Step 2, for the post only: where the parcel goes (an address in Russia)."""

    form_class = PostAddressForm
    success_url = reverse_lazy("checkout:payment-method")
    pre_conditions = [
        "check_basket_is_not_empty",
        "check_basket_is_valid",
        "check_user_email_is_captured",
        "check_shipping_method_is_chosen",
    ]
    skip_conditions = [
        "skip_unless_basket_requires_shipping",
        "skip_unless_chosen_method_requires_address",
    ]

    def get_available_addresses(self):
        return super().get_available_addresses().filter(country_id=POST_COUNTRY)

    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated and "address_id" in request.POST:
            return self.ship_to_saved_address(request)
        return super().post(request, *args, **kwargs)

    def ship_to_saved_address(self, request):
        """An address from the customer's address book (Oscar answers a forged id with a 500)."""
        address = None
        if request.POST.get("action") == "ship_to":
            try:
                address_id = int(request.POST["address_id"])
            except (TypeError, ValueError):
                address_id = None
            if address_id is not None:
                address = UserAddress._default_manager.filter(
                    pk=address_id, user=request.user
                ).first()
        if address is None:
            messages.error(request, _("Please choose one of your addresses or enter a new one."))
            return redirect("checkout:shipping-address")
        if address.country_id != POST_COUNTRY:
            messages.error(request, _("We can send parcels only to addresses in Russia."))
            return redirect("checkout:shipping-address")
        # Oscar's ship_to_user_address clears the whole shipping namespace, method included.
        code = self.checkout_session.shipping_method_code(request.basket)
        self.checkout_session.ship_to_user_address(address)
        self.checkout_session.use_shipping_method(code)
        return redirect(self.get_success_url())


class ThankYouView(oscar_views.ThankYouView):
    """The order just placed: what happens next, the tickets and the status page's link, from
    the same summary as the status page (shop.customercare.services.order_summary)."""

    def get_context_data(self, *args, **kwargs):
        ctx = super().get_context_data(*args, **kwargs)
        order = ctx["order"]
        ctx.update(order_summary(order))
        ctx["status_path"] = order_status_path(order)
        return ctx


# Oscar's payment details and preview steps are replaced by the Stripe payment page.
from shop.payments.views import PaymentDetailsView  # noqa: E402, F401
