"""The privacy app's personal data (portal.personal_data): the reasons given for break-the-glass access.
Registered from PrivacyConfig.ready()."""

from portal.personal_data import PersonalData

from .models import BreakTheGlassAccess

DECLARATIONS = (
    PersonalData(
        model=BreakTheGlassAccess,
        belongs_to="referral",
        kept={
            "reason": (
                "Why a counsellor opened a case not theirs, for the lead to follow up. The same reason is in the"
                " append-only audit log, and so in the person's export as their access log."
            )
        },
    ),
)
