import gc
import os
import sys

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.production")


def _no_server_banner() -> None:
    """gunicorn names itself in a Server header on every response and has no setting to stop
    it; what software answers is nobody's business. Its response drops that line here."""
    from gunicorn.http import wsgi

    if getattr(wsgi.Response, "_without_banner", False):
        return
    default_headers = wsgi.Response.default_headers

    def headers_without_server(self):
        return [line for line in default_headers(self) if not line.startswith("Server:")]

    wsgi.Response.default_headers = headers_without_server
    wsgi.Response._without_banner = True


if "gunicorn" in sys.modules:
    _no_server_banner()

application = get_wsgi_application()
# Every view module is imported now rather than by the first requests.
get_resolver().url_patterns  # noqa: B018

# What Django, Oscar, Wagtail and the views loaded above lives as long as the process: out of the
# collector's way, so that its full collections, which a request's many short-lived objects
# set off, walk only what requests made (a signed-in page: about a fifth less CPU).
gc.freeze()
