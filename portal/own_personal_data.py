"""The ground floor's own models in the personal-data registry (portal.personal_data, which is the registry
itself): the organisation's contact details, the audit log and the stored documents. Registered from
PortalConfig.ready()."""

from .models import AuditEvent, CounsellingService, Document, Municipality
from .personal_data import PersonalData

THE_SERVICES_OWN = "The service's own contact details, printed on its letters."

DECLARATIONS = (
    PersonalData(model=Municipality, kept={"name": "The municipality's name."}),
    PersonalData(
        model=CounsellingService,
        kept={
            "name": "The service's name.",
            "unit_name": "The unit's name, as the service's letters and pages print it.",
            "neutral_name": "The service's neutral sender name for reminders and e-mail subjects: no person's.",
            "phone": THE_SERVICES_OWN,
            "email": THE_SERVICES_OWN,
            "street_address": THE_SERVICES_OWN,
            "postal_code": THE_SERVICES_OWN,
            "postal_town": THE_SERVICES_OWN,
        },
    ),
    # The audit log is append-only (model, admin and a database trigger refuse a change), so retention leaves it
    # as it is; the person's own share of it is in their export as the access log (privacy.access_log).
    PersonalData(
        model=AuditEvent,
        kept={
            "actor_label": "The staff member's name at the time: staff, not the data subject.",
            "object_repr": "The object's name at the time (a police reference, a person's name on an intake look-up).",
            "person_id": "The person by id, a plain integer that neither blocks nor follows their anonymisation.",
            "reason": "Why staff read or changed it (break-the-glass, legal hold): the log's point.",
            "extra": "Details of the change: ids, counts and user names.",
        },
    ),
    # A document's bytes are the letter or report a case's row names through its file field: each app declares
    # that field in its `files`, and retention deletes the document through the storage with the case.
    PersonalData(
        model=Document,
        kept={
            "name": "The name the app gave it: kind and ids, never a person's name (see the upload_to functions).",
            "content": "Deleted with its case through the file field that names it (each app's `files`).",
        },
    ),
)
