"""The site's addresses plus the benchmark's baseline view; used only when BENCH_BASELINE is
set (settings pick this module as ROOT_URLCONF then), so the site never imports bench/.
Media files are served as the front server serves them in production (Lighthouse loads the
pages' images)."""

from django.conf import settings
from django.urls import path, re_path
from django.views.static import serve

from bench.views import bare
from shop.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    path("bench/bare/", bare, name="bench-bare"),
    re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    *site_urlpatterns,
]
