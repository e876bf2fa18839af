"""Settings shared by every environment.

Everything that differs between machines is read from the environment (or a `.env` file)
through django-environ; `.env.example` lists each variable.

One module on purpose (over 400 lines): Django reads settings as one namespace, and the
sections below (apps, Oscar, Wagtail, orders, payments, caches) refer to each other.
"""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from oscar.defaults import *  # noqa: F403  (Oscar's documented way to get its defaults)

from shop.order.statuses import LineStatus, OrderStatus

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"
# Runtime files (SQLite database, media, collected static) live here; git ignores it.
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Reverse proxies (nginx on the same machine: 127.0.0.1) whose X-Forwarded-For names the
# visitor; used where the visitor's address matters (the contact form's limit).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

# Demo accounts and content may be loaded only where a settings module allows it.
DEMO_DATA_ALLOWED = False

INSTALLED_APPS = [
    # Django
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django.forms",
    "django_tasks",
    "django_tasks_db",
    # Failed sign-ins counted and throttled (shop/core/login_guard.py).
    "axes",
    "csp",
    # The shop's own apps
    "shop.core",
    "shop.demo",
    "cms",
    "shop.activity.apps.ActivityConfig",
    "shop.bookings.apps.BookingsConfig",
    "shop.payments.apps.PaymentsConfig",
    "shop.team.apps.TeamConfig",
    "shop.customercare.apps.CustomerCareConfig",
    "shop.teaching.apps.TeachingConfig",
    "shop.feedback.apps.FeedbackConfig",
    # Oscar (forked apps replace Oscar's own entries)
    "oscar.config.Shop",
    "oscar.apps.analytics.apps.AnalyticsConfig",
    "shop.checkout.apps.CheckoutConfig",
    "oscar.apps.address.apps.AddressConfig",
    "shop.shipping.apps.ShippingConfig",
    "catalogue.apps.CatalogueConfig",
    "oscar.apps.catalogue.reviews.apps.CatalogueReviewsConfig",
    "oscar.apps.communication.apps.CommunicationConfig",
    "shop.partner.apps.PartnerConfig",
    "shop.basket.apps.BasketConfig",
    "oscar.apps.payment.apps.PaymentConfig",
    "oscar.apps.offer.apps.OfferConfig",
    "shop.order.apps.OrderConfig",
    "oscar.apps.customer.apps.CustomerConfig",
    "oscar.apps.search.apps.SearchConfig",
    "oscar.apps.voucher.apps.VoucherConfig",
    "oscar.apps.wishlists.apps.WishlistsConfig",
    "oscar.apps.dashboard.apps.DashboardConfig",
    "oscar.apps.dashboard.reports.apps.ReportsDashboardConfig",
    "oscar.apps.dashboard.users.apps.UsersDashboardConfig",
    "oscar.apps.dashboard.orders.apps.OrdersDashboardConfig",
    "oscar.apps.dashboard.catalogue.apps.CatalogueDashboardConfig",
    "oscar.apps.dashboard.offers.apps.OffersDashboardConfig",
    "oscar.apps.dashboard.partners.apps.PartnersDashboardConfig",
    "oscar.apps.dashboard.pages.apps.PagesDashboardConfig",
    "oscar.apps.dashboard.ranges.apps.RangesDashboardConfig",
    "oscar.apps.dashboard.reviews.apps.ReviewsDashboardConfig",
    "oscar.apps.dashboard.vouchers.apps.VouchersDashboardConfig",
    "oscar.apps.dashboard.communications.apps.CommunicationsDashboardConfig",
    "oscar.apps.dashboard.shipping.apps.ShippingDashboardConfig",
    "widget_tweaks",
    "haystack",
    "treebeard",
    "django_tables2",
    "sorl.thumbnail",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    # Editors create a page's English (or any other) version from the page's menu.
    "wagtail.contrib.simple_translation",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.locales",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
]

