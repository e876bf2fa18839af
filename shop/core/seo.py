"""What search engines read: robots.txt and sitemap.xml (pages and products, in every
language, with their alternates)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.cache import cache_page
from django.views.decorators.http import require_safe
from oscar.core.loading import get_model

Product = get_model("catalogue", "Product")

# Private or per-visitor addresses, in every language prefix.
PRIVATE = [
    "/team/",
    "/cms/",
    "/shop/dashboard/",
    "/shop/basket/",
    "/shop/checkout/",
    "/shop/accounts/",
    "/shop/orders/",
    "/shop/tickets/",
    "/shop/payments/",
    "/search/",  # search results: endless, thin pages (they say noindex too)
]


@require_safe
@cache_page(60 * 60)
def robots_txt(request):
    prefixes = [""] + [f"/{code}" for code, _name in settings.LANGUAGES[1:]]
    lines = ["User-agent: *"]
    for prefix in prefixes:
        lines += [f"Disallow: {prefix}{path}" for path in PRIVATE]
    lines += ["", f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


class SiteUrlSitemap(Sitemap):
    """Absolute addresses from SITE_URL (the public address), not from the sites table."""

    def get_domain(self, site=None):
        return urlsplit(settings.WAGTAILADMIN_BASE_URL).netloc

    def get_protocol(self, protocol=None):
        return urlsplit(settings.WAGTAILADMIN_BASE_URL).scheme or "https"


class I18nSitemap(SiteUrlSitemap):
    i18n = True
    alternates = True
    x_default = True

    @property
    def languages(self):
        return [code for code, _name in settings.LANGUAGES]


class ProductSitemap(I18nSitemap):
    """Tours and gingerbread (departures are listed on their tour's page)."""

    changefreq = "daily"
    priority = 0.8

    def items(self):
        return Product.objects.browsable().filter(is_public=True).order_by("pk")

    def location(self, item):
        return item.get_absolute_url()

    def lastmod(self, item):
        return item.date_updated


class ShopSitemap(I18nSitemap):
    changefreq = "daily"
    priority = 0.6

    def items(self):
        return ["catalogue:index"]

    def location(self, item):
        return reverse(item)


class PageSitemap(SiteUrlSitemap):
    """Live, public Wagtail pages of every language tree (each has its own address), each
    with its translations as alternates."""

    changefreq = "weekly"

    def items(self):
        from wagtail.models import Page

        return (
            Page.objects.live()
            .public()
            .filter(depth__gte=2)
            .select_related("locale")
            .order_by("path")
        )

    def location(self, item):
        return item.get_url()

    def lastmod(self, item):
        return item.last_published_at

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        by_key: dict = {}
        for url in urls:
            by_key.setdefault(url["item"].translation_key, []).append(url)
        for group in by_key.values():
            if len(group) < 2:
                continue
            alternates = [
                {"location": url["location"], "lang_code": url["item"].locale.language_code}
                for url in group
            ]
            default = next(
                (a for a in alternates if a["lang_code"] == settings.LANGUAGE_CODE), None
            )
            if default is not None:
                alternates.append({"location": default["location"], "lang_code": "x-default"})
            for url in group:
                url["alternates"] = alternates
        return urls


SITEMAPS = {"pages": PageSitemap, "shop": ShopSitemap, "products": ProductSitemap}
