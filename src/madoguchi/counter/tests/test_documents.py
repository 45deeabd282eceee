"""The sheets the counter prints after sending: the resident's summary and a pre-filled sheet per
procedure done on paper, as A4 PDFs with the name exactly as written; who may print them; and a
server without the fonts (a clear message, the summary page still there)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from madoguchi.applications.models import Application, Channel
from madoguchi.conftest import client_for, visible_text
from madoguchi.core.models import AuditEvent, User
from madoguchi.demo.city import staff_email
from madoguchi.issuance import pdf
from madoguchi.issuance.tests.pdftext import fonts, pdf_text
from madoguchi.jp.wareki import format_wareki_with_western
from madoguchi.staff.tests.helpers import member

from .. import documents
from ..models import Visit
from ..tokens import screen_token
from .conftest import BASE, EVENT, FORMS, interview_post, names, visit_of

pytestmark = pytest.mark.django_db

FAMILY, GIVEN = "髙橋", "𠮷男"  # 髙 (IPAex has it) and 𠮷 (U+20BB7: only IPAmj明朝)
NAME = f"{FAMILY} {GIVEN}"


def _sent_visit(client: Client, sign: dict[str, str] | None = None) -> Visit:
    """A walk-in typed as 髙橋 𠮷男, the "school" event, both forms answered, confirmed on the
    resident's screen and sent."""
    visit = visit_of(client.post(f"{BASE}/open/"))
    response = client.post(f"{BASE}/{visit.public_id}/new-resident/", {
        "applicant_name-family": FAMILY, "applicant_name-given": GIVEN,
        "applicant_name-family_kana": "タカハシ", "applicant_name-given_kana": "ヨシオ",
        "applicant_birth_date": "1980-04-01", "applicant_sex": "male",
        "applicant_address-postal_code": "999-0101", "applicant_address-prefecture": "緑ヶ丘県",
        "applicant_address-city": "緑ヶ丘市", "applicant_address-town": "北山",
        "applicant_address-street": "1234番地5"})
    assert response.status_code == 302, response.content.decode()[:2000]
    # The "school" event brings the two forms filed here; moving in brings 転入届, 国民健康保険
    # (forms for the counter, not filed in this visit) and 印鑑登録 on paper, with deadlines
    # counted from today.
    response = client.post(f"{BASE}/{visit.public_id}/plan/", {
        "event": [EVENT, "move_in"], f"{EVENT}-date": "2026-04-01",
        f"{EVENT}-high_school": "yes", f"{EVENT}-help_costs": "no",
        "move_in-date": timezone.localdate().isoformat(), "move_in-children": "0",
        "move_in-school_children": "no", "move_in-kokuho": "yes"})
    assert response.status_code == 302, visible_text(response.content)[:2000]
    response = client.post(f"{BASE}/{visit.public_id}/procedures/", {"form": list(FORMS)})
    assert response.status_code == 302, visible_text(response.content)[:2000]
    name = names(visit)["tsugaku-hojo", "applicant_name"]
    response = client.post(f"{BASE}/{visit.public_id}/interview/", interview_post(
        visit, **{f"{name}-family": FAMILY, f"{name}-given": GIVEN,
                  f"{name}-family_kana": "タカハシ", f"{name}-given_kana": "ヨシオ"}))
    assert response.status_code == 302, visible_text(response.content)[:2000]
    assert Client().post(f"{BASE}/screen/{screen_token(visit.public_id)}/",
                         sign or {}).status_code == 302
    assert client.post(f"{BASE}/{visit.public_id}/send/").status_code == 302
    visit.refresh_from_db()
    assert visit.state == Visit.State.SENT
    return visit


def _paper_slug(visit: Visit) -> str:
    items = documents.paper_items(visit, timezone.localdate())
    # 転入届 and 国民健康保険 have forms filed at the counter; 印鑑登録 is still done on paper.
    assert [i.procedure.slug for i in items] == ["inkan"]
    return "inkan"


