from django import forms
from django.utils.translation import gettext_lazy as _

from counselling.selectors import staff_name


class AssignForm(forms.Form):
    counsellor = forms.TypedChoiceField(label=_("Counsellor"), coerce=int)

    def __init__(self, *args, counsellors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counsellor"].choices = [(m.user_id, staff_name(m.user)) for m in counsellors]