SITE_ID = 1

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy on every response (shop/core/headers.py).
    "shop.core.headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed for browsers that accept it (a tour's page: 72 KB, 10 KB compressed),
    # with Django's BREACH padding; below WhiteNoise, which sends static files precompressed.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in person's permissions from the cache (shop/core/permission_cache.py).
    "shop.core.permission_cache.PermissionCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Who may open which door: the access table (shop/core/access.py), before any view runs.
    "shop.core.access.AccessMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Oscar's basket needs the authenticated user, so it comes after auth.
    "shop.basket.middleware.BasketMiddleware",
    # No NUL character reaches a view (PostgreSQL refuses it in text): shop/core/input_guard.py.
    "shop.core.input_guard.RefuseNulMiddleware",
    # Whole storefront pages for anonymous visitors, each with its own CSRF token and basket.
    "shop.core.page_cache.PageCacheMiddleware",
    # Wagtail's Site of the request from the cache for pages rendered (shop/core/site_cache.py).
    "shop.core.site_cache.SiteCacheMiddleware",
    "django.contrib.flatpages.middleware.FlatpageFallbackMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Turns a sign-in refused for too many failures into the lockout page (last, as axes asks).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "shop.urls"
WSGI_APPLICATION = "shop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "oscar.apps.search.context_processors.search_form",
                "oscar.apps.checkout.context_processors.checkout",
                # Not Oscar's notifications processor: it counted unread notifications with a
                # query on every signed-in page, for a badge only Oscar's own layout shows.
                "oscar.core.context_processors.metadata",
                "shop.core.context_processors.site_chrome",
                "shop.core.context_processors.storefront_version",
                "shop.payments.context_processors.payments",
            ],
            "builtins": ["shop.core.templatetags.dates"],
        },
    },
]

# Widgets render through TEMPLATES, so that the site's overrides of widget templates apply
# (templates/oscar/forms/widgets/: Oscar's image field without inline event handlers).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Database: SQLite file under var/ by default, PostgreSQL (production) through DATABASE_URL.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at the
    # start of a transaction, so two writers queue on the busy timeout instead of failing
    # with "database is locked" half-way through.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
# Each process keeps its connection between requests (a minute at most): opening one costs a
# round trip on PostgreSQL and, on SQLite, the file's opening and its PRAGMAs.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

AUTHENTICATION_BACKENDS = [
    # First: refuses a sign-in while the account or the address is locked out.
    "shop.core.login_guard.LoginGuardBackend",
    "oscar.apps.customer.auth_backends.EmailBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "customer:login"

# Sign-in throttling on every sign-in form (django-axes, shop/core/login_guard.py): after
# LOGIN_FAILURE_LIMIT wrong passwords for one account or from one address, signing in there
# is refused for LOGIN_LOCKOUT_MINUTES. Successful and failed sign-ins are logged with the
# address (axes' AccessLog, AccessFailureLog); staff see and clear lockouts in the dashboard.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "shop.core.login_guard.lockout_response"
AXES_CLIENT_IP_CALLABLE = "shop.core.login_guard.visitor_address"
AXES_USERNAME_CALLABLE = "shop.core.login_guard.account_name"
AXES_ENABLE_ADMIN = False  # no Django admin here: the dashboard has the page
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False
LOGIN_REDIRECT_URL = reverse_lazy("wagtail_serve", args=[""])

# Language and time: Russian first, local Baikalsk time.
LANGUAGE_CODE = "ru"
# Adding a language takes a line here, its catalogue (locale/<code>.toml, `make messages`)
# and translated content; no code.
LANGUAGES = [
    ("ru", "Русский"),
    ("en", "English"),
    ("zh-hans", "简体中文"),
]
# What the language switch shows for each language (the language's own name by default).
LANGUAGE_SHORT_NAMES = {"ru": "RU", "en": "EN", "zh-hans": "中文"}
# How dates read in each language (Django's date letters; see shop/core/templatetags/dates.py).
DATE_STYLES = {
    "default": {
        "day_time": "j E, H:i",
        "day": "j E",
        "date": "j E Y",
        "date_time": "j E Y, H:i",
        "weekday": "l, j E",
        "weekday_date": "l, j E Y",
        "weekday_date_time": "D, j E Y, H:i",
        "month": "F Y",
    },
    "zh-hans": {
        "day_time": "n月j日 H:i",
        "day": "n月j日",
        "date": "Y年n月j日",
        "date_time": "Y年n月j日 H:i",
        "weekday": "n月j日 l",
        "weekday_date": "Y年n月j日 l",
        "weekday_date_time": "Y年n月j日 D H:i",
        "month": "Y年n月",
    },
}
# og:locale of each language.
LANGUAGE_OG_LOCALES = {"ru": "ru_RU", "en": "en_GB", "zh-hans": "zh_CN"}
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Irkutsk"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# EMAIL_URL, e.g. smtp+tls://user:password@smtp.example:587; by default e-mails are printed.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="turbureau@baikal-college.example")
# Seconds; well under the 10 minutes after which an unfinished send is tried again.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=60)

# Background work (customer e-mails, Wagtail's reference index) is queued in the database and
# done by `manage.py db_worker` (`make run` starts one). TASKS_IMMEDIATE=true does it in the
# request instead, for a site that runs no worker.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if env.bool("TASKS_IMMEDIATE", default=False)
            else "django_tasks_db.DatabaseBackend"
        )
    }
}

