"""Production: every secret comes from the environment, nothing has a default."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
if not SECRET_KEY:
    raise ImproperlyConfigured("Set the SECRET_KEY environment variable (it must not be empty).")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set the ALLOWED_HOSTS environment variable, e.g. shop.example.")
if "DATABASE_URL" not in env.ENVIRON:
    raise ImproperlyConfigured("Set the DATABASE_URL environment variable (PostgreSQL).")

# Each way to pay that is on needs its keys (a provider with some keys and not others stops
# base.py already). A benchmark without real payments may use the local test servers.
_unknown = set(PAYMENT_PROVIDERS) - {"stripe", "yookassa"}  # noqa: F405
if not PAYMENT_PROVIDERS or _unknown:  # noqa: F405
    raise ImproperlyConfigured(
        "Set PAYMENT_PROVIDERS to yookassa, stripe or both (comma-separated), "
        f"not {', '.join(sorted(_unknown)) or 'nothing'}."
    )
if (
    "stripe" in PAYMENT_PROVIDERS  # noqa: F405
    and STRIPE_LOCAL  # noqa: F405
    and not env.bool("STRIPE_ALLOW_LOCALSTRIPE", default=False)
):
    raise ImproperlyConfigured(
        "Set STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY and STRIPE_WEBHOOK_SECRET, or leave "
        "stripe out of PAYMENT_PROVIDERS (or, for a benchmark without real payments, "
        "STRIPE_ALLOW_LOCALSTRIPE=true)."
    )
if (
    "yookassa" in PAYMENT_PROVIDERS  # noqa: F405
    and YOOKASSA_LOCAL  # noqa: F405
    and not env.bool("YOOKASSA_ALLOW_LOCAL", default=False)
):
    raise ImproperlyConfigured(
        "Set YOOKASSA_SHOP_ID and YOOKASSA_SECRET_KEY, or leave yookassa out of "
        "PAYMENT_PROVIDERS (or, for a benchmark without real payments, YOOKASSA_ALLOW_LOCAL=true)."
    )

DEMO_DATA_ALLOWED = False

# Every process must see the same cache: the storefront version that cached product fragments
# are keyed by lives there (shop/core/freshness.py). Without CACHE_URL the processes of one
# machine share files under var/cache; several machines need CACHE_URL=redis://….
if "CACHE_URL" not in env.ENVIRON:
    CACHES = cache_aliases(  # noqa: F405
        {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),  # noqa: F405
        }
    )

# Sessions are read from the cache and written to both (Django's cached_db): one query fewer
# on every signed-in page. Only where every process shares the cache, as here: with a cache in
# each process's own memory (make run, the tests' default) one worker would keep serving a
# session another has changed. They live in the bounded "pages" space with the other
# per-visitor entries; one pushed out of it is read from the database again.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "pages"

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Cookies go over HTTPS only. `make bench` turns this off to book over plain HTTP on loopback.
SECURE_COOKIES = env.bool("SECURE_COOKIES", default=True)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Not on the browsers' preload list: that binds every subdomain of the college's domain to
# HTTPS for years, which is the domain owner's decision, not this site's (README, Security).
SECURE_HSTS_PRELOAD = False
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
OSCAR_BASKET_COOKIE_SECURE = SECURE_COOKIES
OSCAR_RECENTLY_VIEWED_COOKIE_SECURE = SECURE_COOKIES

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Uploaded media (product and page images) on S3-compatible storage when a bucket is named
# (django-storages; install with `pip install -e ".[production]"`). Otherwise MEDIA_ROOT.
if env("MEDIA_S3_BUCKET", default=""):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("MEDIA_S3_BUCKET"),
            "endpoint_url": env("MEDIA_S3_ENDPOINT_URL", default=None),
            "region_name": env("MEDIA_S3_REGION", default=None),
            "access_key": env("MEDIA_S3_ACCESS_KEY_ID", default=None),
            "secret_key": env("MEDIA_S3_SECRET_ACCESS_KEY", default=None),
            "custom_domain": env("MEDIA_S3_CUSTOM_DOMAIN", default=None),
            "default_acl": None,
            "querystring_auth": False,
            "file_overwrite": False,
        },
    }
