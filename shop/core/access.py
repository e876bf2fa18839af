"""Who may open which door: one table for the whole site, enforced by `AccessMiddleware`.

Every routed URL belongs to an **area**; each area says who may GET it and who may POST to
it (role × area):

| area           | anonymous | customer | student       | teacher | staff (is_staff) | superuser |
|----------------|-----------|----------|---------------|---------|------------------|-----------|
| storefront     | yes       | yes      | yes           | yes     | yes              | yes       |
| sign-in        | yes       | yes      | yes           | yes     | yes              | yes       |
| password reset | yes       | 403 (1)  | 403 (1)       | 403 (1) | 403 (1)          | 403 (1)   |
| account        | → sign in | yes      | yes           | yes     | yes              | yes       |
| team           | → sign in | 403      | look and act  | look    | as permitted     | yes       |
| teaching       | → sign in | 403      | own portfolio | yes     | as permitted     | yes (2)   |
| dashboard      | → sign in | 403      | 403           | 403     | yes (3)          | yes       |
| wagtail        | → sign in | 403      | 403           | 403     | as permitted (4) | yes       |
| closed         | 404       | 404      | 404           | 404     | 404              | 404       |

(1) Told to change the password in the account instead. (2) A reflection is written by its
student only. (3) Oscar's own permissions still apply inside. (4) Wagtail's
`wagtailadmin.access_admin`.

"look" is GET, "act" is POST. Student and teacher are the groups of shop/core/roles.py; their
rights here are the permissions those groups hold, so a staff member given the same
permission gets the same door. A refused visitor is sent to the area's sign-in page when
anonymous and gets 403 otherwise, *before the view runs*: no object is looked up, so the
answer is the same whether the order, student or rubric asked for exists or not. "closed"
routes (Oscar features this shop does not offer, and Oscar views that changed state on a
GET) answer 404 to everyone, as if they were not routed.

**Adding a route.** Every URL the site routes must be named in `ROUTES` below (by its URL
name, "namespace:name"), or lie under one of `PREFIXES` (the Wagtail admin and Oscar's
dashboard, whose own apps add routes with new versions). A route in neither is refused to
everyone by the middleware, reported by `manage.py check` (error shop.E001, which names the
route and this file), and fails `tests/core/test_access.py` and `test_access_post.py`, which
request every routed URL as every role, GET and POST, and compare the answer with this table.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.checks import Error, register
from django.http import Http404
from django.shortcuts import render
from django.urls import URLPattern, URLResolver, get_resolver

TEAM_LOOK = "order.view_order"
TEAM_ACT = "team.process_order"
VIEW_REPORTS = "teaching.view_reports"
VIEW_PORTFOLIOS = "teaching.view_portfolios"
ASSESS = "teaching.assess_students"
WAGTAIL_ADMIN = "wagtailadmin.access_admin"


@dataclass(frozen=True)
class Rule:
    """Who may pass, in words (for the README and refusals) and as a test."""

    who: str
    test: Callable[..., bool]

    def __call__(self, user, kwargs) -> bool:
        if user.is_authenticated and not user.is_active:
            return False
        return bool(self.test(user, kwargs))


EVERYONE = Rule("everyone", lambda user, kwargs: True)
NOBODY = Rule("nobody", lambda user, kwargs: False)
SIGNED_IN = Rule("signed-in users", lambda user, kwargs: user.is_authenticated)
SIGNED_OUT = Rule("visitors not signed in", lambda user, kwargs: not user.is_authenticated)


def _perm(name: str) -> Rule:
    return Rule(name, lambda user, kwargs: user.has_perm(name))


def _own_portfolio(user, kwargs) -> bool:
    # Decided from the address alone: a student asking for another student's portfolio, or
    # for an id that is nobody's, gets the same 403.
    if user.has_perm(VIEW_PORTFOLIOS):
        return True
    return user.is_authenticated and kwargs.get("pk") == user.pk and user.has_perm(TEAM_LOOK)


OWN_PORTFOLIO_OR_TEACHER = Rule(f"the student themselves or {VIEW_PORTFOLIOS}", _own_portfolio)
OWN_PORTFOLIO = Rule(
    "the student themselves",
    lambda user, kwargs: (
        user.is_authenticated and kwargs.get("pk") == user.pk and user.has_perm(TEAM_LOOK)
    ),
)
STAFF = Rule(
    "staff (is_staff) and superusers",
    lambda user, kwargs: user.is_authenticated and (user.is_staff or user.is_superuser),
)


@dataclass(frozen=True)
class Area:
    name: str
    get: Rule
    post: Rule
    # Where an anonymous visitor refused here is sent to sign in (a URL name), or None for 404.
    login: str | None = "customer:login"
    # What a signed-in visitor refused here reads (403).
    refusal: str = "403.html"

    def allows(self, user, method: str, kwargs) -> bool:
        """Superusers pass the permission rules (has_perm), not the ones about a person."""
        rule = self.get if method in ("GET", "HEAD", "OPTIONS") else self.post
        return rule(user, kwargs)


STOREFRONT = Area("storefront", EVERYONE, EVERYONE)
SIGN_IN = Area("sign-in", EVERYONE, EVERYONE)
# Resetting a forgotten password: a signed-in visitor is told to change it in the account.
SIGNED_OUT_ONLY = Area(
    "password reset", SIGNED_OUT, SIGNED_OUT, refusal="oscar/login_forbidden.html"
)
ACCOUNT = Area("account", SIGNED_IN, SIGNED_IN)
TEAM = Area("team", _perm(TEAM_LOOK), _perm(TEAM_ACT))
REPORTS = Area("teaching: reports", _perm(VIEW_REPORTS), _perm(VIEW_REPORTS))
STUDENTS = Area("teaching: students", _perm(VIEW_PORTFOLIOS), _perm(VIEW_PORTFOLIOS))
PORTFOLIO = Area("teaching: portfolio", OWN_PORTFOLIO_OR_TEACHER, OWN_PORTFOLIO)
ASSESSMENT = Area("teaching: assessment", _perm(ASSESS), _perm(ASSESS))
DASHBOARD = Area("dashboard", STAFF, STAFF, login="dashboard:login")
WAGTAIL = Area("wagtail", _perm(WAGTAIL_ADMIN), _perm(WAGTAIL_ADMIN), login="wagtailadmin_login")
CLOSED = Area("closed", NOBODY, NOBODY, login=None)

AREAS = [
    STOREFRONT,
    SIGN_IN,
    SIGNED_OUT_ONLY,
    ACCOUNT,
    TEAM,
    REPORTS,
    STUDENTS,
    PORTFOLIO,
    ASSESSMENT,
]
AREAS += [DASHBOARD, WAGTAIL, CLOSED]

# Whole address spaces of the Wagtail admin and Oscar's dashboard: their apps check their own
# permissions inside; the door is the area's. Names in ROUTES win over a prefix.
PREFIXES = {
    "cms/": WAGTAIL,
    "shop/dashboard/": DASHBOARD,
}

ROUTES: dict[str, Area] = {
    # --- the site's own -------------------------------------------------------------------
    "healthz": STOREFRONT,
    "robots": STOREFRONT,
    "sitemap": STOREFRONT,
    # Browsers report what the Content-Security-Policy blocked (logged).
    "csp-report": STOREFRONT,
    "site-search": STOREFRONT,
    "oscar-search-redirect": STOREFRONT,
    "bench-bare": STOREFRONT,
    # Uploaded files, served by Django itself only with DEBUG on (make run).
    "^media/(?P<path>.*)$": STOREFRONT,
    # Stripe calls it; the signature is the door (shop/payments/notifications.py).
    "stripe-webhook": STOREFRONT,
    # YooKassa calls it; its published addresses are the door (shop/payments/notifications.py).
    "yookassa-notifications": STOREFRONT,
    "bookings:book": STOREFRONT,
    # Paying: the payment page's forms; the SBP page and its check are the browser's own
    # attempts only (a 404 for another's).
    "payments:start": STOREFRONT,
    "payments:yookassa-start": STOREFRONT,
    "payments:sbp": STOREFRONT,
    "payments:check": STOREFRONT,
    "payments:return": STOREFRONT,
    # Signed links from the e-mails; the signature is the door.
    "customercare:order-status": STOREFRONT,
    "customercare:ticket": STOREFRONT,
    "customercare:ticket-calendar": STOREFRONT,
    "customercare:ticket-image": STOREFRONT,
    # A customer's own changes to a booking and the waiting list: the signed order link or
    # the signed waiting-list link is the door; their changes are POST only, after a confirm.
    "customercare:booking-cancel": STOREFRONT,
    "customercare:booking-move": STOREFRONT,
    "customercare:booking-pay": STOREFRONT,
    "customercare:booking-pay-card": STOREFRONT,
    "customercare:booking-pay-yookassa": STOREFRONT,
    "customercare:rebook": STOREFRONT,
    "bookings:waitlist": STOREFRONT,
    "bookings:waitlist-hold": STOREFRONT,
    # The tourist's one-time feedback link; its signature is the door.
    "feedback:give": STOREFRONT,
    "feedback:thanks": STOREFRONT,
    # The account's orders in our own pages (they take Oscar's addresses, before Oscar's).
    "customercare:account-orders": ACCOUNT,
    "customercare:account-order": ACCOUNT,
    "customercare:account-order-line": ACCOUNT,
    "login-with-consent": SIGN_IN,
    "register-with-consent": SIGN_IN,
    "customer-logout": SIGN_IN,
    "cms-logout": SIGN_IN,
    # The student workspace: students and teachers look, students act.
    "team:queue": TEAM,
    "team:order": TEAM,
    "team:tours": TEAM,
    "team:manifest": TEAM,
    "team:reports": REPORTS,
    "team:students": STUDENTS,
    "team:portfolio": PORTFOLIO,
    "team:assess": ASSESSMENT,
    "team:rubrics": ASSESSMENT,
    "team:rubric": ASSESSMENT,
    "team:period": ASSESSMENT,
    "team:gradebook": ASSESSMENT,
    # Our pages inside the dashboard's address space, named for clarity (same area).
    "dashboard:login": SIGN_IN,
    "dashboard:logout": SIGN_IN,
    "dashboard-lockouts": DASHBOARD,
    "dashboard-product-lookup": DASHBOARD,
    "dashboard-product-delete": DASHBOARD,
    # Promo codes in one form (shop/promocodes); Oscar's voucher permissions apply inside.
    "promocodes-dashboard:list": DASHBOARD,
    "promocodes-dashboard:create": DASHBOARD,
    "promocodes-dashboard:edit": DASHBOARD,
    "promocodes-dashboard:end": DASHBOARD,
    # --- Wagtail's public pages -----------------------------------------------------------
    "wagtail_serve": STOREFRONT,
    "wagtailcore_authenticate_with_password": STOREFRONT,
    "wagtailcore_login": SIGN_IN,
    "wagtaildocs_serve": STOREFRONT,
    "wagtaildocs_authenticate_with_password": STOREFRONT,
    "wagtailadmin_login": SIGN_IN,
    "wagtailadmin_password_reset": SIGN_IN,
    "wagtailadmin_password_reset_done": SIGN_IN,
    "wagtailadmin_password_reset_confirm": SIGN_IN,
    "wagtailadmin_password_reset_complete": SIGN_IN,
    # Raises an exception on purpose (Wagtail's test of the error page): not a door to keep.
    "wagtailadmin_error_test": CLOSED,
    # --- Oscar's storefront ---------------------------------------------------------------
    "home": STOREFRONT,
    "search:search": STOREFRONT,
    "catalogue:index": STOREFRONT,
    "catalogue:detail": STOREFRONT,
    "catalogue:category": STOREFRONT,
    "catalogue:range": STOREFRONT,
    "offer:list": STOREFRONT,
    "offer:detail": STOREFRONT,
    "basket:summary": STOREFRONT,
    "basket:add": STOREFRONT,
    "basket:vouchers-add": STOREFRONT,
    "basket:vouchers-remove": STOREFRONT,
    "basket:saved": ACCOUNT,
    "checkout:index": STOREFRONT,
    "checkout:shipping-address": STOREFRONT,
    "checkout:user-address-update": ACCOUNT,
    "checkout:user-address-delete": ACCOUNT,
    "checkout:shipping-method": STOREFRONT,
    "checkout:payment-method": STOREFRONT,
    "checkout:payment-details": STOREFRONT,
    "checkout:preview": STOREFRONT,
    "checkout:thank-you": STOREFRONT,
    # Oscar's own signed order link for guests.
    "customer:anon-order": STOREFRONT,
    "customer:anon-order-form": STOREFRONT,
    "customer:login": SIGN_IN,
    "customer:register": SIGN_IN,
    "customer:logout": SIGN_IN,
    "password-reset": SIGNED_OUT_ONLY,
    "password-reset-done": SIGNED_OUT_ONLY,
    "password-reset-confirm": SIGNED_OUT_ONLY,
    "password-reset-complete": SIGNED_OUT_ONLY,
    # --- Oscar's customer account ---------------------------------------------------------
    "customer:summary": ACCOUNT,
    "customer:change-password": ACCOUNT,
    "customer:profile-view": ACCOUNT,
    "customer:profile-update": ACCOUNT,
    "customer:profile-delete": ACCOUNT,
    "customer:order-list": ACCOUNT,
    "customer:order": ACCOUNT,
    "customer:order-line": ACCOUNT,
    "customer:address-list": ACCOUNT,
    "customer:address-create": ACCOUNT,
    "customer:address-detail": ACCOUNT,
    "customer:address-delete": ACCOUNT,
    "customer:address-change-status": ACCOUNT,
    "address-default": ACCOUNT,
    "notification-detail": ACCOUNT,
    "order-line": ACCOUNT,
    "alert-confirm": STOREFRONT,
    "alert-cancel-by-key": STOREFRONT,
    "alert-cancel-by-pk": ACCOUNT,
    "customer:email-list": ACCOUNT,
    "customer:email-detail": ACCOUNT,
    "shop/accounts/notifications/": ACCOUNT,  # Oscar's unnamed redirect to the inbox
    "customer:notifications-inbox": ACCOUNT,
    "customer:notifications-archive": ACCOUNT,
    "customer:notifications-update": ACCOUNT,
    "customer:notifications-detail": ACCOUNT,
    "customer:alerts-list": ACCOUNT,
    "customer:alert-create": STOREFRONT,
    # Links from Oscar's stock-alert e-mails (a key, no sign-in).
    "customer:alerts-confirm": STOREFRONT,
    "customer:alerts-cancel-by-key": STOREFRONT,
    "customer:alerts-cancel-by-pk": ACCOUNT,
    # Wishlists are hidden here (OSCAR_HIDDEN_FEATURES); "add" wrote on a GET.
    "customer:wishlists-list": CLOSED,
    "customer:wishlists-add-product": CLOSED,
    "customer:wishlists-create": CLOSED,
    "customer:wishlists-create-with-product": CLOSED,
    "customer:wishlists-detail": CLOSED,
    "customer:wishlists-update": CLOSED,
    "customer:wishlists-delete": CLOSED,
    "customer:wishlists-remove-product": CLOSED,
    "customer:wishlists-move-product-to-another": CLOSED,
    "wishlists:detail": CLOSED,
    # --- Oscar's dashboard: the prefix's area, but these doors are shut --------------------
    # Linking a user to the partner granted them the dashboard, on a GET (a planted link
    # was enough); the dashboard is for staff, given by is_staff, not by a partner link.
    "dashboard:partner-user-link": CLOSED,
    "dashboard:partner-user-unlink": CLOSED,
    # Reviews are hidden here (OSCAR_HIDDEN_FEATURES): nothing to moderate.
    "dashboard:reviews-list": CLOSED,
    "dashboard:reviews-update": CLOSED,
    "dashboard:reviews-delete": CLOSED,
}


def _unprefixed(route: str) -> str:
    """The route without its language prefix ("en/team/…" → "team/…")."""
    for code, _name in settings.LANGUAGES:
        if route.startswith(f"{code}/"):
            return route[len(code) + 1 :]
    return route


def route_key(match) -> str:
    """The name the table knows a resolved route by: its URL name ("namespace:name"), or,
    for a route without a name, its pattern."""
    return match.view_name if match.url_name else _unprefixed(match.route)


def area_for(key: str, route: str) -> Area | None:
    if key in ROUTES:
        return ROUTES[key]
    route = _unprefixed(route)
    for prefix, area in PREFIXES.items():
        if route.startswith(prefix):
            return area
    return None


def area_of(match) -> Area | None:
    return area_for(route_key(match), match.route)


class AccessMiddleware:
    """Enforces the table before any view runs (after authentication)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        area = area_of(match)
        if area is None:
            # A route nobody has placed in the table: refused to everyone until it is.
            raise Http404(f"{route_key(match)} is not in shop/core/access.py")
        if area.allows(request.user, request.method, view_kwargs):
            return None
        if area.login is None:
            raise Http404
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), area.login)
        return render(request, area.refusal, status=403)


def routed() -> list[tuple[str, str]]:
    """(key, route) of every route the site has, in the Russian (unprefixed) address space."""
    found: list[tuple[str, str]] = []

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                space = namespace
                if pattern.namespace:
                    space = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), space)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if pattern.name:
                    key = f"{namespace}:{pattern.name}" if namespace else pattern.name
                else:
                    key = _unprefixed(route)
                found.append((key, route))

    walk(get_resolver().url_patterns, "", "")
    return found


@register()
def check_every_route_has_an_area(app_configs, **kwargs):
    errors = []
    for key, route in routed():
        if area_for(key, route) is None:
            errors.append(
                Error(
                    f"The route {key!r} ({route}) has no entry in the access table.",
                    hint=f"Add {key!r} with its area to ROUTES in shop/core/access.py.",
                    id="shop.E001",
                )
            )
    return errors