# Serves /bench/bare/, the baseline of `make bench` (bench/urls.py); off everywhere else.
BENCH_BASELINE = env.bool("BENCH_BASELINE", default=False)
if BENCH_BASELINE:
    ROOT_URLCONF = "bench.urls"


def cache_aliases(default: dict) -> dict:
    """The default cache and, beside it, "pages" for whole pages (shop/core/page_cache.py)
    and what is kept per visitor (sessions, the header's basket link): its own bounded space,
    so many pages and visitors never push out what the default cache keeps (versions, the
    contact form's one-time stamps and rate limits)."""
    backend = default["BACKEND"].rsplit(".", 1)[-1]
    if backend == "RedisCache":
        # Redis down is a cache miss, logged, not a 500 (shop/core/cache_backend.py); short
        # timeouts so that an unreachable server costs a page little.
        default = {
            **default,
            "BACKEND": "shop.core.cache_backend.ResilientRedisCache",
            "OPTIONS": {
                "socket_connect_timeout": 0.5,
                "socket_timeout": 0.5,
                **default.get("OPTIONS", {}),
            },
        }
    pages = {**default, "KEY_PREFIX": "pages"}
    if backend == "FileBasedCache":
        pages["LOCATION"] = str(Path(default["LOCATION"]) / "pages")
    elif backend == "LocMemCache":
        pages["LOCATION"] = f"{default.get('LOCATION', '')}-pages"
    if backend in ("FileBasedCache", "LocMemCache"):
        pages["OPTIONS"] = {**default.get("OPTIONS", {}), "MAX_ENTRIES": 1000}
    return {"default": default, "pages": pages}


CACHES = cache_aliases(env.cache("CACHE_URL", default="locmemcache://"))
# How long a whole storefront page may be served to anonymous visitors from the cache
# (shop/core/page_cache.py); any change of what it shows replaces it at once. 0 turns it off.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Oscar logs every missing-image lookup at INFO.
        "oscar": {"level": "WARNING"},
        # Wagtail logs every background task it runs at INFO.
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}

# Content-Security-Policy, enforced everywhere (shop/core/headers.py adds the payment
# provider's origin from STRIPE_JS_URL). Another origin the site loads from goes into
# CSP_EXTRA_SOURCES, e.g. {"frame-src": ["https://pay.example"]}.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        # Inline scripts carry the request's nonce; Oscar's few inline event handlers
        # (dashboard "cancel" links, the thank-you page's "print") and the teachers' period
        # pickers by their hash.
        "script-src": [
            SELF,
            NONCE,
            "'unsafe-hashes'",
            "'sha256-osjxnKEPL/pQJbFk1dKsF7PYFmTyMWGmVSiL9inhxJY='",
            "'sha256-NqaPugiVKFsqU2P8L2sjJSLsiSKaQB+C9S5V0ZiRxfc='",
            "'sha256-KfMr/znHoNXbaysXJVVD9BDDdgwELnZLrjgLxMfySJE='",
            "'sha256-MguIPR6qNR8D3B+eAlK+bIRTZe8t3wkOY4B/56Me9FU='",
        ],
        # Style attributes are everywhere in Oscar's and Wagtail's admin templates.
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-src": [SELF],
        # The QR scanner's worker (check-in) and Wagtail's image uploads.
        "worker-src": [SELF, "blob:"],
        "media-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        # Wagtail's preview shows the page in a frame of the site itself.
        "frame-ancestors": [SELF],
        "report-uri": "/csp-report/",
    },
}
CSP_EXTRA_SOURCES: dict[str, list[str]] = {}

