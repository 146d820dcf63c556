from django import forms
from django.utils.translation import gettext_lazy as _


class AssignForm(forms.Form):
    counsellor = forms.TypedChoiceField(label=_("Counsellor"), coerce=int)

    def __init__(self, *args, counsellors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counsellor"].choices = [
            (m.user_id, m.user.get_full_name() or m.user.get_username()) for m in counsellors
        ]
