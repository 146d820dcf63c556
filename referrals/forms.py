"""Forms parse what staff type; the rules that decide stay in referrals.services."""

import datetime
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.forms import DateField
from portal.models import Municipality
from portal.phone import normalise_phone
from portal.selectors import staff_name

from .identity import normalise_national_id
from .models import (
    FIRST_NAME_LENGTH,
    GUARDIAN_NAME_LENGTH,
    LAST_NAME_LENGTH,
    POLICE_REFERENCE_LENGTH,
    Language,
    PoliceDistrict,
    Route,
    Substance,
    Unit,
)
from .services import GuardianDetails, PersonDetails, ReferralDetails
from .thresholds import parse_quantity


class AssignForm(forms.Form):
    counsellor = forms.TypedChoiceField(label=_("Counsellor"), coerce=int)

    def __init__(self, *args, counsellors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counsellor"].choices = [("", "---------")] + [(m.user_id, staff_name(m.user)) for m in counsellors]


class PhoneField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}))
        super().__init__(label=_("Mobile phone"), max_length=30, required=False, **kwargs)

    def clean(self, value):
        return normalise_phone(super().clean(value))


def postal_code_cleaned(value: str) -> str:
    code = value.strip()
    if code and not (len(code) == 4 and code.isdigit()):
        raise ValidationError(_("A Norwegian postal code has four digits."))
    return code


def municipality_label(municipality) -> str:
    """How a municipality is shown and typed: "0301 Oslo"."""
    return f"{municipality.number} {municipality.name}"


class MunicipalityInput(forms.TextInput):
    """A text box that suggests the municipalities as one types (a <datalist>): "Oslo" or "0301" both offer
    "0301 Oslo". A <select> of 357 numbered names finds nothing when one types a name."""

    template_name = "referrals/widgets/municipality.html"

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", "spellcheck": "false", **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["attrs"]["list"] = f"{widget['attrs'].get('id', name)}-options"
        # ModelChoiceField hands its choices to the widget; the empty choice is no suggestion.
        widget["suggestions"] = [label for value, label in getattr(self, "choices", ()) if value != ""]
        return context


class MunicipalityField(forms.ModelChoiceField):
    """A municipality in force, typed as "0301 Oslo", "0301" or "Oslo"."""

    widget = MunicipalityInput
    default_error_messages = {
        "invalid_choice": _('Choose a municipality from the suggestions, e.g. "0301 Oslo".'),
    }

    def __init__(self, **kwargs):
        super().__init__(queryset=None, **kwargs)

    def label_from_instance(self, obj) -> str:
        return municipality_label(obj)

    def prepare_value(self, value):
        if isinstance(value, Municipality):
            return municipality_label(value)
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = " ".join(str(value).split())
        if len(text) > 120 or "\x00" in text:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        number, _space, name = text.partition(" ")
        if len(number) == 4 and number.isdigit():
            matches = self.queryset.filter(number=number)
            if name:
                matches = matches.filter(name__iexact=name)
        else:
            matches = self.queryset.filter(name__iexact=text)
        found = list(matches[:2])
        if len(found) != 1:  # none, or a name two municipalities share: the number tells them apart
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return found[0]


