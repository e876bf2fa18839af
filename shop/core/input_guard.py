"""No NUL character reaches a view: PostgreSQL refuses NUL in text, so a view that passed one
to the database unchecked (Oscar's dashboard searches did) answered 500.

- In a query string NUL characters are dropped (a search for "нерпа\\x00" is one for
  "нерпа"); no page of this site means anything by one.
- An address holding one names no page: 404.
- A plain form holding one is refused with 400 (templates/400.html says so in the visitor's
  language); Django's form fields already refuse NUL in multipart forms.
"""

from django.core.exceptions import BadRequest
from django.http import Http404


def _has_nul(data) -> bool:
    return any("\x00" in value for _name, values in data.lists() for value in values)


class RefuseNulMiddleware:
    """After the basket middleware, so that the 400 and 404 pages have the site's header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            raise Http404("NUL in the address")
        if _has_nul(request.GET):
            cleaned = request.GET.copy()
            for name, values in request.GET.lists():
                cleaned.setlist(name, [value.replace("\x00", "") for value in values])
            cleaned._mutable = False
            request.GET = cleaned
        # Only a plain form: reading a multipart one here would keep the view from its raw
        # body (Django reads the stream once).
        urlencoded = request.content_type == "application/x-www-form-urlencoded"
        if request.method == "POST" and urlencoded and _has_nul(request.POST):
            raise BadRequest("NUL in the form")
        return self.get_response(request)
