"""The fee letters name the unit as the service configures it (the law's name unless the service says otherwise)."""

from fees import services
from fees.models import FeeLetter
from tests.counselling.conftest import pdf_text


def text_of(letter) -> str:
    return " ".join(pdf_text(letter.pdf).replace("\xa0", " ").split())


def test_the_advance_notice_names_the_unit_as_the_service_configures_it(proposed, fee_officer):
    service = proposed.referral.service
    service.unit_name = "rådgivende enhet for russaker i Bydel Sagene"
    service.save()
    services.fee_case_send_notice(actor=fee_officer, fee_case=proposed)
    text = text_of(FeeLetter.objects.get(fee_case=proposed, kind="advance_notice"))
    assert "Rådgivende enhet for russaker i Bydel Sagene" in text


def test_by_default_the_letters_use_the_laws_name_for_the_unit(proposed, fee_officer):
    services.fee_case_send_notice(actor=fee_officer, fee_case=proposed)
    text = text_of(FeeLetter.objects.get(fee_case=proposed, kind="advance_notice"))
    assert "Rådgivende enhet for russaker" in text
