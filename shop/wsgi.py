import os
import sys

from django.core.wsgi import get_wsgi_application

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
