"""Staff refunds on an order, from Oscar's order page in the dashboard."""

import uuid
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from oscar.core.loading import get_model

from shop.payments.models import Refund, RefundStatus
from shop.payments.services import RefundError, order_refund, order_refundable, refund_send

Order = get_model("order", "Order")


class RefundForm(forms.Form):
    amount = forms.DecimalField(
        label=gettext_lazy("Amount, ₽"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=255)
    key = forms.RegexField(regex=r"^[0-9a-f]{32}$", widget=forms.HiddenInput)

    def __init__(self, *args, refundable=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.refundable = refundable
        self.fields["key"].initial = uuid.uuid4().hex
        if refundable is not None:
            self.fields["amount"].initial = refundable
            self.fields["amount"].widget.attrs["max"] = refundable


class OrderRefundView(PermissionRequiredMixin, View):
    permission_required = "payments.add_refund"
    raise_exception = True
    http_method_names = ["post"]

    def post(self, request, number):
        order = get_object_or_404(Order, number=number)
        form = RefundForm(request.POST, refundable=order_refundable(order))
        back = redirect("dashboard:order-detail", number=order.number)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return back
        try:
            refund = order_refund(
                order=order,
                amount=form.cleaned_data["amount"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
                key=f"staff-{form.cleaned_data['key']}",
            )
        except (RefundError, InvalidOperation) as error:
            messages.error(request, str(error))
            return back
        messages.success(
            request, _("%(amount)s refunded to the customer.") % {"amount": refund.amount}
        )
        return back


class RefundRetryView(PermissionRequiredMixin, View):
    """Send a refund the payment service did not confirm again, with its own key (never a
    second one)."""

    permission_required = "payments.add_refund"
    raise_exception = True
    http_method_names = ["post"]

    def post(self, request, number, pk):
        refund = get_object_or_404(Refund, pk=pk, order__number=number, status=RefundStatus.PENDING)
        try:
            refund_send(refund)
        except RefundError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("%(amount)s refunded to the customer.") % {"amount": refund.amount},
            )
        return redirect("dashboard:order-detail", number=number)
