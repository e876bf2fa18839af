from django import forms
from django.utils.translation import gettext_lazy as _

from shop.feedback.models import RATINGS
from shop.feedback.services import MAX_COMMENT


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Your rating"),
        choices=[(str(n), str(n)) for n in reversed(RATINGS)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose from one to five stars.")},
    )
    comment = forms.CharField(
        label=_("What did you like, what could the guides do better?"),
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    author_name = forms.CharField(
        label=_("Sign the review as (optional)"),
        help_text=_("If we publish your review, it shows this name; blank: “a tourist”."),
        required=False,
        max_length=60,
    )