class IntakeForm(forms.Form):
    """The person and the police's referral. Guardians and seized substances are formsets beside it."""

    national_id = forms.CharField(
        label=_("National identity number"),
        max_length=13,
        help_text=_("Fødselsnummer or D-number, 11 digits."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    first_name = forms.CharField(label=_("First name"), max_length=FIRST_NAME_LENGTH)
    last_name = forms.CharField(label=_("Last name"), max_length=LAST_NAME_LENGTH)
    date_of_birth = DateField(
        label=_("Date of birth"),
        required=False,
        help_text=_("Taken from the national identity number when it can be."),
    )
    phone = PhoneField()
    email = forms.EmailField(label=_("Email"), required=False)
    street_address = forms.CharField(label=_("Street address"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=4, required=False)
    postal_town = forms.CharField(label=_("Postal town"), max_length=100, required=False)
    municipality = MunicipalityField(label=_("Municipality of residence"), required=False)
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=Language.choices, initial=Language.NB)

    service = forms.ModelChoiceField(
        label=_("Counselling service"),
        queryset=None,
        empty_label=None,
        help_text=_("Suggested from the municipality of residence."),
    )
    route = forms.ChoiceField(label=_("Route"), choices=Route.choices, widget=forms.RadioSelect)
    police_district = forms.ChoiceField(label=_("Police district"), choices=PoliceDistrict.choices)
    police_reference = forms.CharField(label=_("Police reference"), max_length=POLICE_REFERENCE_LENGTH)
    incident_date = DateField(label=_("Incident date"))
    decision_date = DateField(label=_("Date of the order or decision"))
    attendance_deadline = DateField(label=_("Attendance deadline"))
    assign_to_me = forms.BooleanField(
        label=_("Assign the case to me"),
        required=False,
        help_text=_("Untick to leave the case for the lead to assign."),
    )
    seizure_unknown = forms.BooleanField(
        label=_("The seizure is not known to the service"),
        required=False,
        help_text=_("Only for a condition set by the prosecution; an order to attend needs the seizure."),
    )

    def __init__(self, *args, services, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services
        self.fields["municipality"].queryset = municipalities

    def clean_national_id(self):
        return normalise_national_id(self.cleaned_data["national_id"])

    def clean_postal_code(self):
        return postal_code_cleaned(self.cleaned_data["postal_code"])


class GuardianContactForm(forms.Form):
    """A guardian's contact details as corrected on the case page (referrals.services.case_contact_details_update
    checks them as the intake does)."""

    phone = PhoneField()
    email = forms.EmailField(label=_("Email"), required=False)
    street_address = forms.CharField(label=_("Street address"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=4, required=False)
    postal_town = forms.CharField(label=_("Postal town"), max_length=100, required=False)

    def clean_postal_code(self):
        return postal_code_cleaned(self.cleaned_data["postal_code"])


class GuardianForm(GuardianContactForm):
    """A guardian registered at intake: who they are, and their contact details."""

    name = forms.CharField(label=_("Name"), max_length=GUARDIAN_NAME_LENGTH)
    relation = forms.CharField(label=_("Relation"), max_length=60, help_text=_("E.g. mother, father."))

    field_order = ["name", "relation"]


class PersonContactForm(GuardianContactForm):
    municipality = MunicipalityField(label=_("Municipality of residence"), required=False)
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=Language.choices)

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities


def substance_choices():
    return [("", "---------")] + [
        (s.code, f"{s.name} ({Unit(s.unit).label})") for s in Substance.objects.order_by("name_nb")
    ]


class SeizedSubstanceForm(forms.Form):
    substance = forms.ChoiceField(label=_("Substance"), choices=substance_choices)
    quantity = forms.DecimalField(
        label=_("Quantity"), max_digits=12, decimal_places=4, localize=True, widget=forms.TextInput
    )
    # A blank first choice, so that an untouched row posts nothing and is skipped.
    unit = forms.ChoiceField(label=_("Unit"), choices=[("", "---------"), *Unit.choices])

    def clean_quantity(self):
        return parse_quantity(self.cleaned_data["quantity"])


class RowFormSet(forms.BaseFormSet):
    """Rows added and removed in the browser; a removed row leaves a gap in the numbering, which is fine
    because an untouched row is skipped."""

    def filled(self) -> list[dict]:
        return [form.cleaned_data for form in self.forms if form.cleaned_data]

    def add_error(self, messages):
        self.non_form_errors().extend(messages)


GuardianFormSet = forms.formset_factory(GuardianForm, formset=RowFormSet, extra=1, max_num=6, validate_max=True)
SeizedFormSet = forms.formset_factory(SeizedSubstanceForm, formset=RowFormSet, extra=1, max_num=10, validate_max=True)


class ClassificationPreviewForm(forms.Form):
    incident_date = DateField(required=False)


def intake_details(form: IntakeForm, guardians: RowFormSet, seized: RowFormSet):
    """The service's input from valid forms."""
    data = form.cleaned_data
    person = PersonDetails(
        national_id=data["national_id"],
        first_name=data["first_name"],
        last_name=data["last_name"],
        date_of_birth=data["date_of_birth"],
        phone=data["phone"],
        email=data["email"],
        street_address=data["street_address"],
        postal_code=data["postal_code"],
        postal_town=data["postal_town"],
        municipality=data["municipality"],
        preferred_language=data["preferred_language"],
    )
    details = ReferralDetails(
        route=data["route"],
        police_district=data["police_district"],
        police_reference=data["police_reference"],
        incident_date=data["incident_date"],
        decision_date=data["decision_date"],
        attendance_deadline=data["attendance_deadline"],
        seizure_unknown=data["seizure_unknown"],
        seized=[] if data["seizure_unknown"] else [(r["substance"], r["quantity"], r["unit"]) for r in seized.filled()],
        guardians=[GuardianDetails(**row) for row in guardians.filled()],
    )
    return person, details


def intake_errors_show(error: ValidationError, form: IntakeForm, guardians: RowFormSet, seized: RowFormSet) -> None:
    """Put the service's field-keyed refusal beside the fields it names."""
    for name, messages in error.message_dict.items():
        if name == "guardians":
            guardians.add_error(messages)
        elif name == "seized":
            seized.add_error(messages)
        elif name in form.fields:
            form.add_error(name, messages)
        else:
            form.add_error(None, messages)


def intake_initial(today: datetime.date | None = None) -> dict:
    return {"decision_date": today or timezone.localdate()}


class CaseSearchForm(forms.Form):
    """The top bar's search: posted, so that a national ID never lands in a URL or a server log."""

    q = forms.CharField(
        label=_("Search cases"),
        max_length=100,
        help_text=_("A name, a police reference or a national ID."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}),
    )
    page = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)

    def clean_q(self):
        text = " ".join(self.cleaned_data["q"].split())
        if any(unicodedata.category(character).startswith("C") for character in text):
            raise ValidationError(_("Search with letters, digits, spaces and hyphens only."), code="control_character")
        return text
