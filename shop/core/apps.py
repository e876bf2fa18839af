from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_groups(sender, **kwargs):
    from shop.core.roles import roles_ensure_groups

    roles_ensure_groups()


class CoreConfig(AppConfig):
    name = "shop.core"
    label = "shopcore"
    verbose_name = _("Site core")

    def ready(self):
        # Sent once per app: run after the last one so every permission exists.
        post_migrate.connect(_ensure_groups, dispatch_uid="shop.core.ensure_groups")
