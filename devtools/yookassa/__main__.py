"""Run the local YooKassa API server on 127.0.0.1:

    python -m devtools.yookassa --port 8430 --shop-id 100500 --secret-key test_secret \
        --notify-url http://127.0.0.1:8000/shop/payments/yookassa/notifications/ \
        --store var/yookassa.json

Point the SDK at it with
`Configuration.configure(shop_id, secret_key, api_url="http://127.0.0.1:8430/v3")`.
"""

import argparse
import logging
from pathlib import Path

from aiohttp import web

from .app import make_app
from .config import Config


def main(argv=None) -> None:
    defaults = Config()
    parser = argparse.ArgumentParser(
        prog="python -m devtools.yookassa", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--port", type=int, default=8430)
    parser.add_argument("--shop-id", default=defaults.shop_id)
    parser.add_argument("--secret-key", default=defaults.secret_key)
    parser.add_argument("--notify-url", default="", help="where to POST notifications")
    parser.add_argument(
        "--public-url",
        default="",
        help="base of confirmation links (default http://127.0.0.1:PORT)",
    )
    parser.add_argument("--store", type=Path, default=None, help="keep the state in this JSON file")
    parser.add_argument(
        "--confirmation-ttl", type=float, default=defaults.confirmation_ttl, help="seconds"
    )
    parser.add_argument(
        "--authorization-ttl", type=float, default=defaults.authorization_ttl, help="seconds"
    )
    parser.add_argument(
        "--receipt-delay", type=float, default=defaults.receipt_delay, help="seconds"
    )
    parser.add_argument("--retry-base", type=float, default=defaults.retry_base, help="seconds")
    parser.add_argument(
        "--receipts-optional",
        action="store_true",
        help="accept payments and refunds without a 54-FZ receipt",
    )
    args = parser.parse_args(argv)
    config = Config(
        shop_id=args.shop_id,
        secret_key=args.secret_key,
        notify_url=args.notify_url,
        public_url=(args.public_url or f"http://127.0.0.1:{args.port}").rstrip("/"),
        confirmation_ttl=args.confirmation_ttl,
        authorization_ttl=args.authorization_ttl,
        receipt_delay=args.receipt_delay,
        retry_base=args.retry_base,
        require_receipt=not args.receipts_optional,
    )
    logging.basicConfig(level=logging.WARNING, format="yookassa: %(levelname)s %(message)s")
    # Loopback only: the card form and the controls have no authentication.
    web.run_app(
        make_app(config, store=args.store),
        host="127.0.0.1",
        port=args.port,
        print=None,
        access_log=None,
    )


if __name__ == "__main__":
    main()
