"""Where a request comes from: the visitor's address, behind the proxies we trust.

Behind a reverse proxy REMOTE_ADDR is the proxy's; settings.TRUSTED_PROXIES lists the proxies
whose X-Forwarded-For is believed, and the address is the last one a trusted proxy added.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """The visitor's address: REMOTE_ADDR, or the last address a trusted proxy added; None
    when it is no address at all."""
    address = request.META.get("REMOTE_ADDR") or ""
    trusted = set(settings.TRUSTED_PROXIES)
    if address in trusted:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        for candidate in reversed([a for a in forwarded if a]):
            if candidate not in trusted:
                address = candidate
                break
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def ip_in_networks(address: str | None, networks) -> bool:
    """Whether `address` lies in one of `networks` ("185.71.76.0/27", "127.0.0.1", …)."""
    if address is None:
        return False
    address = ipaddress.ip_address(address)
    for network in networks:
        try:
            if address in ipaddress.ip_network(network, strict=False):
                return True
        except (ValueError, TypeError):
            continue
    return False
