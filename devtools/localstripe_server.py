"""Run localstripe (a fake Stripe API and Stripe.js) on 127.0.0.1 only.

localstripe's own command binds every interface and keeps its data in one shared file under
/tmp; this wrapper binds loopback, keeps the data in the file given with --store (or in
memory only), and can register the site's webhook endpoint at start:

    python -m devtools.localstripe_server --port 8420 --store var/localstripe.pickle \
        --webhook-url http://127.0.0.1:8000/shop/payments/stripe/webhook/ \
        --webhook-secret whsec_local
"""

import argparse
import logging
import pickle
from pathlib import Path

from aiohttp import web
from localstripe import resources, server
from localstripe.webhooks import register_webhook


def _use_store(path: Path | None) -> None:
    store = resources.store
    if path is None:
        store.dump_to_disk = lambda: None
        return
    if path.exists():
        try:
            with open(path, "rb") as fh:
                store.update(pickle.load(fh))
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            logging.warning("localstripe: %s is unreadable; starting empty", path)

    def dump_to_disk():
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(dict(store), fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)

    store.dump_to_disk = dump_to_disk


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--webhook-url", default="")
    parser.add_argument("--webhook-secret", default="")
    args = parser.parse_args(argv)
    _use_store(args.store)
    if args.webhook_url:
        register_webhook("site", args.webhook_url, args.webhook_secret, None)
    logging.basicConfig(level=logging.WARNING)
    web.run_app(server.app, host=args.host, port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
