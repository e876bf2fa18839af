"""The basket's pictures: sized in the page (nothing moves when they arrive) and sharp on a
phone's screen (a source of twice the pixels for screens that have them)."""

import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from oscar.core.loading import get_model
from PIL import Image

from tests.checkout.helpers import basket_for, gingerbread

pytestmark = [pytest.mark.django_db]


def png(width: int, height: int) -> ContentFile:
    data = io.BytesIO()
    Image.new("RGB", (width, height), (180, 90, 40)).save(data, format="PNG")
    return ContentFile(data.getvalue(), name="nerpa.png")


def pixels(url: str) -> tuple[int, int]:
    name = url.removeprefix("/media/")
    with default_storage.open(name) as file:
        return Image.open(file).size


def test_a_basket_line_shows_a_sized_picture_with_a_sharper_one_for_dense_screens(
    client, django_user_model
):
    product = gingerbread(title="Пряник «Нерпа»")
    get_model("catalogue", "ProductImage").objects.create(product=product, original=png(600, 400))
    user = django_user_model.objects.create_user(username="anna", email="anna@example.com")
    basket_for(user, products=[product])
    client.force_login(user)

    html = client.get("/shop/basket/").content.decode()

    tag = re.search(r'<img class="img-thumbnail[^>]*>', html).group(0)
    src = re.search(r' src="([^"]+)"', tag).group(1)
    sharp = re.search(r' srcset="([^"]+) 2x"', tag).group(1)
    width, height = (
        int(re.search(rf' {name}="(\d+)"', tag).group(1)) for name in ("width", "height")
    )
    assert pixels(src) == (width, height) == (100, 67)
    assert pixels(sharp) == (200, 133)
