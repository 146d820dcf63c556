"""A letter template an administrator writes cannot make the portal read a local file or an internal address:
the summons is made with the portal's own static files only, and whatever else it names is left out."""

import base64
import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from counselling.scheduling.models import LetterKind, LetterTemplate, Meeting
from counselling.scheduling.services import meeting_book
from tests.counselling.conftest import soon
from tests.factories import open_every_day


def png_bytes(colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, format="PNG")
    return out.getvalue()


class Requests(BaseHTTPRequestHandler):
    """An internal service a letter should never reach: it answers with a stylesheet that would show."""

    received: list[str]

    def do_GET(self):
        self.received.append(self.path)
        body = b'.leak-http::after { content: "LEAKED-HTTP"; }'
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def internal_server():
    received: list[str] = []
    handler = type("Handler", (Requests,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()
    server.server_close()


@pytest.fixture
def own_static(tmp_path, settings):
    """The portal's static files include a letterhead stylesheet and a logo."""
    static = tmp_path / "static"
    static.mkdir()
    (static / "letterhead.css").write_text('.letterhead::after { content: "STATIC-LETTERHEAD"; }')
    (static / "logo.png").write_bytes(png_bytes("blue"))
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, static]
    return static


@pytest.fixture
def outside(tmp_path):
    """Files on the server outside the static folders, which would show if read."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.css").write_text('.leak-file::after { content: "LEAKED-FILE"; }')
    (folder / "import.css").write_text('.leak-import::after { content: "LEAKED-IMPORT"; }')
    (folder / "secret.png").write_bytes(png_bytes("red"))
    return folder


def hostile_body(server: str, outside) -> str:
    data_png = base64.b64encode(png_bytes("green")).decode()
    return f"""
<style>
  @import url("file://{outside}/import.css");
  @import url("{server}/import.css");
  @import url("data:text/css,.leak-data-import::after{{content:'LEAKED-DATA-IMPORT'}}");
  p.a {{ background: url(file:///etc/passwd); }}
  p.b {{ background: url("file://{outside}/secret.png"); }}
  p.c {{ background: url("{server}/background.png"); }}
  p.d {{ background: url("data:image/png;base64,{data_png}"); }}
</style>
<link rel="stylesheet" href="/static/letterhead.css">
<link rel="stylesheet" href="file:///etc/hostname">
<link rel="stylesheet" href="file://{outside}/secret.css">
<link rel="stylesheet" href="{server}/secret.css">
<link rel="stylesheet" href="data:text/css,.leak-data::after{{content:'LEAKED-DATA'}}">
<link rel="stylesheet" href="/static/../../../../../etc/hostname">
<link rel="attachment" href="file:///etc/passwd">
<link rel="attachment" href="file://{outside}/secret.css">
<img src="/static/logo.png" alt="">
<img src="file:///etc/passwd" alt="">
<img src="file://{outside}/secret.png" alt="">
<img src="{server}/secret" alt="">
<img src="data:image/png;base64,{data_png}" alt="">
<p class="a b c d">Innkalling for {{{{ person.full_name }}}}</p>
<p class="letterhead"></p>
<p class="leak-file"></p><p class="leak-import"></p><p class="leak-http"></p>
<p class="leak-data"></p><p class="leak-data-import"></p>
"""


def pdf_of(letter) -> PdfReader:
    with letter.pdf.open("rb") as handle:
        return PdfReader(io.BytesIO(handle.read()))


def test_a_letter_template_reads_no_local_file_no_address_and_no_data_url(
    referral, counsellor, location, own_static, outside, internal_server
):
    server, received = internal_server
    LetterTemplate.objects.update_or_create(
        kind=LetterKind.SUMMONS, defaults={"subject": "Innkalling", "body": hostile_body(server, outside)}
    )

    meeting = meeting_book(
        actor=counsellor, referral=referral, counsellor=counsellor, location=location, starts_at=soon()
    )

    reader = pdf_of(meeting.letters.get())
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert f"Innkalling for {referral.person.full_name}" in text
    assert "LEAKED" not in text
    assert received == []  # not one request reached the internal address
    assert reader.attachments == {}
    assert "root:" not in text
    # The portal's own static files still load: the letterhead's stylesheet and the logo, the only image.
    assert "STATIC-LETTERHEAD" in text
    images = [image for page in reader.pages for image in page.images]
    assert len(images) == 1
    assert images[0].image.getpixel((0, 0))[:3] == (0, 0, 255)


def test_booking_on_the_page_with_a_hostile_template_still_makes_the_summons(
    client, service, counsellor, referral, location, outside, internal_server
):
    """A refused resource is no error: the page books, and the letter is there."""
    server, received = internal_server
    LetterTemplate.objects.update_or_create(
        kind=LetterKind.SUMMONS, defaults={"subject": "Innkalling", "body": hostile_body(server, outside)}
    )
    open_every_day(service=service, counsellor=counsellor, location=location)
    client.force_login(counsellor)
    book_url = reverse("scheduling:book", args=[service.slug, referral.pk])
    slot = client.get(book_url).context["slots"][0]

    response = client.post(
        book_url, {"counsellor": counsellor.pk, "length_minutes": 45, "slot": slot.value, "action": "book"}
    )

    assert response.status_code == 302
    letter = Meeting.objects.get().letters.get()
    assert pdf_of(letter).pages
    assert received == []
