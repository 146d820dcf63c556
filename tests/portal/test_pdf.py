"""A document fetches the portal's static files and nothing else."""

from pathlib import Path

import pytest

from portal.pdf import ResourceRefused, html_to_pdf, static_file_for

ROOT = Path(__file__).resolve().parents[2]
OWN_STATIC = ROOT / "static"


@pytest.mark.parametrize(
    "url",
    [
        "file:///static/portal/portal.css",  # "/static/portal/portal.css" in a document
        "file://localhost/static/portal/favicon.svg",
        f"file://{OWN_STATIC}/portal/portal.css",
        "file:///static/admin/css/base.css",  # an app's static file, found by the finders
    ],
)
def test_the_portals_static_files_are_fetched(url):
    path = static_file_for(url)
    assert path.is_file()
    assert path.name in url


def test_a_collected_file_with_a_hashed_name_is_fetched(tmp_path, settings):
    (tmp_path / "portal").mkdir()
    (tmp_path / "portal" / "portal.0123abcd.css").write_text("body {}")
    settings.STATIC_ROOT = tmp_path
    assert static_file_for("file:///static/portal/portal.0123abcd.css") == tmp_path / "portal" / "portal.0123abcd.css"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file:///etc/hostname",
        f"file://{ROOT}/config/settings/base.py",
        "file:///static/../etc/passwd",
        "file:///static/%2e%2e/%2e%2e/etc/passwd",
        "file:///static//etc/passwd",
        f"file://{OWN_STATIC}/../config/settings/base.py",
        "file://fileserver/share/static/portal/portal.css",
        "file:///static/portal/no-such-file.css",
        "http://127.0.0.1:8000/static/portal/portal.css",
        "https://example.org/logo.png",
        "data:text/css,body{color:red}",
        "data:image/png;base64,iVBORw0KGgo=",
        "ftp://example.org/x",
        "javascript:alert(1)",
    ],
)
def test_anything_else_is_refused(url):
    with pytest.raises(ResourceRefused):
        static_file_for(url)


def test_a_link_out_of_the_static_folders_is_refused(tmp_path, settings):
    static = tmp_path / "static"
    static.mkdir()
    (static / "passwd.css").symlink_to("/etc/passwd")
    settings.STATICFILES_DIRS = [static]
    with pytest.raises(ResourceRefused):
        static_file_for("file:///static/passwd.css")


def test_a_refused_resource_is_left_out_and_the_pdf_is_still_made():
    pdf = html_to_pdf('<img src="file:///etc/passwd"><link rel="stylesheet" href="https://example.org/x.css"><p>x</p>')
    assert pdf.startswith(b"%PDF")
