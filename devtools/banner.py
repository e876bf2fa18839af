"""Printed by `make run` before the server starts: where to go, how to sign in, how to pay.

`python -m devtools.banner` prints it for the settings in use (shop.settings.dev unless
DJANGO_SETTINGS_MODULE says otherwise; STRIPE_* come from the environment or `.env`).
scripts/devserver.py prints it with what it did about localstripe.
"""

import os

ADDRESSES = """
  Baikal student tour bureau is starting on {site}

    Site (Russian)      {site}/
    Site (English)      {site}/en/
    Shop catalogue      {site}/shop/catalogue/
    Oscar dashboard     {site}/shop/dashboard/
    Wagtail admin       {site}/cms/
    Health check        {site}/healthz

  Demo accounts (password for all: baikal-demo)
    admin@example.com      superuser: dashboard and Wagtail admin
    teacher@example.com    teacher
    student1@example.com   student (also student2, student3)
    tourist@example.com    customer
"""

WEBHOOK_PATH = "/shop/payments/stripe/webhook/"

# (number, what it does); any future expiry date and any CVC.
TEST_CARDS = [
    ("4242 4242 4242 4242", "succeeds"),
    ("4000 0000 0000 0341", "declined when charged"),
    ("4000 0025 0000 3155", "3-D Secure: {three_ds}"),
]


def payments(settings, localstripe: str = "", site: str = "http://127.0.0.1:8000") -> str:
    """The payment mode in use, as lines for the console.

    `localstripe` says what the launcher (scripts/devserver.py) did about it, e.g. "started
    for this run"; "" when not known.
    """
    webhook_url = site + WEBHOOK_PATH
    if settings.STRIPE_LOCAL:
        where = settings.LOCALSTRIPE_URL
        first, *more = (localstripe or "started by `make run`").splitlines()
        lines = [
            f"  Payments: TEST, via localstripe (a fake Stripe) at {where}",
            "    no real money is taken; no Stripe account needed",
            f"    localstripe         {first}",
            *(" " * 24 + line for line in more),
            f"    webhook             {webhook_url}",
            "                        (registered with localstripe)",
        ]
        three_ds = "localstripe asks to confirm or cancel"
    elif settings.STRIPE_TEST_MODE:
        lines = [
            "  Payments: TEST, via Stripe with test keys (sk_test_...)",
            "    no real money is taken",
            f"    webhook             {webhook_url}",
            "                        Stripe cannot reach 127.0.0.1: run",
            f"                        stripe listen --forward-to {webhook_url}",
            "                        (Stripe CLI), STRIPE_WEBHOOK_SECRET = the whsec_... it prints",
        ]
        three_ds = "Stripe shows its test authentication page"
    else:
        return "\n".join(
            [
                "  Payments: REAL, via Stripe with live keys: cards are really charged",
                f"    webhook             {webhook_url}",
                "                        (register the public address in the Stripe dashboard)",
                "    Test cards do not work with live keys.",
            ]
        )
    lines.append("")
    lines.append("  Test cards (any future expiry date, any CVC)")
    for number, what in TEST_CARDS:
        lines.append(f"    {number}    {what.format(three_ds=three_ds)}")
    return "\n".join(lines)


YOOKASSA_NOTIFICATION_PATH = "/shop/payments/yookassa/notifications/"

# The local YooKassa server's test cards (devtools/yookassa/cards.py); any future expiry
# date, any CVC.
YOOKASSA_TEST_CARDS = [
    ("5555 5555 5555 4444", "succeeds"),
    ("5555 5555 5555 4477", "3-D Secure: the server's page asks to confirm or refuse"),
    ("5555 5555 5555 4600", "declined (insufficient funds)"),
]


def yookassa_payments(settings, how: str = "", site: str = "http://127.0.0.1:8000") -> str:
    """YooKassa's part of the banner ("" when YooKassa is off). `how` says what the launcher
    did about the local server."""
    if "yookassa" not in getattr(settings, "PAYMENT_PROVIDERS", ()):
        return ""
    notifications = site + YOOKASSA_NOTIFICATION_PATH
    if not settings.YOOKASSA_LOCAL:
        mode = "TEST (a test shop's keys)" if settings.YOOKASSA_TEST_MODE else "REAL"
        return "\n".join(
            [
                f"  Russian cards and SBP: {mode}, via YooKassa",
                f"    notifications       {notifications}",
                "                        (set this public address in YooKassa's account)",
            ]
        )
    lines = [
        "  Russian cards and SBP: TEST, via the local YooKassa server at "
        + settings.YOOKASSA_LOCAL_URL,
        "    no real money is taken; no YooKassa account needed",
        f"    server              {how or 'started by `make run`'}",
        f"    notifications       {notifications}",
        "",
        "  YooKassa test cards (any future expiry date, any CVC)",
        *(f"    {number}    {what}" for number, what in YOOKASSA_TEST_CARDS),
        "  SBP: the payment page shows a QR code (on a phone, a link): it opens the server's",
        "    fake bank app, where you pay or refuse as the customer would.",
    ]
    return "\n".join(lines)


def render(
    settings=None, localstripe: str = "", site: str = "http://127.0.0.1:8000", yookassa: str = ""
) -> str:
    if settings is None:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.dev")
        from django.conf import settings
    addresses = ADDRESSES.format(site=site)
    parts = [payments(settings, localstripe, site), yookassa_payments(settings, yookassa, site)]
    text = "\n\n".join(part for part in parts if part)
    return f"{addresses}\n{text}\n\n  Stop with Ctrl+C.\n"


if __name__ == "__main__":
    print(render())
