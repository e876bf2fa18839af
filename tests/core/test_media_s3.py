"""Media on S3-compatible storage as production configures it (MEDIA_S3_*), against a real S3
API on loopback (moto's server, standing in for the bucket a host provides): uploaded images
and their renditions land in the bucket and are served from the addresses the pages show."""

import json

import boto3
import pytest
import requests
from oscar.core.loading import get_model
from wagtail.images import get_image_model

from bench.rush import free_port
from tests.core.test_settings import PAYMENT_KEYS, PG_URL, _load_settings
from tests.factories import make_gingerbread, png_file

pytestmark = [pytest.mark.django_db]

BUCKET = "baikal-media"
KEYS = {"aws_access_key_id": "media-key", "aws_secret_access_key": "media-secret"}
PUBLIC_READ = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{BUCKET}/*",
        }
    ],
}


@pytest.fixture
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    bucket = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **KEYS)
    bucket.create_bucket(Bucket=BUCKET)
    # Pages link the files without signatures (querystring_auth off): everyone may read them,
    # as README's production notes ask of the bucket.
    bucket.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(PUBLIC_READ))
    yield endpoint
    server.stop()


def production_media_storage(endpoint: str) -> dict:
    """STORAGES["default"] as shop.settings.production builds it from the environment."""
    result = _load_settings(
        "shop.settings.production",
        show="__import__('json').dumps(settings.STORAGES['default'])",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="shop.example",
        DATABASE_URL=PG_URL,
        MEDIA_S3_BUCKET=BUCKET,
        MEDIA_S3_ENDPOINT_URL=endpoint,
        MEDIA_S3_REGION="us-east-1",
        MEDIA_S3_ACCESS_KEY_ID=KEYS["aws_access_key_id"],
        MEDIA_S3_SECRET_ACCESS_KEY=KEYS["aws_secret_access_key"],
        **PAYMENT_KEYS,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def served(url: str) -> bytes:
    response = requests.get(url, timeout=10)
    assert response.status_code == 200, url
    return response.content


def test_images_go_to_the_bucket_and_are_served_from_it(s3_endpoint, settings):
    settings.STORAGES = {**settings.STORAGES, "default": production_media_storage(s3_endpoint)}
    bucket = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **KEYS)

    # A Wagtail image and a rendition of it, as a content page shows it.
    image = get_image_model().objects.create(title="Нерпа", file=png_file("nerpa.png"))
    rendition = image.get_rendition("fill-20x20")
    assert image.file.url.startswith(f"{s3_endpoint}/{BUCKET}/")
    assert served(image.file.url).startswith(b"\x89PNG")
    assert served(rendition.url)[:4] in (b"\x89PNG", b"RIFF")  # PNG, or WebP if converted

    # An Oscar product image, as the catalogue shows it.
    product = make_gingerbread(title="Пряник «Нерпа»")
    picture = get_model("catalogue", "ProductImage").objects.create(
        product=product, original=png_file("nerpa.png", colour=(200, 40, 40))
    )
    assert served(picture.original.url).startswith(b"\x89PNG")

    # The same file name twice: two objects, the first one kept.
    again = get_image_model().objects.create(title="Нерпа 2", file=png_file("nerpa.png"))
    assert again.file.name != image.file.name
    keys = {item["Key"] for item in bucket.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert {image.file.name, again.file.name, rendition.file.name, picture.original.name} <= keys
