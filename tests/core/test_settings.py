import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PG_URL = "postgres://shop:shop@127.0.0.1:5433/shop"  # settings only parse it; nothing connects


def _load_settings(module: str, show: str = "settings.DEBUG", **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
        and not key.startswith(("STRIPE_", "YOOKASSA_", "PAYMENT_"))
    }
    environment.update(env, DJANGO_SETTINGS_MODULE=module)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django; django.setup(); from django.conf import settings; print({show})",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_secret_key():
    result = _load_settings(
        "shop.settings.production", ALLOWED_HOSTS="shop.example", DATABASE_URL=PG_URL
    )
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _load_settings("shop.settings.production", SECRET_KEY="x" * 50, DATABASE_URL=PG_URL)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


STRIPE_KEYS = {
    "STRIPE_SECRET_KEY": "sk_live_example",
    "STRIPE_PUBLISHABLE_KEY": "pk_live_example",
    "STRIPE_WEBHOOK_SECRET": "whsec_example",
}
YOOKASSA_KEYS = {"YOOKASSA_SHOP_ID": "123456", "YOOKASSA_SECRET_KEY": "live_example"}
PAYMENT_KEYS = {**STRIPE_KEYS, **YOOKASSA_KEYS}
PRODUCTION = {"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "shop.example", "DATABASE_URL": PG_URL}


def test_production_starts_with_debug_off_when_configured():
    result = _load_settings(
        "shop.settings.production",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="shop.example",
        DATABASE_URL=PG_URL,
        **PAYMENT_KEYS,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_production_refuses_to_take_payments_without_stripe_keys():
    result = _load_settings("shop.settings.production", **PRODUCTION, **YOOKASSA_KEYS)
    assert result.returncode != 0
    assert "STRIPE_SECRET_KEY" in result.stderr


def test_production_refuses_to_take_payments_without_yookassa_keys():
    result = _load_settings("shop.settings.production", **PRODUCTION, **STRIPE_KEYS)
    assert result.returncode != 0
    assert "Set YOOKASSA_SHOP_ID and YOOKASSA_SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    "half",
    [{"YOOKASSA_SHOP_ID": "123456"}, {"YOOKASSA_SECRET_KEY": "live_example"}],
    ids=["shop id only", "secret key only"],
)
def test_production_refuses_a_half_configured_yookassa_even_when_it_is_off(half):
    result = _load_settings(
        "shop.settings.production", **PRODUCTION, **STRIPE_KEYS, PAYMENT_PROVIDERS="stripe", **half
    )
    assert result.returncode != 0
    assert "YooKassa is half-configured" in result.stderr


def test_production_refuses_a_half_configured_stripe():
    result = _load_settings(
        "shop.settings.production",
        **PRODUCTION,
        **YOOKASSA_KEYS,
        STRIPE_SECRET_KEY="sk_live_example",
    )
    assert result.returncode != 0
    assert "STRIPE_PUBLISHABLE_KEY" in result.stderr


def test_production_refuses_an_unknown_provider():
    result = _load_settings(
        "shop.settings.production",
        **PRODUCTION,
        **PAYMENT_KEYS,
        PAYMENT_PROVIDERS="yookassa,paypal",
    )
    assert result.returncode != 0
    assert "not paypal" in result.stderr


def test_production_with_yookassa_alone_trusts_only_its_published_addresses():
    result = _load_settings(
        "shop.settings.production",
        show="settings.PAYMENT_PROVIDERS, settings.YOOKASSA_API_URL, "
        "settings.YOOKASSA_NOTIFICATION_NETWORKS",
        **PRODUCTION,
        **YOOKASSA_KEYS,
        PAYMENT_PROVIDERS="yookassa",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "['yookassa'] https://api.yookassa.ru/v3 ['185.71.76.0/27', '185.71.77.0/27', "
        "'77.75.153.0/25', '77.75.156.11/32', '77.75.156.35/32', '77.75.154.128/25', "
        "'2a02:5180::/32']"
    )


def test_production_refuses_to_start_without_a_database_url():
    result = _load_settings(
        "shop.settings.production", SECRET_KEY="x" * 50, ALLOWED_HOSTS="shop.example"
    )
    assert result.returncode != 0
    assert "Set the DATABASE_URL environment variable" in result.stderr


def test_production_security_settings():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, "
        "s.DEMO_DATA_ALLOWED, s.TIME_ZONE, s.LANGUAGE_CODE, s.OSCAR_DEFAULT_CURRENCY)"
    )
    environment = dict(
        os.environ,
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="shop.example",
        DATABASE_URL=PG_URL,
        DJANGO_SETTINGS_MODULE="shop.settings.production",
        **PAYMENT_KEYS,
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["True", "True", "True", "False", "Asia/Irkutsk", "ru", "RUB"]


def test_production_puts_media_on_s3_and_shares_a_redis_cache_when_configured():
    result = _load_settings(
        "shop.settings.production",
        show=(
            "__import__('django.core.files.storage', fromlist=['x']).default_storage"
            ".__class__.__name__, settings.STORAGES['default']['OPTIONS']['bucket_name'], "
            "settings.CACHES['default']['BACKEND']"
        ),
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="shop.example",
        DATABASE_URL=PG_URL,
        MEDIA_S3_BUCKET="baikal-media",
        MEDIA_S3_ENDPOINT_URL="https://s3.example",
        CACHE_URL="redis://127.0.0.1:6379/1",
        **PAYMENT_KEYS,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "S3Storage baikal-media shop.core.cache_backend.ResilientRedisCache"
    )


def test_production_shares_files_between_its_processes_without_a_cache_url():
    result = _load_settings(
        "shop.settings.production",
        show="settings.CACHES['default']['BACKEND'], settings.STORAGES['default']['BACKEND']",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="shop.example",
        DATABASE_URL=PG_URL,
        **PAYMENT_KEYS,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "django.core.cache.backends.filebased.FileBasedCache "
        "django.core.files.storage.FileSystemStorage"
    )
