"""The baseline of the speed benchmark (bench/site.py): a bare view that renders a tiny
template through the same middleware as every page."""

from django.shortcuts import render
from django.utils import timezone


def bare(request):
    return render(request, "bench/bare.html", {"now": timezone.now()})
