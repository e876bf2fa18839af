"""A local YooKassa API v3 server for `make run` and the tests, as localstripe is for Stripe.

Small, stateful and honest to YooKassa's published API (https://yookassa.ru/developers/api),
so that code working against it works against YooKassa: the official `yookassa` SDK talks
to it unchanged, only `api_url` differs. It keeps payments (redirect confirmation to a card
form with YooKassa's test cards and 3-D Secure, SBP by QR link), refunds, 54-FZ receipts and
idempotence keys, sends notifications, and gives the tests a clock and other controls.

    python -m devtools.yookassa --port 8430          # see __main__.py
    devtools.yookassa.launcher.start(port=…)          # from Python: start, wait, stop
"""
