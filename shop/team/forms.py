from django import forms
from django.utils.translation import gettext_lazy as _

from shop.team.models import Stage


class StepForm(forms.Form):
    stage = forms.ChoiceField(choices=Stage.choices)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=64, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=255)