# --- Oscar ---
OSCAR_SHOP_NAME = "Байкальское турбюро"
OSCAR_SHOP_TAGLINE = _("Student tour bureau and Baikal gingerbread")
OSCAR_HOMEPAGE = reverse_lazy("wagtail_serve", args=[""])
OSCAR_DEFAULT_CURRENCY = "RUB"
# Roubles are shown without kopecks when the amount is whole: "1 500 ₽". A no-break space
# (\u00a0) keeps the sign on the amount's line, in pages and e-mails alike; Russian digit
# groups are joined by one already.
OSCAR_CURRENCY_FORMAT = {
    "RUB": {"format": "#,##0.##\u00a0₽", "currency_digits": False},
}
OSCAR_FROM_EMAIL = DEFAULT_FROM_EMAIL
OSCAR_ALLOW_ANON_CHECKOUT = True
# "My account" opens the customer's orders (shop/customercare), what a tourist comes back for.
OSCAR_ACCOUNTS_REDIRECT_URL = "customer:order-list"
OSCAR_ALLOW_ANON_REVIEWS = False
OSCAR_EAGER_ALERTS = False
OSCAR_PRODUCTS_PER_PAGE = 24
OSCAR_MISSING_IMAGE_URL = "image_not_found.jpg"
# Cyrillic titles become readable Latin slugs ("nerpa-s-klubnikoi"), not "u0411u0430".
OSCAR_SLUG_FUNCTION = "shop.core.slugs.transliterated_slugify"
OSCAR_REQUIRED_ADDRESS_FIELDS = ("first_name", "last_name", "line1", "line4", "postcode", "country")

# Oscar requires haystack; the storefront browses and searches through the ORM instead
# (haystack's simple engine lists no products: Oscar issue #4366).
HAYSTACK_CONNECTIONS = {
    "default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"},
}
HAYSTACK_SIGNAL_PROCESSOR = "haystack.signals.BaseSignalProcessor"

THUMBNAIL_DEBUG = False
THUMBNAIL_KVSTORE = "sorl.thumbnail.kvstores.cached_db_kvstore.KVStore"

# --- Wagtail ---
WAGTAIL_SITE_NAME = "Байкальское турбюро"
WAGTAILADMIN_BASE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = True
# No avatars from gravatar.com: staff e-mails are not sent elsewhere, and the admin loads
# nothing from another origin (Content-Security-Policy).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Nor a check for new Wagtail releases from the editors' browsers (upgrades are deployments).
WAGTAIL_ENABLE_UPDATE_CHECK = False
# A page under a password or for signed-in people asks in the site's own pages, not Wagtail's.
WAGTAIL_PASSWORD_REQUIRED_TEMPLATE = "cms/password_required.html"
WAGTAIL_FRONTEND_LOGIN_URL = LOGIN_URL
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "odt", "xlsx", "txt"]
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Reviews and wishlists are not part of this shop.
OSCAR_HIDDEN_FEATURES = ["reviews", "wishlists"]

# Tours and their departures are managed in the dashboard, next to the catalogue.
OSCAR_DASHBOARD_NAVIGATION = [
    *OSCAR_DASHBOARD_NAVIGATION[:2],  # noqa: F405
    {
        "label": _("Tours"),
        "icon": "fas fa-calendar-alt",
        "children": [
            {"label": _("Tours and departures"), "url_name": "bookings-dashboard:tour-list"},
            {"label": _("Tourists' feedback"), "url_name": "bookings-dashboard:feedback"},
        ],
    },
    *OSCAR_DASHBOARD_NAVIGATION[2:],  # noqa: F405
    {
        "label": _("Security"),
        "icon": "fas fa-lock",
        "children": [{"label": _("Sign-in lockouts"), "url_name": "dashboard-lockouts"}],
    },
]
# Promo codes are made in one form of ours, first in Oscar's "Offers" menu.
# Oscar's voucher list stays for the rare voucher that form cannot describe.
_PROMO_CODES = {"label": _("Promo codes"), "url_name": "promocodes-dashboard:list"}
_OSCAR_VOUCHERS = {"label": _("All vouchers (Oscar's page)"), "url_name": "dashboard:voucher-list"}
OSCAR_DASHBOARD_NAVIGATION = [
    {
        **section,
        "children": [
            _PROMO_CODES,
            *(
                _OSCAR_VOUCHERS if child.get("url_name") == "dashboard:voucher-list" else child
                for child in section["children"]
            ),
        ],
    }
    if section.get("icon") == "fas fa-bullhorn"
    else section
    for section in OSCAR_DASHBOARD_NAVIGATION
]
# Oscar's own access function knows only Oscar's URL names; ours asks our views and falls
# back to Oscar's for the rest.
OSCAR_DASHBOARD_DEFAULT_ACCESS_FUNCTION = "shop.bookings.dashboard.nav.dashboard_access_fn"

