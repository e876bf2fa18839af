"""Password guessing is slowed down on every sign-in form, by django-axes.

Every form that signs someone in (Oscar's account page and its dashboard's, Wagtail's admin,
Wagtail's page-password sign-in) calls Django's `authenticate()` with the request, and axes'
backend, first in AUTHENTICATION_BACKENDS, counts the failures: after AXES_FAILURE_LIMIT
wrong passwords for one account, or from one address, further tries are refused for
AXES_COOLOFF_TIME with a page in the visitor's language (templates/core/locked_out.html,
status 429), even with the right password. A success clears the account's count.

The address is the visitor's behind the proxies in settings.TRUSTED_PROXIES (as for the
contact form's limit). Staff with `axes.view_accessattempt` see the current lockouts in the
shop dashboard (Security → Sign-in lockouts, /shop/dashboard/lockouts/) and, with
`axes.delete_accessattempt`, clear one; each clearing is written to the activity log.
"""

import logging

from axes.backends import AxesStandaloneBackend
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from cms.forms import client_ip
from shop.activity import kinds
from shop.activity.services import activity_record
from shop.core.converters import row_id

logger = logging.getLogger(__name__)


class LoginGuardBackend(AxesStandaloneBackend):
    """Axes' backend, for sign-ins that come with a request. `authenticate()` without one
    (Oscar signing a new customer in after registration, the test client) is no form a
    visitor can repeat, and has no address to count: it goes on to the other backends."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def visitor_address(request) -> str:
    return client_ip(request)


def account_name(request, credentials) -> str:
    """The account tried, as one key whatever its case ("Admin@Example.com")."""
    credentials = credentials or {}
    name = credentials.get("username") or credentials.get("email") or ""
    return str(name).strip().lower()[:255]


def lockout_response(request, original_response=None, credentials=None):
    """The page a refused sign-in gets (settings.AXES_LOCKOUT_CALLABLE)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "core/locked_out.html", {"minutes": minutes}, status=429)


def lockouts():
    """Attempts that refuse sign-ins now (by account or by address)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    ).order_by("-attempt_time")


def lockout_clear(*, actor, attempt: AccessAttempt) -> None:
    """Let the account and the address try again at once."""
    with transaction.atomic():
        cleared = AccessAttempt.objects.filter(
            Q(username=attempt.username) | Q(ip_address=attempt.ip_address)
        )
        note = f"{attempt.username or '—'} · {attempt.ip_address or '—'}"
        cleared.delete()
        activity_record(actor=actor, action=kinds.LOCKOUT_CLEARED, note=note)
    logger.info("Sign-in lockout cleared by %s: %s", actor, note)


class LockoutsView(PermissionRequiredMixin, TemplateView):
    permission_required = "axes.view_accessattempt"
    raise_exception = True
    template_name = "core/dashboard/lockouts.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "lockouts": lockouts(),
                "limit": settings.AXES_FAILURE_LIMIT,
                "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
                "can_clear": self.request.user.has_perm("axes.delete_accessattempt"),
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("axes.delete_accessattempt"):
            raise PermissionDenied
        attempt = lockouts().filter(pk=row_id(request.POST.get("attempt")) or 0).first()
        if attempt is None:
            messages.info(request, _("That lockout has ended already."))
        else:
            lockout_clear(actor=request.user, attempt=attempt)
            messages.success(request, _("Cleared: signing in is open again."))
        return redirect("dashboard-lockouts")
