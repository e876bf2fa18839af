"""Messages of Oscar's voucher, offer and range pages that Oscar's own catalogues leave
untranslated in Russian or in Simplified Chinese.

Django reads our catalogue (LOCALE_PATHS) before Oscar's. A message Oscar's catalogue lacks
shows in English on a Russian page, and on a Chinese page in Russian (Django falls back to the
default language: "All Offers" read "Все предложения" on the Chinese offer list). Listed here,
`make messages` puts them in our catalogues, locale/ru.toml and locale/zh_Hans.toml translate
them, and tests/core/test_translations.py keeps them translated. Nothing imports this module;
the list was taken from Oscar 4.2's dashboard/vouchers, offers and ranges (templates, forms,
views) and the offer and voucher models.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

OSCAR_OFFER_MESSAGES = [
    gettext_noop(
        "No other options can be set if you are using a custom condition"
    ),  # apps/dashboard/offers/forms.py
    gettext_noop("Has vouchers?"),  # apps/dashboard/offers/forms.py
    gettext_noop(
        "This can only be changed if it has no vouchers attached to it"
    ),  # apps/dashboard/offers/forms.py
    gettext_noop("Exclusive offers cannot be combined"),  # apps/dashboard/offers/forms.py
    gettext_noop('Is of type "%s"'),  # apps/dashboard/offers/views.py
    gettext_noop("Has vouchers"),  # apps/dashboard/offers/views.py
    gettext_noop("Has no vouchers"),  # apps/dashboard/offers/views.py
    gettext_noop('Voucher code matches "%s"'),  # apps/dashboard/offers/views.py
    gettext_noop("Name, description and type"),  # apps/dashboard/offers/views.py
    gettext_noop(
        "This offer can only be deleted if it has no vouchers attached to it"
    ),  # apps/dashboard/offers/views.py
    gettext_noop("excluded from this range"),  # apps/dashboard/ranges/forms.py
    gettext_noop("added to this range"),  # apps/dashboard/ranges/forms.py
    gettext_noop(
        "The products with SKUs or UPCs matching %(skus)s have already been %(action)s"
    ),  # apps/dashboard/ranges/forms.py
    ngettext_lazy(
        "Removed %d product from excluded list", "Removed %d products from excluded list", 1
    ),  # apps/dashboard/ranges/views.py
    ngettext_lazy(
        "%(num_products)d product has been %(action)s",
        "%(num_products)d products have been %(action)s",
        1,
    ),  # apps/dashboard/ranges/views.py
    gettext_noop(
        'This cannot be used to delete vouchers (currently %s) in this set. You can do that on the <a href="%s">detail</a> page.'  # noqa: E501
    ),  # apps/dashboard/vouchers/forms.py
    gettext_noop("Which offers apply for this voucher?"),  # apps/dashboard/vouchers/forms.py
    gettext_noop("In voucher set?"),  # apps/dashboard/vouchers/forms.py
    gettext_noop("Has offers?"),  # apps/dashboard/vouchers/forms.py
    gettext_noop("Which offers apply for this voucher set?"),  # apps/dashboard/vouchers/forms.py
    gettext_noop(
        "The voucher can only be edited as part of its set"
    ),  # apps/dashboard/vouchers/views.py
    gettext_noop('Code matches "%s"'),  # apps/dashboard/vouchers/views.py
    gettext_noop("Voucher set deleted"),  # apps/dashboard/vouchers/views.py
    gettext_noop("Not in a set"),  # apps/dashboard/vouchers/views.py
    gettext_noop('Name matches "%s"'),  # apps/dashboard/vouchers/views.py
    gettext_noop('Code is "%s"'),  # apps/dashboard/vouchers/views.py
    gettext_noop('Offer name matches "%s"'),  # apps/dashboard/vouchers/views.py
    gettext_noop("Is active"),  # apps/dashboard/vouchers/views.py
    gettext_noop("Is inactive"),  # apps/dashboard/vouchers/views.py
    gettext_noop("In a set"),  # apps/dashboard/vouchers/views.py
    gettext_noop("Has no offers"),  # apps/dashboard/vouchers/views.py
    gettext_noop("Has offers"),  # apps/dashboard/vouchers/views.py
    gettext_noop("Excluded Categories"),  # apps/offer/abstract_models.py
    gettext_noop(
        "Products with these categories are excluded from the range when Includes all products is checked"  # noqa: E501
    ),  # apps/offer/abstract_models.py
    gettext_noop(
        "Select other non-exclusive offers that this offer can be combined with on the same items"
    ),  # apps/offer/abstract_models.py
    gettext_noop(
        "Discount is a fixed amount off of the basket's total"
    ),  # apps/offer/abstract_models.py
    gettext_noop(
        "Fixed product level discount benefits require a product range"
    ),  # apps/offer/abstract_models.py
    gettext_noop(
        "Fixed product level discount benefits require a value"
    ),  # apps/offer/abstract_models.py
    gettext_noop("Count conditions require a product range"),  # apps/offer/abstract_models.py
    gettext_noop("Count conditions require a value"),  # apps/offer/abstract_models.py
    gettext_noop("Value conditions require a product range"),  # apps/offer/abstract_models.py
    gettext_noop("Value conditions require a value"),  # apps/offer/abstract_models.py
    gettext_noop("Coverage conditions require a product range"),  # apps/offer/abstract_models.py
    gettext_noop("Coverage conditions require a value"),  # apps/offer/abstract_models.py
    gettext_noop("Fixed unit discount benefit"),  # apps/offer/benefits.py
    gettext_noop("Fixed unit discount benefits"),  # apps/offer/benefits.py
    gettext_noop(
        '\n        Ranges can be created and edited from within the <a href="%(range_list_url)s" target="_blank">range dashboard</a>.\n        '  # noqa: E501
    ),  # templates/oscar/dashboard/offers/benefit_form.html
    gettext_noop("Num of vouchers"),  # templates/oscar/dashboard/offers/offer_detail.html
    gettext_noop("Attached vouchers"),  # templates/oscar/dashboard/offers/offer_detail.html
    gettext_noop(
        "No vouchers are attached to this offer."
    ),  # templates/oscar/dashboard/offers/offer_detail.html
    gettext_noop("Offer Search Results"),  # templates/oscar/dashboard/offers/offer_list.html
    gettext_noop("All Offers"),  # templates/oscar/dashboard/offers/offer_list.html
    gettext_noop("Offer type"),  # templates/oscar/dashboard/offers/offer_list.html
    gettext_noop("1. Name, description and type"),  # templates/oscar/dashboard/offers/progress.html
    ngettext_lazy(
        "\n                <strong>%(n)s</strong> product has been %(action)s\n            ",
        "\n                <strong>%(n)s</strong> products have been %(action)s\n            ",
        1,
    ),  # templates/oscar/dashboard/ranges/messages/range_products_saved.html
    gettext_noop("Exclude products"),  # templates/oscar/dashboard/ranges/range_product_list.html
    gettext_noop(
        "Remove selected excluded products"
    ),  # templates/oscar/dashboard/ranges/range_product_list.html
    gettext_noop(
        "Products excluded from Range"
    ),  # templates/oscar/dashboard/ranges/range_product_list.html
    gettext_noop(
        "Products excluded from range"
    ),  # templates/oscar/dashboard/ranges/range_product_list.html
    gettext_noop(
        "Number of offers"
    ),  # templates/oscar/dashboard/vouchers/partials/voucher_details_table.html
    gettext_noop(
        "Delete voucher '%(code)s'?"
    ),  # templates/oscar/dashboard/vouchers/voucher_delete.html
    gettext_noop(
        "Delete voucher '%(code)s' from set?"
    ),  # templates/oscar/dashboard/vouchers/voucher_delete.html
    gettext_noop("Edit set"),  # templates/oscar/dashboard/vouchers/voucher_detail.html
    gettext_noop("Delete from set"),  # templates/oscar/dashboard/vouchers/voucher_detail.html
    gettext_noop("Attached offers"),  # templates/oscar/dashboard/vouchers/voucher_detail.html
    gettext_noop(
        "No offers are attached to this voucher."
    ),  # templates/oscar/dashboard/vouchers/voucher_detail.html
    gettext_noop("Voucher Search Results"),  # templates/oscar/dashboard/vouchers/voucher_list.html
    gettext_noop("All Vouchers"),  # templates/oscar/dashboard/vouchers/voucher_list.html
    gettext_noop("Num Offers"),  # templates/oscar/dashboard/vouchers/voucher_list.html
    gettext_noop("Set"),  # templates/oscar/dashboard/vouchers/voucher_list.html
    gettext_noop(
        "Delete voucher set '%(name)s' and its %(count)s vouchers?"
    ),  # templates/oscar/dashboard/vouchers/voucher_set_delete.html
    gettext_noop(
        "Voucher set details"
    ),  # templates/oscar/dashboard/vouchers/voucher_set_delete.html
    gettext_noop(
        "Delete voucher set '%(name)s'?"
    ),  # templates/oscar/dashboard/vouchers/voucher_set_delete.html
    gettext_noop(
        "No offers are attached to this voucher set."
    ),  # templates/oscar/dashboard/vouchers/voucher_set_detail.html
    gettext_noop("Search vouchers"),  # templates/oscar/dashboard/vouchers/voucher_set_detail.html
    gettext_noop("Edit voucher set"),  # templates/oscar/dashboard/vouchers/voucher_set_form.html
    gettext_noop("Num offers"),  # templates/oscar/dashboard/vouchers/voucher_set_list.html
    gettext_noop("Detail"),  # templates/oscar/dashboard/vouchers/voucher_set_list.html
    gettext_noop(
        "No voucher sets found."
    ),  # templates/oscar/dashboard/vouchers/voucher_set_list.html
]

# Oscar's own translations of these that say something else: the Russian "Delete offer" reads
# "delete the order", the Chinese "Max user applications" reads "most user apps", "Times on
# orders" reads "order time"; ours win.
OSCAR_OFFER_MESSAGES_RETRANSLATED = [
    gettext_noop("Delete offer"),
    gettext_noop("Suspend offer"),
    gettext_noop("Are you sure you want to delete this offer?"),
    gettext_noop("Offer summary"),
    gettext_noop("Number of New SKUs"),
    gettext_noop("There are more than one product with SKU %s"),
    gettext_noop("Voucher set"),
    gettext_noop("Max global applications"),
    gettext_noop("Max user applications"),
    gettext_noop("Max basket applications"),
    gettext_noop("Times on orders"),
    gettext_noop("Conditional offer"),
    gettext_noop("Fixed price benefit"),
    gettext_noop("Num products"),
    gettext_noop("Products in Range"),
    gettext_noop("Products in range"),
    gettext_noop("Voucher Application"),
    gettext_noop("Voucher Applications"),
    gettext_noop("'%(voucher)s' used by '%(user)s'"),
    gettext_noop("Exclusive offer"),
]