# --- Orders and bookings ---
# The partner that holds the stock of gingerbread and the seats of every departure.
SHOP_PARTNER_CODE = "turbureau"
SHOP_PARTNER_NAME = "Студенческое турбюро"
OSCAR_INITIAL_ORDER_STATUS = OrderStatus.PENDING.value
OSCAR_INITIAL_LINE_STATUS = LineStatus.PENDING.value
# Statuses change only through the services in shop/order/services.py, which give seats and
# stock back and record who did it. Empty pipelines leave Oscar's dashboard no status to set
# (it would cancel without releasing seats, or mark an order paid without a payment).
OSCAR_ORDER_STATUS_PIPELINE = {}
OSCAR_LINE_STATUS_PIPELINE = {}
# Where the bureau hears what needs a decision (a departure below its minimum group size).
SHOP_BUREAU_EMAIL = env("SHOP_BUREAU_EMAIL", default=DEFAULT_FROM_EMAIL)
# Post within Russia: one flat rate per order, in roubles.
SHOP_POST_FLAT_RATE = Decimal(env("SHOP_POST_FLAT_RATE", default="350"))
# How long seats freed on a sold-out departure are held for the next on its waiting list
# (shop/bookings/waitlist.py); never past the departure's booking cut-off.
WAITLIST_HOLD_HOURS = env.int("WAITLIST_HOLD_HOURS", default=12)
# How long a move to a dearer date waits for its difference to be paid before it runs out (the
# booking stays as it was); YooKassa itself cancels a payment left unconfirmed for an hour.
BOOKING_CHANGE_PAYMENT_MINUTES = env.int("BOOKING_CHANGE_PAYMENT_MINUTES", default=60)
# When we cancel a departure and offer another date instead of the refund, the refund waits
# this long for the customer's choice, then is made by itself (shop/bookings/rebooking.py).
# Never more than 240 h: the law gives the customer their money within 10 days of asking
# (Consumer Protection Act, art. 31), and the e-mail is their asking.
REBOOK_OFFER_HOURS = min(env.int("REBOOK_OFFER_HOURS", default=72), 240)

# --- Payments ---
# The providers customers may pay with, in the order the payment page offers them: YooKassa
# (Russian cards and SBP) and Stripe (foreign cards). Each works with real keys, or, without
# them, with its local test server (`make run` starts both).
PAYMENT_PROVIDERS = env.list("PAYMENT_PROVIDERS", default=["yookassa", "stripe"])
PAYMENT_CURRENCY = "RUB"
# Seconds a payment may stay unfinished before the reconciliation job settles it.
PAYMENT_ATTEMPT_STALE_AFTER = env.int(
    "PAYMENT_ATTEMPT_STALE_AFTER", default=env.int("STRIPE_ATTEMPT_STALE_AFTER", default=15 * 60)
)

# Stripe. With no STRIPE_SECRET_KEY the site talks to localstripe, a fake Stripe that
# `make run` starts on 127.0.0.1:8420 (devtools/localstripe_server.py): no real money.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_LOCAL = not STRIPE_SECRET_KEY
LOCALSTRIPE_URL = env("LOCALSTRIPE_URL", default="http://127.0.0.1:8420")
if STRIPE_LOCAL:
    STRIPE_SECRET_KEY = "sk_test_localstripe"
    STRIPE_PUBLISHABLE_KEY = "pk_test_localstripe"
    STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="whsec_localstripe")
    STRIPE_API_BASE = LOCALSTRIPE_URL
    STRIPE_JS_URL = f"{LOCALSTRIPE_URL}/js.stripe.com/v3/"
