"""Small view helpers every app's views use."""

from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

NEXT_URL_MAX_LENGTH = 2000


def safe_next_url(request, candidate: str | None, default: str = "portal:home") -> str:
    """Where to go after a step: `candidate` when it is an address on this site, as a local path; the
    `default` (a URL name, the dashboard unless told) for anything else, such as another host, a scheme
    other than this request's, control characters, or a value that is no path at all (`-1`)."""
    if (
        not candidate
        or len(candidate) > NEXT_URL_MAX_LENGTH
        or any(ord(char) < 32 or ord(char) == 127 for char in candidate)
        or not url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return resolve_url(default)
    parts = urlsplit(candidate)
    local = urlunsplit(("", "", parts.path, parts.query, parts.fragment))
    if not local.startswith("/") or local.startswith(("//", "/\\")):
        return resolve_url(default)
    return local


class LocalNextMixin:
    """For Django's auth views (login, logout): `next` is followed only when it is a path on this site."""

    def get_redirect_url(self):
        candidate = self.request.POST.get(self.redirect_field_name, self.request.GET.get(self.redirect_field_name))
        return safe_next_url(self.request, candidate) if candidate else ""


def refusal_show(form, error: ValidationError) -> None:
    """A service's refusal beside the fields it names; the rest above the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def refusal_message(form, error: ValidationError | None = None) -> str:
    """A refused form (or the service's refusal of it) as one line, each problem after its field's label: for a
    small form posted from a page the view then redirects back to, where the form is not drawn again."""
    if error is not None:
        refusal_show(form, error)
    problems = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        problems += [f"{label}: {message}" if label else str(message) for message in errors]
    return " ".join(problems)


def stored_file_download(file, content_type: str = "application/pdf", *, request=None) -> FileResponse:
    """A stored letter, report or export under its own file name; 404 when the file is gone (e.g. removed by
    retention). Given the `request`, a PDF opens in the browser unless `?download=1` asks for the file (the pages'
    download button); without it, and for anything else, it is a download."""
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    inline = request is not None and content_type == "application/pdf" and request.GET.get("download") != "1"
    return FileResponse(
        handle, as_attachment=not inline, filename=file.name.rsplit("/", 1)[-1], content_type=content_type
    )


def page_of(request, items, *, per_page: int, query=None) -> tuple:
    """The requested page of `items` and the query string without its page number, which
    templates/portal/_pagination.html links to; `query` when the view changed the request's (a default filter)."""
    page = Paginator(items, per_page).get_page(request.GET.get("page"))
    rest = (query if query is not None else request.GET).copy()
    rest.pop("page", None)
    return page, rest.urlencode()
