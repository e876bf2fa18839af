from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_groups(sender, **kwargs):
    from django.apps import apps

    from shop.core.roles import roles_ensure_groups

    # post_migrate is sent once per app; act on the last app with models, when every
    # app's permissions exist.
    last = [config for config in apps.get_app_configs() if config.models_module][-1]
    if sender.label == last.label:
        roles_ensure_groups()


def _ensure_missing_product_image():
    """Oscar links its "no image" picture into MEDIA_ROOT the first time a product without an
    image is shown, without a lock: two processes doing it at once make one of them fail with
    a 500. Each process makes sure of it when it starts instead (a lost race is harmless)."""
    import os

    from django.conf import settings
    from django.contrib.staticfiles.finders import find

    name = getattr(settings, "OSCAR_MISSING_IMAGE_URL", "image_not_found.jpg")
    target = os.path.join(settings.MEDIA_ROOT, name) if settings.MEDIA_ROOT else None
    if not target or os.path.exists(target):
        return
    source = find(f"oscar/img/{name}")
    if source is None:
        return
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if os.path.islink(target):  # a broken link: Oscar would replace it too
            os.unlink(target)
        os.symlink(source, target)
    except OSError:
        pass  # another process made it, or MEDIA_ROOT is read-only: Oscar says so later


class CoreConfig(AppConfig):
    name = "shop.core"
    label = "shopcore"
    verbose_name = _("Site core")

    def ready(self):
        post_migrate.connect(_ensure_groups, dispatch_uid="shop.core.ensure_groups")
        from shop.core import access  # noqa: F401  (registers the access table's check)
        from shop.core.freshness import connect_content_signals, connect_signals
        from shop.core.permission_cache import connect_permission_signals
        from shop.core.table_versions import watch_connections

        connect_signals()
        connect_content_signals()
        connect_permission_signals()
        watch_connections()
        _ensure_missing_product_image()
