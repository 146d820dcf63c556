"""Forms of the drug-testing pages: they parse what staff type, the services in services/testing.py decide."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counselling.scheduling.forms import MarksInvalidFields
from portal.forms import DateField, DateTimeField
from portal.selectors import staff_name
from referrals.models import PoliceDistrict

from .models import DrugTestOutcome, ReportingRule, SampleType
from .services.testing import MOST_TESTS


class _Form(MarksInvalidFields, forms.Form):
    """Bootstrap's classes on the inputs the pages draw with scheduling/_field.html; checkboxes and radios are drawn
    by their own templates."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect):
                widget.attrs.setdefault("class", "form-check-input")
                continue
            if isinstance(widget, forms.CheckboxInput) or widget.is_hidden:
                continue
            widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")


class ProgrammeForm(_Form):
    """The prosecution's decision on drug testing, as it is written there."""

    starts_on = DateField(label=_("First day"))
    ends_on = DateField(label=_("Last day"))
    planned_tests = forms.IntegerField(
        label=_("Planned number of tests"),
        min_value=1,
        max_value=MOST_TESTS,
        help_text=_("As the decision sets it; for a frequency, the number it gives over the period."),
    )
    announced = forms.BooleanField(label=_("Announced tests"), required=False, initial=True)
    unannounced = forms.BooleanField(label=_("Unannounced tests (call-ins)"), required=False, initial=True)
    sample_type = forms.ModelChoiceField(label=_("Sample type"), queryset=SampleType.objects.none(), empty_label=None)
    conversation_required = forms.BooleanField(
        label=_("The conversation is also a condition"),
        required=False,
        initial=True,
        help_text=_("Untick when the decision sets drug testing only: the case then ends with the testing."),
    )
    requester = forms.CharField(
        label=_("Requester (prosecution authority)"),
        max_length=200,
        help_text=_("Named on each requisition, e.g. “Oslo politidistrikt, påtaleenheten”."),
    )
    police_district = forms.ChoiceField(label=_("Police district"), choices=PoliceDistrict.choices)
    prosecution_reference = forms.CharField(label=_("Prosecution reference"), max_length=50)
    reporting_rule = forms.ChoiceField(
        label=_("Report to the police"), choices=ReportingRule.choices, widget=forms.RadioSelect
    )
    call_in_by = forms.TimeField(
        label=_("Call-ins: meet before"),
        initial=datetime.time(15, 0),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("The call-in SMS says: come today before this time."),
    )

    def __init__(self, *args, referral=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sample_type"].queryset = SampleType.objects.filter(is_active=True)
        if referral is not None and not self.is_bound:
            self.initial.setdefault("police_district", referral.police_district)
            self.initial.setdefault("reporting_rule", ReportingRule.AT_END)
            self.initial.setdefault("starts_on", timezone.localdate())


class SuggestForm(_Form):
    count = forms.IntegerField(label=_("Number of call-ins"), min_value=1, max_value=MOST_TESTS)


class AnnouncedTestForm(_Form):
    starts_at = DateTimeField(label=_("Time"))
    collector = forms.TypedChoiceField(label=_("Sample collector"), coerce=int)
    location = forms.TypedChoiceField(label=_("Place"), coerce=int)
    override_reason = forms.CharField(
        label=_("Reason the person's own counsellor takes the sample"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only a lead may allow it."),
    )

    def __init__(self, *args, counsellors=(), locations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collector"].choices = [(m.user_id, staff_name(m.user)) for m in counsellors]
        self.fields["location"].choices = [(location.pk, str(location)) for location in locations]


class OutcomeForm(_Form):
    outcome = forms.ChoiceField(label=_("What happened"), choices=DrugTestOutcome.choices, widget=forms.RadioSelect)
    outcome_at = DateTimeField(label=_("When"), required=False, help_text=_("Empty: now."))
    collector = forms.TypedChoiceField(label=_("Sample collector"), coerce=int, required=False)
    identity_checked = forms.BooleanField(label=_("Identity checked"), required=False)
    sampling_observed = forms.BooleanField(label=_("Sampling observed"), required=False)
    sample_sealed = forms.BooleanField(label=_("Sample sealed and labelled in the person's presence"), required=False)
    sample_number = forms.CharField(label=_("Sample or requisition number"), max_length=40, required=False)
    note = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For a valid absence or a test that was not possible. Never sent to the police."),
    )
    override_reason = forms.CharField(
        label=_("Reason the person's own counsellor took the sample"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only a lead may allow it."),
    )

    def __init__(self, *args, counsellors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collector"].choices = [("", "—")] + [(m.user_id, staff_name(m.user)) for m in counsellors]


class CancelTestForm(_Form):
    reason = forms.CharField(label=_("Reason for the cancellation"), widget=forms.Textarea(attrs={"rows": 2}))


class LabResultForm(_Form):
    result = forms.CharField(
        label=_("Result as the police shared it"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Confidential: seen only by the case's counsellor and the lead, never in a report."),
    )
    shared_on = DateField(label=_("Shared by the police on"), initial=timezone.localdate)
