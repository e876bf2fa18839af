"""The site's routes plus two bad ones, for tests/core/test_access_controls.py: a page that
writes on a GET, and a page nobody put in the access table."""

from django.http import HttpResponse
from django.urls import path

from shop.urls import urlpatterns as site


def writes_on_get(request):
    from shop.teaching.models import Period

    Period.objects.create(name="Из ссылки", starts_on="2026-01-01", ends_on="2026-01-31")
    return HttpResponse("ok")


def forgotten(request):
    return HttpResponse("nobody said who may see this")


urlpatterns = [
    path("writes-on-get/", writes_on_get, name="writes-on-get"),
    path("team/forgotten/", forgotten, name="forgotten"),
    *site,
]
