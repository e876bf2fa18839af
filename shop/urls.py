from django.apps import apps
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.urls import include, path, re_path
from django.views.decorators.cache import cache_page
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from catalogue.dashboard import urlpatterns as product_form_urls
from cms import serving as cms_serving
from shop.core import oscar_guards
from shop.core.accounts import AuthView, RegistrationView
from shop.core.headers import csp_report
from shop.core.health import healthz
from shop.core.login_guard import LockoutsView
from shop.core.search import SiteSearchView, oscar_search_redirect
from shop.core.seo import SITEMAPS, robots_txt
from shop.payments.urls import webhook_urlpatterns

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("robots.txt", robots_txt, name="robots"),
    path("csp-report/", csp_report, name="csp-report"),
    path(
        "sitemap.xml",
        cache_page(60 * 60)(sitemap_view),
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
    path("cms/", include(oscar_guards.urlpatterns_before_wagtail)),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Stripe calls the webhook without a language prefix.
    *webhook_urlpatterns,
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's addresses (the password form, its sign-in), then its pages through our view, which
# keeps each page's route.
wagtail_page_urls = [
    *(pattern for pattern in wagtail_urls.urlpatterns if pattern.name != "wagtail_serve"),
    re_path(wagtail_urls.serve_pattern, cms_serving.serve, name="wagtail_serve"),
]

# Russian lives at the root, other languages under their prefix (/en/shop/...).
urlpatterns += i18n_patterns(
    path("team/", include("shop.team.urls")),
    path("shop/", include("shop.bookings.urls")),
    path("shop/", include("shop.customercare.urls")),
    path("shop/", include("shop.feedback.urls")),
    path("shop/checkout/payment/", include("shop.payments.urls")),
    path("shop/dashboard/orders/", include("shop.payments.dashboard_urls")),
    path("shop/dashboard/orders/", include("shop.order.dashboard_urls")),
    path("shop/dashboard/tours/", include("shop.bookings.dashboard.urls")),
    path("shop/dashboard/promo-codes/", include("shop.promocodes.urls")),
    # Oscar's product form, with the product's translations in it (same addresses and names).
    path("shop/dashboard/catalogue/", include((product_form_urls(), "catalogue-dashboard"))),
    # Oscar's haystack search finds nothing here: its address leads to the site search.
    path("shop/search/", oscar_search_redirect, name="oscar-search-redirect"),
    # Oscar's sign-up, with consent to the processing of personal data (same addresses).
    path("shop/accounts/login/", AuthView.as_view(), name="login-with-consent"),
    path("shop/accounts/register/", RegistrationView.as_view(), name="register-with-consent"),
    path("shop/dashboard/lockouts/", LockoutsView.as_view(), name="dashboard-lockouts"),
    # Oscar's views that changed state on a GET, guarded at the same addresses.
    path("shop/", include(oscar_guards.urlpatterns_before_oscar)),
    path("shop/", include(apps.get_app_config("oscar").urls[0])),
    path("search/", SiteSearchView.as_view(), name="site-search"),
    # Wagtail's catch-all comes last, its page view through ours (cms/serving.py).
    path("", include(wagtail_page_urls)),
    prefix_default_language=False,
)
