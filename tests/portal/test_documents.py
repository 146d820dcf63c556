"""Generated documents live in PostgreSQL beside the rows that name them (portal.storage.DatabaseStorage): written
and rolled back with the row, served by the portal's views from any node, copied in from an older deployment's
MEDIA_ROOT by a command that is safe to run again."""

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from counselling.scheduling.models import Letter
from portal.models import Document
from portal.storage import DatabaseStorage
from tests.factories import LetterFactory, MeetingFactory

PDF = b"%PDF-1.4 innkalling"


def test_every_settings_module_stores_documents_in_the_database():
    from config.settings import base

    assert isinstance(default_storage, DatabaseStorage)
    assert base.STORAGES["default"]["BACKEND"] == "portal.storage.DatabaseStorage"
    production = (settings.BASE_DIR / "config/settings/production.py").read_text()
    assert '"default": {"BACKEND": "portal.storage.DatabaseStorage"}' in production


def test_a_letter_and_its_pdf_are_saved_together_and_nothing_lands_on_the_disk(db, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    letter = LetterFactory(pdf=ContentFile(PDF, "innkalling.pdf"))
    document = Document.objects.get(name=letter.pdf.name)
    assert (bytes(document.content), document.size) == (PDF, len(PDF))
    assert list(tmp_path.iterdir()) == []
    with letter.pdf.open("rb") as handle:
        assert handle.read() == PDF


def test_a_letter_rolled_back_leaves_no_document_behind(db):
    meeting = MeetingFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        LetterFactory(meeting=meeting, pdf=ContentFile(PDF, "innkalling.pdf"))
        assert Document.objects.count() == 1
        raise RuntimeError("the booking failed after the letter was made")
    assert not Letter.objects.exists()
    assert not Document.objects.exists()


def test_the_same_name_twice_gets_a_name_of_its_own(db):
    first = default_storage.save("letters/innkalling.pdf", ContentFile(b"one"))
    second = default_storage.save("letters/innkalling.pdf", ContentFile(b"two"))
    assert first != second
    assert [default_storage.open(name).read() for name in (first, second)] == [b"one", b"two"]
    assert default_storage.listdir("letters") == ([], sorted(name.split("/")[-1] for name in (first, second)))


def test_a_document_has_no_public_address_and_a_missing_one_is_not_found(db):
    with pytest.raises(NotImplementedError):
        default_storage.url("letters/innkalling.pdf")
    with pytest.raises(FileNotFoundError):
        default_storage.open("letters/borte.pdf")
    assert not default_storage.exists("letters/borte.pdf")


def test_a_pdf_streams_with_its_type_and_length_opens_in_the_browser_and_downloads_on_asking(client, lead, service):
    letter = LetterFactory(meeting__referral__service=service, pdf=ContentFile(PDF, "innkalling.pdf"))
    client.force_login(lead)
    url = reverse("scheduling:letter_pdf", args=[service.slug, letter.pk])
    filename = letter.pdf.name.rsplit("/", 1)[-1]
    response = client.get(url)
    assert response.status_code == 200
    assert response.streaming
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(PDF))
    assert response["Content-Disposition"] == f'inline; filename="{filename}"'
    # The page's download button.
    assert client.get(url, {"download": "1"})["Content-Disposition"] == f'attachment; filename="{filename}"'
    case_page = client.get(reverse("referrals:detail", args=[service.slug, letter.meeting.referral_id]))
    assert f'href="{url}?download=1" download' in case_page.content.decode()


def test_a_document_deleted_by_retention_answers_404_not_500(client, lead, service):
    letter = LetterFactory(meeting__referral__service=service, pdf=ContentFile(PDF, "innkalling.pdf"))
    default_storage.delete(letter.pdf.name)
    client.force_login(lead)
    assert client.get(reverse("scheduling:letter_pdf", args=[service.slug, letter.pk])).status_code == 404


def test_the_command_copies_an_older_deployments_files_in_once_and_reports_what_it_cannot_find(db, tmp_path):
    on_disk = LetterFactory(pdf=ContentFile(PDF, "innkalling.pdf"))
    gone = LetterFactory(pdf=ContentFile(PDF, "innkalling.pdf"))
    already = LetterFactory(pdf=ContentFile(b"%PDF in the database", "innkalling.pdf"))
    # As an older deployment left them: the rows name files in MEDIA_ROOT, the database holds none of them.
    Document.objects.filter(name__in=[on_disk.pdf.name, gone.pdf.name]).delete()
    (tmp_path / on_disk.pdf.name).parent.mkdir(parents=True)
    (tmp_path / on_disk.pdf.name).write_bytes(b"%PDF from the disk")

    first = _run(tmp_path)
    assert "3 documents named: 1 copied, 1 already in the database, 1 found nowhere" in first
    assert f"missing: {gone.pdf.name} (scheduling.Letter.pdf)" in first
    assert bytes(Document.objects.get(name=on_disk.pdf.name).content) == b"%PDF from the disk"
    assert bytes(Document.objects.get(name=already.pdf.name).content) == b"%PDF in the database"

    second = _run(tmp_path)
    assert "3 documents named: 0 copied, 2 already in the database, 1 found nowhere" in second
    assert Document.objects.count() == 2


def _run(media_root) -> str:
    from io import StringIO

    out = StringIO()
    call_command("documents_into_database", "--media-root", str(media_root), stdout=out)
    return out.getvalue()
