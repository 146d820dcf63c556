"""The fees app's personal data (portal.personal_data): fee cases with the person's answers and the service's
assessments, the fee letters, and the collection file. Registered from FeesConfig.ready()."""

from portal.personal_data import ANONYMISED, Anonymise, PersonalData, file_kept, placeholder_unless_empty

from .models import CollectionExport, FeeCase, FeeLetter, FeePolicy

# Free text on fee cases: emptied where the field may be empty, the placeholder where a constraint needs text.
FEE_TEXTS_OPTIONAL = (
    "answer_valid_reason",
    "answer_situation",
    "hardship_financial_situation",
    "hardship_life_situation",
    "hardship_persons_account",
    "appeal_grounds",
    "appeal_outcome_reasons",
)
FEE_TEXTS_REQUIRED = ("hardship_reasoning", "reasons", "cancel_reason", "late_appeal_reasons")


def _fee_case(fee_case: FeeCase) -> dict:
    return {
        "status": fee_case.get_status_display(),
        "amount": fee_case.amount,
        "proposed_at": fee_case.proposed_at,
        "notice_sent_at": fee_case.notice_sent_at,
        "answer_deadline": fee_case.answer_deadline,
        "answer_received_on": fee_case.answer_received_on,
        "answer_valid_reason": fee_case.answer_valid_reason,
        "answer_situation": fee_case.answer_situation,
        "hardship_financial_situation": fee_case.hardship_financial_situation,
        "hardship_life_situation": fee_case.hardship_life_situation,
        "hardship_persons_account": fee_case.hardship_persons_account,
        "hardship_reasoning": fee_case.hardship_reasoning,
        "hardship_unreasonably_burdensome": fee_case.hardship_unreasonably_burdensome,
        "decision": fee_case.get_outcome_display(),
        "decided_amount": fee_case.decided_amount,
        "reasons": fee_case.reasons,
        "decided_at": fee_case.decided_at,
        "appeal_deadline": fee_case.appeal_deadline,
        "payment_due": fee_case.payment_due,
        "appeal_received_on": fee_case.appeal_received_on,
        "appeal_grounds": fee_case.appeal_grounds,
        "late_appeal_considered": fee_case.late_appeal_considered,
        "late_appeal_reasons": fee_case.late_appeal_reasons,
        "appeal_outcome": fee_case.get_appeal_outcome_display(),
        "appeal_amount": fee_case.appeal_amount,
        "appeal_outcome_reasons": fee_case.appeal_outcome_reasons,
        "paid_on": fee_case.paid_on,
        "cancel_reason": fee_case.cancel_reason,
    }


def _fee_letter(letter: FeeLetter) -> dict:
    return {
        "kind": letter.get_kind_display(),
        "recipient": letter.recipient_name,
        "created_at": letter.created_at,
        "file_kept": file_kept(letter.pdf),
    }


DECLARATIONS = (
    PersonalData(
        model=FeeCase,
        belongs_to="referral",
        export_key="fee_cases",
        export=_fee_case,
        anonymise=(
            Anonymise(
                "fee_cases",
                {
                    **dict.fromkeys(FEE_TEXTS_OPTIONAL, ""),
                    # Empty stays empty: a required text is only required once its step is done.
                    **{name: placeholder_unless_empty(name) for name in FEE_TEXTS_REQUIRED},
                },
            ),
        ),
    ),
    PersonalData(
        model=FeeLetter,
        belongs_to="fee_case",
        export_key="letters",
        export=_fee_letter,
        anonymise=(Anonymise("fee_letter_recipients", {"recipient_name": ANONYMISED}),),
        files=("pdf",),
        kept={"guardian": "Points at the guardian's row, which is anonymised with the case."},
    ),
    PersonalData(
        model=FeePolicy,
        kept={
            "payment_instructions": "How and where to pay, the same on every decision of the service.",
            "legal_basis_text": "What the provision allowing the fee says, the same in every letter of the service.",
        },
    ),
    PersonalData(
        model=CollectionExport,
        kept={
            "csv": (
                "The file as sent to collection, listing each debtor's national ID, name and address: the record of"
                " what was claimed. No retention rule covers it yet; it spans many cases."
            )
        },
    ),
)
