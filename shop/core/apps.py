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


class CoreConfig(AppConfig):
    name = "shop.core"
    label = "shopcore"
    verbose_name = _("Site core")

    def ready(self):
        post_migrate.connect(_ensure_groups, dispatch_uid="shop.core.ensure_groups")
        from shop.core.freshness import connect_signals

        connect_signals()
