"""PDF documents from HTML with WeasyPrint: letters, police reports and the privacy exports.

Administrators write the summons text (LetterTemplate) in the admin, so a document may name any URL in an <img>,
a <link>, an @import or a CSS url(). WeasyPrint would fetch them all: a local file (file:///etc/passwd, embedded
as an image or an attachment), an internal address (SSRF), anything. Here it fetches only the portal's own static
files; every other resource is refused, WeasyPrint logs the failure and the document is made without it.
"""

from __future__ import annotations

import functools
import mimetypes
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation

# What a relative URL in a document is resolved against: "/static/portal/x.css" becomes file:///static/portal/x.css,
# which the fetcher looks up among the static files (a {% static %} URL therefore works in a letter).
DOCUMENT_BASE_URL = "file:///"


class ResourceRefused(ValueError):
    """A document asked for something other than one of the portal's static files."""


def _static_roots() -> list[Path]:
    """The folders static files come from: the finders' (STATICFILES_DIRS, each app's static/) and STATIC_ROOT."""
    roots = [Path(settings.STATIC_ROOT)] if settings.STATIC_ROOT else []
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            roots.append(Path(storage.location))
    return [root.resolve() for root in roots]


def _inside_static_roots(path: Path) -> Path | None:
    path = path.resolve()  # symbolic links and ".." are followed before the check, never after
    if path.is_file() and any(path.is_relative_to(root) for root in _static_roots()):
        return path
    return None


def static_file_for(url: str) -> Path:
    """The static file a document's URL names, or ResourceRefused: only file: URLs, either /static/<name> (as
    {% static %} and a relative URL give it) or a path inside the static folders."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise ResourceRefused(f"only the portal's static files may be used in a document, not {url[:80]}")
    path = unquote(parts.path)
    if ".." in PurePosixPath(path).parts:
        raise ResourceRefused(f"not a static file: {url[:80]}")
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    found = None
    if path.startswith(prefix):
        name = path.removeprefix(prefix)
        try:
            candidates = [finders.find(name)]
        except SuspiciousFileOperation:  # an absolute name, as in /static//etc/passwd
            candidates = []
        if settings.STATIC_ROOT:  # collected, hashed names ({% static %} with the manifest storage)
            candidates.append(Path(settings.STATIC_ROOT) / name)
        found = next((p for p in (_inside_static_roots(Path(c)) for c in candidates if c) if p), None)
    if found is None:
        found = _inside_static_roots(Path(path))
    if found is None:
        raise ResourceRefused(f"not a static file: {url[:80]}")
    return found


@functools.cache
def _static_files_only_fetcher_class():
    # Imported when used: WeasyPrint loads Pango, which only documents need.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesOnlyFetcher(URLFetcher):
        """Answers from the static folders and never opens a network connection or any other file."""

        def fetch(self, url, headers=None):
            path = static_file_for(url)
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})

    return StaticFilesOnlyFetcher


def html_to_pdf(html: str) -> bytes:
    """The one place a PDF is made. A refused resource is left out (WeasyPrint logs it); the PDF is still made."""
    from weasyprint import HTML

    fetcher = _static_files_only_fetcher_class()(fail_on_errors=False)
    return HTML(string=html, base_url=DOCUMENT_BASE_URL, url_fetcher=fetcher).write_pdf()
