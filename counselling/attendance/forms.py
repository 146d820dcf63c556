from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AttendanceOutcome, Need, OnwardService


class AttendanceForm(forms.Form):
    outcome = forms.ChoiceField(label=_("What happened"), choices=AttendanceOutcome.choices, widget=forms.RadioSelect)
    absence_reason = forms.CharField(
        label=_("Reason for the absence"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    guardians = forms.TypedMultipleChoiceField(
        label=_("Guardians who came"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    risk_information_given = forms.BooleanField(label=_("Information about risks was given"), required=False)
    consent = forms.TypedChoiceField(
        label=_("Consent to a needs assessment"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    needs = forms.MultipleChoiceField(
        label=_("Assessed needs"), choices=Need.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    onward_referrals = forms.MultipleChoiceField(
        label=_("Onward referrals"), choices=OnwardService.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    confidential_note = forms.CharField(
        label=_("Confidential note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Seen only by the case's counsellor and the service lead. Never sent to the police."),
    )

    def __init__(self, *args, guardians=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guardians"].choices = [(g.pk, f"{g.name} ({g.relation})") for g in guardians]
        if not guardians:
            del self.fields["guardians"]


class PoliceReportForm(forms.Form):
    """The lead's report under the order route: only with the legal basis for disclosing to the police."""

    legal_basis = forms.CharField(
        label=_("Legal basis for giving the report to the police"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The rule that allows this disclosure, e.g. consent from the person, or the provision of law."),
        error_messages={"required": _("Write the legal basis for giving the report to the police.")},
    )


class RefusalToAttendForm(forms.Form):
    reason = forms.CharField(
        label=_("What the person said"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept by the service. The police are told only that the person did not attend, never why."),
        error_messages={"required": _("Write what the person said, e.g. “Does not want to come, said so by phone.”")},
    )