else:
    STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY")
    STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET")
    STRIPE_API_BASE = env("STRIPE_API_BASE", default="https://api.stripe.com")
    STRIPE_JS_URL = env("STRIPE_JS_URL", default="https://js.stripe.com/v3/")
# Test keys (or localstripe) take no real money: the site says so on every page.
STRIPE_TEST_MODE = STRIPE_LOCAL or STRIPE_SECRET_KEY.startswith(("sk_test_", "rk_test_"))

# YooKassa. With neither YOOKASSA_SHOP_ID nor YOOKASSA_SECRET_KEY the site talks to the local
# YooKassa server (devtools/yookassa) that `make run` starts on 127.0.0.1:8430: no real money.
YOOKASSA_SHOP_ID = env("YOOKASSA_SHOP_ID", default="")
YOOKASSA_SECRET_KEY = env("YOOKASSA_SECRET_KEY", default="")
YOOKASSA_LOCAL = not (YOOKASSA_SHOP_ID or YOOKASSA_SECRET_KEY)
YOOKASSA_LOCAL_URL = env("YOOKASSA_LOCAL_URL", default="http://127.0.0.1:8430")
if YOOKASSA_LOCAL:
    YOOKASSA_SHOP_ID = "100500"
    YOOKASSA_SECRET_KEY = "test_local_secret_key"
    YOOKASSA_API_URL = f"{YOOKASSA_LOCAL_URL}/v3"
    # The local server sends its notifications from 127.0.0.1.
    _notification_networks = ["127.0.0.1/32", "::1/128"]
    # Where the customer's browser is sent to confirm a payment (the CSP's form-action).
    YOOKASSA_CONFIRMATION_ORIGINS = [YOOKASSA_LOCAL_URL]
else:
    if not (YOOKASSA_SHOP_ID and YOOKASSA_SECRET_KEY):
        raise ImproperlyConfigured(
            "YooKassa is half-configured: set both YOOKASSA_SHOP_ID and YOOKASSA_SECRET_KEY "
            "(or neither, for the local test server)."
        )
    YOOKASSA_API_URL = env("YOOKASSA_API_URL", default="https://api.yookassa.ru/v3")
    # The addresses YooKassa sends notifications from, as published in its documentation
    # (https://yookassa.ru/developers/using-api/webhooks#ip).
    _notification_networks = [
        "185.71.76.0/27",
        "185.71.77.0/27",
        "77.75.153.0/25",
        "77.75.156.11/32",
        "77.75.156.35/32",
        "77.75.154.128/25",
        "2a02:5180::/32",
    ]
    YOOKASSA_CONFIRMATION_ORIGINS = ["https://yoomoney.ru"]
# Notifications from anywhere else are refused (they are not signed).
YOOKASSA_NOTIFICATION_NETWORKS = env.list(
    "YOOKASSA_NOTIFICATION_NETWORKS", default=_notification_networks
)
# A test shop's secret key starts with test_ (no real money; the banner stays).
YOOKASSA_TEST_MODE = YOOKASSA_LOCAL or YOOKASSA_SECRET_KEY.startswith("test_")

# 54-FZ receipts (YooKassa's "receipt together with payment"). The bureau's tax system
# (tax_system_code: 1 general, 2 simplified on income, 3 simplified on income less expenses,
# 4 single agricultural tax, 5 patent... see YooKassa's parameter values) and the VAT code of
# each product class, of delivery and of anything else ("default"): 1 is "without VAT", as a
# small enterprise on the simplified system sells. Check both with the bureau's accountant.
RECEIPT_TAX_SYSTEM_CODE = env.int("RECEIPT_TAX_SYSTEM_CODE", default=2)
RECEIPT_VAT_CODES = env.dict(
    "RECEIPT_VAT_CODES",
    cast={"value": int},
    default={"tour": 1, "gingerbread": 1, "delivery": 1, "default": 1},
)
