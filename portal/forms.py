from django import forms
from django.contrib.auth.forms import AuthenticationForm


class DateInput(forms.DateInput):
    """The browser's date picker; the value travels as YYYY-MM-DD whatever the page's language."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class LoginForm(AuthenticationForm):
    """Django's login form; the username field gets focus and browser autocomplete hints."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})
