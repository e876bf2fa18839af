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


def render(settings=None, localstripe: str = "", site: str = "http://127.0.0.1:8000") -> str:
    if settings is None:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.dev")
        from django.conf import settings
    addresses = ADDRESSES.format(site=site)
    return f"{addresses}\n{payments(settings, localstripe, site)}\n\n  Stop with Ctrl+C.\n"


if __name__ == "__main__":
    print(render())
