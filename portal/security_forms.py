"""Forms of the security pages: the second factor, confirming the password, a break-the-glass reason."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .break_glass import REASON_MIN_LENGTH


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "spellcheck": "false"}
        ),
    )


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )


class BreakTheGlassForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to open this case?"),
        min_length=REASON_MIN_LENGTH,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The reason is logged and shown to the service lead."),
    )
