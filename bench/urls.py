"""The site's addresses plus the benchmark's baseline view; used only when BENCH_BASELINE is
set (settings pick this module as ROOT_URLCONF then), so the site never imports bench/."""

from django.urls import path

from bench.views import bare
from shop.urls import urlpatterns as site_urlpatterns

urlpatterns = [path("bench/bare/", bare, name="bench-bare"), *site_urlpatterns]
