"""Small view helpers every app's views use."""

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404


def refusal_show(form, error: ValidationError) -> None:
    """A service's refusal beside the fields it names; the rest above the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def stored_file_download(file, content_type: str = "application/pdf") -> FileResponse:
    """A stored letter, report or export as a download under its own file name; 404 when the file is gone (e.g.
    removed by retention)."""
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=file.name.rsplit("/", 1)[-1], content_type=content_type)