def _poppler_text(data: bytes, tmp_path: Path) -> str:
    """The text as poppler reads it (the PDF parses with another reader than ours)."""
    source = tmp_path / "sheet.pdf"
    source.write_bytes(data)
    path = shutil.which("pdftotext")
    if path is None:
        pytest.fail("pdftotext is missing: apt-get install -y poppler-utils "
                    "(scripts/ensure-system-packages.sh test installs it)")
    return subprocess.run([path, "-layout", str(source), "-"],  # noqa: S603 - fixed argv
                          check=True, capture_output=True, text=True, timeout=60).stdout


def test_the_summary_sheet_says_what_was_done_and_what_is_next(clerk_client, tmp_path):
    visit = _sent_visit(clerk_client)
    page = visible_text(clerk_client.get(f"{BASE}/{visit.public_id}/summary/").content)
    assert "お渡しする手続きのご案内（A4）" in page
    response = clerk_client.get(f"{BASE}/{visit.public_id}/summary.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    today = timezone.localdate()
    assert response["Content-Disposition"] == f'inline; filename="summary-{today:%Y%m%d}.pdf"'
    assert "no-store" in response["Cache-Control"]
    data = response.content
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    flat = text.replace("\n", "")
    assert f"{FAMILY} {GIVEN}　様" in flat  # exactly as typed, 髙 and 𠮷 kept
    assert format_wareki_with_western(today) in flat  # 令和8年（2026年）…月…日
    assert "本日の手続きのご案内" in flat and "緑ヶ丘市" in flat
    made = Application.objects.filter(pk__in=visit.applications, channel=Channel.COUNTER)
    assert made.count() == 2
    for application in made:
        assert application.receipt_number in flat
    assert "高校生等通学費補助金" in flat and "子育て支援課" in flat
    paper = documents.paper_items(visit, today)[0].procedure
    assert paper.name["ja"] in flat  # what is next, with what to bring
    for document in paper.documents:
        assert document["ja"] in flat
    assert any("IPAmjMincho" in f["name"] and f["embedded"] for f in fonts(data))
    poppler = _poppler_text(data, tmp_path)
    assert GIVEN in poppler and FAMILY in poppler
    assert all(a.receipt_number in poppler for a in made)
    assert AuditEvent.objects.filter(action="counter.printed", target_id=str(visit.public_id),
                                     details__document="summary").count() == 1


def test_a_paper_procedure_gets_a_pre_filled_sheet_to_sign(clerk_client, tmp_path):
    visit = _sent_visit(clerk_client)
    slug = _paper_slug(visit)
    page = clerk_client.get(f"{BASE}/{visit.public_id}/summary/").content.decode()
    assert f"/staff/counter/{visit.public_id}/paper/{slug}.pdf" in page
    response = clerk_client.get(f"{BASE}/{visit.public_id}/paper/{slug}.pdf")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(f'inline; filename="{slug}-')
    assert "no-store" in response["Cache-Control"]
    flat = pdf_text(response.content).replace("\n", "")
    assert "窓口で記入した用紙" in flat and "ご本人の署名" in flat
    assert f"{FAMILY}　{GIVEN}" in flat
    assert "タカハシ" in flat and "ヨシオ" in flat
    assert "昭和55年（1980年）4月1日" in flat  # the birth date in 和暦
    assert "〒999-0101 緑ヶ丘県緑ヶ丘市北山1234番地5" in flat
    assert "090-1234-5678" in flat  # the phone the interview gathered
    assert "9876543" not in flat  # the bank account is never printed on a sheet
    poppler = _poppler_text(response.content, tmp_path)
    assert GIVEN in poppler and "ご本人の署名" in poppler
    assert AuditEvent.objects.filter(action="counter.printed",
                                     details__document=f"paper:{slug}").count() == 1


def test_only_procedures_done_on_paper_have_a_sheet(clerk_client):
    visit = _sent_visit(clerk_client)
    for slug in ("tsugaku-hojo", "shugaku", "no-such-procedure"):
        assert clerk_client.get(f"{BASE}/{visit.public_id}/paper/{slug}.pdf").status_code == 404


def test_another_department_is_not_found_and_dx_is_refused(clerk_client, clerk):
    visit = _sent_visit(clerk_client)
    slug = _paper_slug(visit)
    visit.pending_departments = []
    visit.save(update_fields=["pending_departments"])
    urls = [f"{BASE}/{visit.public_id}/summary.pdf",
            f"{BASE}/{visit.public_id}/paper/{slug}.pdf"]
    shimin = User.objects.get(email=staff_email("shimin1"))
    dx = member("dx", "kosodate")  # the visit's own department, but statistics only
    for url in urls:
        assert client_for(shimin).get(url).status_code == 404
        assert client_for(dx).get(url).status_code == 403
        assert client_for(clerk).get(url).status_code == 200
    assert not AuditEvent.objects.filter(action="counter.printed", actor__in=[shimin, dx])


def test_without_the_fonts_the_clerk_is_told_what_to_install(clerk_client, settings, tmp_path):
    visit = _sent_visit(clerk_client)
    slug = _paper_slug(visit)
    settings.ISSUANCE_FONT_DIRS = [str(tmp_path)]
    page = visible_text(clerk_client.get(f"{BASE}/{visit.public_id}/summary/").content)
    assert "sudo apt-get install -y fonts-ipaexfont fonts-ipamj-mincho" in page
    for url in (f"{BASE}/{visit.public_id}/summary.pdf",
                f"{BASE}/{visit.public_id}/paper/{slug}.pdf"):
        response = clerk_client.get(url, follow=True)
        assert response.status_code == 200
        assert response.redirect_chain[-1][0].endswith(f"/{visit.public_id}/summary/")
        text = visible_text(response.content)
        assert ("文書を作成できません。サーバーにフォント IPAexゴシック、IPAex明朝、IPAmj明朝"
                in text)
        made = Application.objects.filter(pk__in=visit.applications)
        assert all(a.receipt_number in text for a in made)  # the summary page stays
    assert not AuditEvent.objects.filter(action="counter.printed").exists()


def test_a_name_no_installed_font_can_draw_is_refused_not_replaced(clerk_client, settings,
                                                                   tmp_path):
    """IPAex alone: 𠮷 needs IPAmj明朝, so the sheet is refused with its message."""
    visit = _sent_visit(clerk_client)
    directory = tmp_path / "ipaex"
    directory.mkdir()
    for font in (pdf.GOTHIC, pdf.MINCHO):
        source = pdf.font_paths()[font]
        (directory / source.name).symlink_to(source)
    settings.ISSUANCE_FONT_DIRS = [str(directory)]
    response = clerk_client.get(f"{BASE}/{visit.public_id}/summary.pdf", follow=True)
    assert response.status_code == 200
    assert "sudo apt-get install -y fonts-ipamj-mincho" in visible_text(response.content)


def test_the_deadline_is_written_in_wareki():
    class Rule:
        procedure = None
        sort_order = 0

    deadline = documents.navigator.compute_deadline(
        documents.navigator.DeadlineSpec(kind=documents.navigator.WITHIN, amount=14),
        dt.date(2026, 4, 1))
    item = documents.Item(rule=Rule(), deadline=deadline, status="open", days_left=1)  # type: ignore[arg-type]
    with documents.translation.override("ja"):
        assert documents.deadline_text(item).startswith("令和8年（2026年）4月")
        assert documents.deadline_text(item).endswith("まで")


@pytest.mark.parametrize(("sign", "said"), [
    ({"signature_name": NAME, "signature_ack": "on"}, "窓口の画面で氏名を入力し、署名として確認"),
    ({"signature_path": "M 10 20 L 200 120 L 400 40"}, "窓口の画面で署名（下に表示）"),
])
def test_the_signature_given_on_the_screen_is_printed_on_the_sheet(clerk_client, sign, said):
    from madoguchi.forms.models import FormDefinition
    from madoguchi.forms.services import publish

    form = FormDefinition.objects.get(slug=FORMS[0])
    publish(form, {**form.live_version.definition, "signature": True})
    visit = _sent_visit(clerk_client, sign)
    response = clerk_client.get(f"{BASE}/{visit.public_id}/paper/{_paper_slug(visit)}.pdf")
    assert response.status_code == 200
    flat = pdf_text(response.content).replace("\n", "")
    assert said in flat
