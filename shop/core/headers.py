"""The security headers of every response: Content-Security-Policy, Permissions-Policy.

**Content-Security-Policy** (django-csp 4) is enforced everywhere, development and tests
included, so that the end-to-end tests prove the site works under the same policy as
production. The base policy is settings.CONTENT_SECURITY_POLICY (shop/settings/base.py):
scripts only from the site itself or inline with the request's nonce
(`<script nonce="{{ request.csp_nonce }}">`), no plugins, forms posting only to the site.
Added at request time, from settings:

- the payment providers that are on (shop/payments/providers `content_security_sources`):
  Stripe's origin (settings.STRIPE_JS_URL: Stripe.js, or the localstripe of development
  and tests) may serve scripts and frames and be called; YooKassa's confirmation page
  (settings.YOOKASSA_CONFIRMATION_ORIGINS) may be sent to after the payment form (a redirect
  to another origin after a form is sent is held to `form-action`). The SBP QR code is drawn
  by the site itself (inline SVG) and needs nothing;
- settings.CSP_EXTRA_SOURCES, a dict of directive → list of sources, for anything else the
  site loads from another origin, e.g. {"img-src": ["https://media.example"]}.

Browsers report violations to /csp-report/, which logs each one (logger "shop.csp").

Wagtail's admin (/cms/, editors only) runs inline scripts: its widgets write them without a
nonce (INLINE_SCRIPT_PREFIXES).

**Permissions-Policy** turns off the browser features the site never uses; the camera is
allowed only on the pages in CAMERA_VIEWS (the departure manifest's QR check-in).
"""

import json
import logging
from urllib.parse import urlsplit

from csp.constants import SELF
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

logger = logging.getLogger("shop.csp")

CAMERA_VIEWS = {"team:manifest"}
# Wagtail's admin writes inline scripts without a nonce (its date pickers and inline panels
# call their set-up functions from a <script> beside the field): there, and only there, inline
# scripts run. Every other directive holds (nothing from other origins, forms post here).
INLINE_SCRIPT_PREFIXES = ["/cms/"]
FEATURES_OFF = ["geolocation", "microphone", "payment", "usb", "interest-cohort"]
REPORT_MAX_BYTES = 16 * 1024


def _origin(url: str) -> str | None:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def extra_sources() -> dict[str, list[str]]:
    from shop.payments.providers import content_security_sources

    sources: dict[str, list[str]] = {}
    for directive, values in content_security_sources().items():
        sources.setdefault(directive, []).extend(values)
    for directive, values in getattr(settings, "CSP_EXTRA_SOURCES", {}).items():
        sources.setdefault(directive, []).extend(values)
    return sources


def permissions_policy(request) -> str:
    match = getattr(request, "resolver_match", None)
    camera = "camera=(self)" if match and match.view_name in CAMERA_VIEWS else "camera=()"
    return ", ".join([camera, *(f"{feature}=()" for feature in FEATURES_OFF)])


class SecurityHeadersMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        update = {key: list(value) for key, value in (parts.update or {}).items()}
        for directive, values in extra_sources().items():
            update.setdefault(directive, []).extend(values)
        parts.update = update
        if request.path_info.startswith(tuple(INLINE_SCRIPT_PREFIXES)):
            parts.replace = {**(parts.replace or {}), "script-src": [SELF, "'unsafe-inline'"]}
        return parts

    def process_response(self, request, response):
        response = super().process_response(request, response)
        if "Permissions-Policy" not in response:
            response["Permissions-Policy"] = permissions_policy(request)
        return response


@csrf_exempt
@require_POST
def csp_report(request):
    """Where browsers send what the policy blocked: logged, nothing kept."""
    body = request.read(REPORT_MAX_BYTES + 1)
    if len(body) > REPORT_MAX_BYTES:
        return HttpResponse(status=413)
    try:
        report = json.loads(body or b"{}")
    except ValueError:
        return HttpResponse(status=400)
    details = report.get("csp-report", report) if isinstance(report, dict) else {}
    if not isinstance(details, dict):
        return HttpResponse(status=400)
    # Quoted (repr): what a browser reports is not ours to trust in a log line.
    logger.warning(
        "Content-Security-Policy blocked %r on %r (%r)",
        str(details.get("blocked-uri", "?"))[:200],
        str(details.get("document-uri", "?"))[:200],
        str(details.get("violated-directive", details.get("effective-directive", "?")))[:100],
    )
    return HttpResponse(status=204)
