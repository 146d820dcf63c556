"""Forms parse what fee officers type; fees.services decides."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counselling.scheduling.forms import LetterDispatchForm, LetterReceiptForm  # noqa: F401 - fees.views uses both
from portal.forms import DateField

from .models import AppealOutcome, FeeOutcome


def date_field(label, **kwargs):
    return DateField(label=label, initial=timezone.localdate, **kwargs)


def text_field(label, *, rows=3, required=True, help_text=""):
    return forms.CharField(
        label=label, required=required, help_text=help_text, widget=forms.Textarea(attrs={"rows": rows})
    )


class ConfirmForm(forms.Form):
    """A step that needs nothing typed: the button is the decision."""


class AnswerForm(forms.Form):
    received_on = date_field(_("Answer received"))
    valid_reason = text_field(_("The person's reason for not attending"), required=False)
    situation = text_field(_("The person's account of finances and life situation"), required=False)


class HardshipForm(forms.Form):
    financial_situation = text_field(_("Financial situation"), help_text=_("Income, expenses, debt, as assessed."))
    life_situation = text_field(
        _("Life situation"), help_text=_("Health, housing, dependants, school or work, as assessed.")
    )
    persons_account = text_field(_("The person's own account"), required=False)
    reasoning = text_field(
        _("Assessment"), rows=4, help_text=_("Why a fee would or would not be unreasonably burdensome.")
    )
    unreasonably_burdensome = forms.TypedChoiceField(
        label=_("Would a fee be unreasonably burdensome?"),
        choices=[("yes", _("Yes: waive the fee")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=FeeOutcome.choices, widget=forms.RadioSelect)
    reasons = text_field(
        _("Reasons"),
        rows=5,
        help_text=_("The facts, and why a fee is or is not unreasonably burdensome. Printed in the decision letter."),
    )


class AppealForm(forms.Form):
    received_on = date_field(_("Appeal received"))
    grounds = text_field(_("Grounds of appeal"))


class LateAppealForm(forms.Form):
    received_on = date_field(
        _("Late appeal received"),
        help_text=_("An appeal that came after the appeal deadline (forvaltningsloven § 31)."),
    )
    grounds = text_field(_("Grounds of appeal"))


class ConsiderLateAppealForm(forms.Form):
    reasons = text_field(
        _("Why the late appeal is considered"),
        help_text=_(
            "The person can hardly be blamed for the delay, or there are special reasons (forvaltningsloven § 31). "
            "Collection waits until the appeal is concluded."
        ),
    )


class RejectLateAppealForm(forms.Form):
    reasons = text_field(
        _("Why the late appeal is rejected"),
        rows=4,
        help_text=_("Printed in the letter to the person. The fee decision stands."),
    )


class ReverseForm(forms.Form):
    reasons = text_field(_("Reasons for reversing the decision"), help_text=_("Printed in the letter to the person."))


class AppealOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("The appeal body decided"),
        choices=[
            (AppealOutcome.UPHELD, AppealOutcome.UPHELD.label),
            (AppealOutcome.PARTLY_ALLOWED, AppealOutcome.PARTLY_ALLOWED.label),
            (AppealOutcome.ALLOWED, AppealOutcome.ALLOWED.label),
        ],
        widget=forms.RadioSelect,
    )
    new_amount = forms.IntegerField(
        label=_("New fee (NOK)"),
        required=False,
        min_value=1,
        help_text=_("Only when the appeal is partly allowed: the lower fee the appeal body set, in whole kroner."),
    )
    decided_on = date_field(_("Date of the appeal body's decision"))
    reasons = text_field(
        _("Summary of the appeal body's reasons"), required=False, help_text=_("Printed in the letter to the person.")
    )


class PaidForm(forms.Form):
    paid_on = date_field(_("Paid on"))


class CancelForm(forms.Form):
    reason = text_field(_("Reason for cancelling"), rows=2)


class CollectionExportForm(forms.Form):
    period_start = DateField(label=_("Final from"))
    period_end = DateField(label=_("Final to"), initial=timezone.localdate)


# How and when a fee letter left: the same forms as the summons's.
LetterSentForm = LetterDispatchForm
