from django.conf import settings

from shop.payments import providers


def payments(request):
    """Whether every way to pay is a test one (no real money): the banner says so."""
    modes = {"stripe": settings.STRIPE_TEST_MODE, "yookassa": settings.YOOKASSA_TEST_MODE}
    enabled = providers.enabled()
    return {
        "payments_test_mode": bool(enabled) and all(modes[code] for code in enabled),
        "payment_providers": enabled,
    }
