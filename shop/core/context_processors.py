def site_chrome(request):
    """The menus edited in Wagtail's Navigation settings (cms/navigation.py)."""
    from django.utils.functional import SimpleLazyObject

    from cms.navigation import site_menus

    def main():
        path = request.path
        return [
            {**item, "active": "?" not in item["url"] and path == item["url"]}
            for item in site_menus(request)["main"]
        ]

    menus = SimpleLazyObject(lambda: site_menus(request))
    return {"nav_items": SimpleLazyObject(main), "site_menus": menus}


def storefront_version(request):
    """The versions cached fragments are keyed by (shop/core/freshness.py): a fragment keyed
    by `catalogue_version` changes with any product; one showing a single product uses the
    `family_version` filter instead."""
    from django.utils.functional import SimpleLazyObject

    from shop.core.freshness import content_version, listing_version

    return {
        "catalogue_version": SimpleLazyObject(listing_version),
        "content_version": SimpleLazyObject(content_version),
    }
