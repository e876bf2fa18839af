"""Pages go compressed to browsers that accept it (GZipMiddleware): a rendered page and one
from the page cache alike, each still with the visitor's own CSRF token, which the site
takes; browsers that do not ask get the page as it is."""

import gzip
import re

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db]

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def gzipped_page(client, url) -> tuple:
    response = client.get(url, headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    return response, gzip.decompress(response.content).decode()


def test_a_page_rendered_and_one_from_the_cache_both_go_compressed(content):
    product = content["gingerbread"]
    url = product.get_absolute_url()
    first, html = gzipped_page(Client(), url)
    assert first["X-Page-Cache"] == "miss" and "Пряник «Нерпа»" in html
    assert len(first.content) < len(html.encode()) / 2

    visitor = Client(enforce_csrf_checks=True)
    second, html = gzipped_page(visitor, url)
    assert second["X-Page-Cache"] == "hit" and "Пряник «Нерпа»" in html
    token = TOKEN.search(html).group(1)
    added = visitor.post(
        f"/shop/basket/add/{product.pk}/", {"quantity": 1, "csrfmiddlewaretoken": token}
    )
    assert added.status_code == 302


def test_a_browser_that_does_not_accept_gzip_gets_the_page_as_it_is(content):
    response = Client().get(content["gingerbread"].get_absolute_url())
    assert not response.has_header("Content-Encoding")
    assert "Пряник «Нерпа»" in response.content.decode()
