"""Staff list, create, change and switch off promo codes in the dashboard (Offers menu)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from shop.bookings.dashboard.views import DashboardPermissionMixin
from shop.promocodes.forms import PromoCodeForm, initial_of
from shop.promocodes.selectors import promo_code_row, promo_code_rows
from shop.promocodes.services import PromoCodeError, promo_code_end, promo_code_save

VIEW_VOUCHER = "voucher.view_voucher"
ADD_VOUCHER = "voucher.add_voucher"
CHANGE_VOUCHER = "voucher.change_voucher"


class PromoCodeListView(DashboardPermissionMixin, TemplateView):
    permission_required = (VIEW_VOUCHER,)
    template_name = "promocodes/dashboard/list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        kwargs.update(
            rows=promo_code_rows(),
            can_add=user.has_perm(ADD_VOUCHER),
            can_change=user.has_perm(CHANGE_VOUCHER),
        )
        return super().get_context_data(**kwargs)


class PromoCodeFormView(DashboardPermissionMixin, TemplateView):
    """A new code (no pk) or a change to one; the form posts back here."""

    template_name = "promocodes/dashboard/form.html"

    def get_permission_required(self):
        return (VIEW_VOUCHER, CHANGE_VOUCHER) if "pk" in self.kwargs else (ADD_VOUCHER,)

    def get_row(self):
        if "pk" not in self.kwargs:
            return None
        row = promo_code_row(self.kwargs["pk"])
        if row is None or not row.editable:
            raise Http404
        return row

    def get(self, request, *args, **kwargs):
        row = self.get_row()
        form = PromoCodeForm(initial=initial_of(row) if row else None)
        return self.render_to_response(self.get_context_data(form=form, row=row))

    def post(self, request, *args, **kwargs):
        row = self.get_row()
        form = PromoCodeForm(request.POST)
        if form.is_valid():
            try:
                voucher = promo_code_save(
                    actor=request.user, terms=form.terms(), voucher=row.voucher if row else None
                )
            except PromoCodeError as refused:
                form.add_error(refused.field, refused.message)
            else:
                done = (
                    _("The promo code %(code)s is saved.")
                    if row
                    else _("The promo code %(code)s is created.")
                )
                messages.success(request, done % {"code": voucher.code})
                return redirect("promocodes-dashboard:list")
        return self.render_to_response(self.get_context_data(form=form, row=row), status=400)


class PromoCodeEndView(DashboardPermissionMixin, View):
    permission_required = (VIEW_VOUCHER, CHANGE_VOUCHER)
    http_method_names = ["post"]

    def post(self, request, pk):
        row = promo_code_row(pk)
        if row is None:
            raise Http404
        promo_code_end(actor=request.user, voucher=row.voucher)
        messages.success(
            request,
            _("The promo code %(code)s is switched off: no basket takes it from now.")
            % {"code": row.voucher.code},
        )
        return redirect("promocodes-dashboard:list")
