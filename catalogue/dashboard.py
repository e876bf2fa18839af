"""The dashboard's product form with the product's translations in it.

Oscar's product form edits the Russian texts only; the other languages lived in a table of
their own, so a new product showed Russian on /en/ and /zh-hans/ until someone found it
there. Here the same form has a "Translations" tab with the title, description and search
description in every other language of settings.LANGUAGES, saved with the product (a blank
language falls back to Russian, as before).

The form is Oscar's view with one more "formset"; it is routed at Oscar's own addresses, in
front of Oscar's patterns (shop/urls.py), behind the same permission checks (the dashboard
app's `post_process_urls`).
"""

from django import forms
from django.apps import apps
from django.urls import path, re_path
from oscar.core.loading import get_class, get_model

from catalogue.translation import translation_languages

ProductTranslation = get_model("catalogue", "ProductTranslation")
OscarProductCreateUpdateView = get_class("dashboard.catalogue.views", "ProductCreateUpdateView")

TRANSLATED = ["title", "description", "meta_description"]


class ProductTranslationForm(forms.ModelForm):
    class Meta:
        model = ProductTranslation
        fields = TRANSLATED
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "meta_description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, language_name="", **kwargs):
        super().__init__(*args, **kwargs)
        self.language_name = language_name
        for field in self.fields.values():
            field.label = f"{field.label} ({language_name})"


class ProductTranslationForms:
    """One form per language, with the interface Oscar's view expects of a formset."""

    def __init__(self, product_class, user, data=None, files=None, instance=None):
        self.instance = instance
        rows = {}
        if instance is not None and instance.pk:
            rows = {row.language: row for row in instance.translations.all()}
        self.forms = [
            ProductTranslationForm(
                data,
                instance=rows.get(code) or ProductTranslation(language=code),
                prefix=f"translation-{code}",
                language_name=name,
            )
            for code, name in translation_languages()
        ]

    def __iter__(self):
        return iter(self.forms)

    def is_valid(self) -> bool:
        return all(form.is_valid() for form in self.forms)

    @property
    def errors(self) -> bool:
        return any(form.errors for form in self.forms)

    def save(self) -> None:
        for form in self.forms:
            entry = form.save(commit=False)
            if not entry.pk and not any(getattr(entry, name) for name in TRANSLATED):
                continue  # nothing written in this language: it falls back to Russian
            entry.product = self.instance
            entry.save()


class ProductCreateUpdateView(OscarProductCreateUpdateView):
    translation_formset = ProductTranslationForms

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.formsets["translation_formset"] = self.translation_formset


def urlpatterns():
    view = ProductCreateUpdateView.as_view()
    config = apps.get_app_config("catalogue_dashboard")
    return config.post_process_urls(
        [
            path("products/<int:pk>/", view, name="catalogue-product"),
            re_path(
                r"^products/create/(?P<product_class_slug>[\w-]+)/$",
                view,
                name="catalogue-product-create",
            ),
            path(
                "products/<int:parent_pk>/create-variant/",
                view,
                name="catalogue-product-create-child",
            ),
        ]
    )
