"""A machine without the fonts: the demo still loads, issuing says what to install, no 500.

The font look-up is pointed at an empty directory (ISSUANCE_FONT_DIRS), as on a fresh Debian
machine without fonts-ipaexfont and fonts-ipamj-mincho.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from madoguchi.applications import services as cases
from madoguchi.applications.models import Application, Status
from madoguchi.conftest import client_for, visible_text
from madoguchi.demo.cases import PATHS, load_demo_cases
from madoguchi.issuance import pdf, services
from madoguchi.issuance.models import DocumentSequence, IssuedDocument

pytestmark = pytest.mark.django_db
INSTALL = "sudo apt-get install -y fonts-ipaexfont fonts-ipamj-mincho"


@pytest.fixture
def no_fonts(settings, tmp_path: Path) -> Path:
    empty = tmp_path / "no-fonts"
    empty.mkdir()
    settings.ISSUANCE_FONT_DIRS = [str(empty)]
    return empty


@pytest.fixture
def decided(application, staff_user) -> Application:
    """An application approved by a clerk, waiting for its notice."""
    cases.change_status(application=application, to_status=Status.UNDER_REVIEW, actor=staff_user)
    cases.change_status(application=application, to_status=Status.APPROVED, actor=staff_user)
    return application


def test_the_look_up_follows_the_setting_and_the_environment(no_fonts, settings, monkeypatch,
                                                             tmp_path):
    assert pdf.missing_fonts() == [pdf.GOTHIC, pdf.MINCHO, pdf.NAME_MINCHO]
    del settings.ISSUANCE_FONT_DIRS
    real = pdf.font_paths()[pdf.MINCHO]
    monkeypatch.setenv("MADOGUCHI_FONT_DIRS", f"{no_fonts}:{real}")  # a directory and a file
    assert pdf.font_dirs() == (no_fonts, real)
    assert pdf.missing_fonts() == [pdf.GOTHIC, pdf.NAME_MINCHO]
    monkeypatch.setenv("MADOGUCHI_FONT_DIRS", "")
    assert pdf.font_dirs() == tuple(Path(p) for p in pdf.DEFAULT_FONT_DIRS)


def test_rendering_names_the_packages_to_install(no_fonts):
    notice = pdf.Notice(number="1", issued_on=pdf.dt.date(2026, 1, 5), city_name="緑ヶ丘市",
                        department_name="子育て支援課", department_phone="", addressee="山田 太郎",
                        title="通知書", body="本文", verify_url="https://example.jp/v/")
    with pytest.raises(pdf.FontMissing) as missing:
        pdf.render_pdf(notice)
    assert missing.value.fonts == (pdf.GOTHIC, pdf.MINCHO, pdf.NAME_MINCHO)
    assert missing.value.packages == ("fonts-ipaexfont", "fonts-ipamj-mincho")
    assert missing.value.command == INSTALL


def test_issuing_is_refused_with_the_command_and_nothing_is_written(no_fonts, decided,
                                                                   staff_user):
    serials = list(DocumentSequence.objects.values_list("year", "last_serial"))
    with pytest.raises(services.IssueRefused) as refused:
        services.issue(decided, "grant", staff_user)
    message = refused.value.user_message()
    assert "fonts-ipaexfont" in message and "sudo apt-get install -y" in message
    assert not IssuedDocument.objects.exists()
    assert list(DocumentSequence.objects.values_list("year", "last_serial")) == serials


def test_the_staff_issue_step_says_what_is_missing(no_fonts, decided, staff_user):
    client = client_for(staff_user)
    page = visible_text(client.get(f"/staff/applications/{decided.public_id}/").content)
    assert "サーバーにフォント IPAexゴシック、IPAex明朝、IPAmj明朝 がありません" in page
    assert INSTALL in page  # said before anyone presses the button
    response = client.post(f"/staff/applications/{decided.public_id}/issue/", {"kind": "grant"},
                           follow=True)
    assert response.status_code == 200
    text = visible_text(response.content)
    assert ("文書を作成できません。サーバーにフォント IPAexゴシック、IPAex明朝、IPAmj明朝 "
            "がありません") in text
    assert INSTALL in text
    decided.refresh_from_db()
    assert decided.status == Status.APPROVED  # still waiting for its notice


def test_only_ipamj_missing_is_a_warning_on_the_case_page(settings, tmp_path, decided,
                                                          staff_user):
    directory = tmp_path / "ipaex"
    directory.mkdir()
    for name in (pdf.GOTHIC, pdf.MINCHO):
        source = pdf.font_paths()[name]
        (directory / source.name).symlink_to(source)
    settings.ISSUANCE_FONT_DIRS = [str(directory)]
    html = client_for(staff_user).get(f"/staff/applications/{decided.public_id}/").content
    text = visible_text(html)
    assert "sudo apt-get install -y fonts-ipamj-mincho" in text
    assert "異体字セレクタを含む氏名・住所は印字できません" in text
    assert b"notice--error" not in html.split(b"issued-documents-title")[1]


def test_a_resident_downloads_an_issued_notice_without_the_fonts(settings, decided, staff_user,
                                                                 resident, tmp_path):
    document = services.issue(decided, "grant", staff_user)
    settings.ISSUANCE_FONT_DIRS = [str(tmp_path)]
    client = client_for(resident)
    assert client.get(f"/my/applications/{decided.public_id}/").status_code == 200
    response = client.get(f"/my/documents/{document.public_id}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_the_demo_loads_without_the_fonts(no_fonts, demo, caplog):
    count = 2 * len(PATHS)
    with caplog.at_level(logging.WARNING, logger="madoguchi.demo.cases"):
        assert load_demo_cases(count=count) == count
    meant = sum(1 for path in PATHS if "issue" in path) * 2
    assert Application.objects.filter(status=Status.APPROVED).count() >= meant
    assert not Application.objects.filter(status=Status.ISSUED).exists()
    assert not IssuedDocument.objects.exists()
    logged = caplog.text
    assert f"{meant} approved sample case(s) were not issued" in logged
    assert INSTALL in logged and "fonts-ipaexfont" in logged
