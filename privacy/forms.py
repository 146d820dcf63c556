from django import forms
from django.utils.translation import gettext_lazy as _

from .break_glass import REASON_MIN_LENGTH


class BreakTheGlassForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to open this case?"),
        min_length=REASON_MIN_LENGTH,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The reason is logged and shown to the service lead."),
    )
