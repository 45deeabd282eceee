from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from madoguchi.bpr import selectors, services
from madoguchi.bpr.models import Evidence, Step, View, Worksheet
from madoguchi.bpr.tests.helpers import new_worksheet, row
from madoguchi.staff.tests.helpers import member

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def head(demo):
    return member("head", "kosodate")


def test_creating_records_version_one(head):
    sheet = new_worksheet(author=head)
    assert sheet.version == 1
    first = sheet.versions.get()
    assert first.number == 1 and first.author == head
    assert first.snapshot == {"views": {"as_is": [], "to_be": []}}
    assert services.create_worksheet(sheet.procedure, author=head) == sheet
    assert sheet.versions.count() == 1


def test_every_change_is_a_new_version_with_its_snapshot(head):
    sheet = new_worksheet(author=head)
    step = services.add_step(sheet, View.AS_IS, row("受付", "12.5", 40), author=head)
    services.add_step(sheet, View.AS_IS, row("審査"), author=head)
    services.update_step(step, row("受付と確認", "15", 40), author=head)
    services.move_step(step, 1, author=head)
    sheet.refresh_from_db()
    assert sheet.version == 5
    numbers = list(sheet.versions.values_list("number", flat=True))
    assert numbers == [5, 4, 3, 2, 1]
    latest = sheet.versions.get(number=5).snapshot["views"]["as_is"]
    assert [(s["order"], s["action"], s["minutes_per_case"]) for s in latest] == [
        (1, "審査", "10.0"), (2, "受付と確認", "15.0")]
    # An older version still shows the step as it was.
    second = sheet.versions.get(number=2).snapshot["views"]["as_is"]
    assert second[0]["action"] == "受付" and second[0]["minutes_per_case"] == "12.5"


def test_move_at_either_end_changes_nothing(head):
    sheet = new_worksheet(author=head)
    step = services.add_step(sheet, View.TO_BE, row("a"), author=head)
    assert services.move_step(step, -1, author=head) is False
    assert services.move_step(step, 1, author=head) is False
    with pytest.raises(services.WorksheetError):
        services.move_step(step, 2, author=head)
    sheet.refresh_from_db()
    assert sheet.version == 2


def test_delete_renumbers_the_rest(head):
    sheet = new_worksheet(author=head)
    steps = [services.add_step(sheet, View.AS_IS, row(str(i)), author=head) for i in range(3)]
    services.delete_step(steps[0], author=head)
    assert list(sheet.steps.values_list("order", "action")) == [(1, "1"), (2, "2")]


def test_replaced_by_links_as_is_to_to_be_of_the_same_worksheet(head):
    sheet = new_worksheet(author=head)
    old = services.add_step(sheet, View.AS_IS, row("紙で受付"), author=head)
    new = services.add_step(sheet, View.TO_BE, row("オンライン受付", medium="online"),
                            author=head)
    services.link_replaced_by(old, new, author=head)
    assert Step.objects.get(pk=old.pk).replaced_by == new
    with pytest.raises(services.WorksheetError):
        services.link_replaced_by(new, old, author=head)  # to-be is never replaced
    with pytest.raises(services.WorksheetError):
        services.link_replaced_by(old, old, author=head)  # nor by an as-is step
    other = new_worksheet(author=head)
    foreign = services.add_step(other, View.TO_BE, row("他"), author=head)
    with pytest.raises(services.WorksheetError):
        services.link_replaced_by(old, foreign, author=head)
    # Through a row's contents: the to-be order must exist, and only as-is rows may link.
    with pytest.raises(services.WorksheetError):
        services.add_step(sheet, View.AS_IS, row("x", replaced_by=9), author=head)
    with pytest.raises(services.WorksheetError):
        services.add_step(sheet, View.TO_BE, row("x", replaced_by=1), author=head)
    linked = services.add_step(sheet, View.AS_IS, row("電話", replaced_by=1), author=head)
    assert linked.replaced_by == new


def test_bad_values_are_refused(head):
    sheet = new_worksheet(author=head)
    for bad in (row(medium="fax"), row(actor="mayor"), row(action=""), row(minutes="-1"),
                row(status="maybe")):
        with pytest.raises(services.WorksheetError):
            services.add_step(sheet, View.AS_IS, bad, author=head)
    assert not sheet.steps.exists()


def test_hours_per_year_in_exact_decimals(head):
    sheet = new_worksheet(author=head)
    # 12.5 min × 3 cases = 37.5 min; 0.1 min × 7 cases = 0.7 min: 38.2 min = 0.6366… h.
    services.add_step(sheet, View.AS_IS, row("a", "12.5", 3), author=head)
    services.add_step(sheet, View.AS_IS, row("b", "0.1", 7), author=head)
    services.add_step(sheet, View.TO_BE, row("c", "7.5", 4), author=head)  # 30 min = 0.5 h
    hours = selectors.hours_per_year([sheet.id])[sheet.id]
    assert hours == selectors.Hours(as_is=Decimal("0.6"), to_be=Decimal("0.5"))
    assert hours.saved == Decimal("0.1")
    assert isinstance(hours.as_is, Decimal)
    services.add_step(sheet, View.AS_IS, row("d", "30", 600), author=head)  # 300 h
    assert selectors.hours_per_year([sheet.id])[sheet.id].as_is == Decimal("300.6")
    empty = new_worksheet("kenko", author=head)
    assert selectors.hours_per_year([empty.id])[empty.id] == selectors.Hours(Decimal("0.0"),
                                                                               Decimal("0.0"))


def test_the_demo_worksheets_hours(demo):
    sheet = Worksheet.objects.get(procedure__slug="tsugaku-hojo")
    hours = selectors.hours_per_year([sheet.id])[sheet.id]
    assert hours.as_is == Decimal("524.0")  # 31,440 minutes
    assert hours.to_be < hours.as_is


def test_evidence_is_append_only(head, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    sheet = new_worksheet(author=head)
    step = services.add_step(sheet, View.AS_IS, row(), author=head)
    entry = services.add_evidence(step, date="2026-11-01", who="会計課", agreed="合意",
                                  author=head,
                                  attachment=SimpleUploadedFile("minutes.pdf", PDF))
    assert entry.attachment_type == "application/pdf"
    assert entry.attachment.name.endswith(".pdf") and "minutes" not in entry.attachment.name
    entry.agreed = "changed"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    assert Evidence.objects.get(pk=entry.pk).agreed == "合意"
    with pytest.raises(services.WorksheetError):
        services.delete_step(step, author=head)
    assert Step.objects.filter(pk=step.pk).exists()


def test_evidence_attachment_is_checked_by_its_bytes(head, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    sheet = new_worksheet(author=head)
    step = services.add_step(sheet, View.AS_IS, row(), author=head)
    with pytest.raises(services.WorksheetError):
        services.add_evidence(step, date="2026-11-01", who="x", agreed="y", author=head,
                              attachment=SimpleUploadedFile("a.pdf", b"MZ\x90\x00 not a pdf"))
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * services.ATTACHMENT_MAX_BYTES)
    with pytest.raises(services.WorksheetError):
        services.add_evidence(step, date="2026-11-01", who="x", agreed="y", author=head,
                              attachment=big)
    with pytest.raises(services.WorksheetError):
        services.add_evidence(step, date="2026-11-01", who="", agreed="y", author=head)
    assert not step.evidence.exists()
    assert not list(tmp_path.rglob("*.*"))


def test_replace_steps_keeps_evidence_by_order_and_refuses_removing_it(head):
    sheet = new_worksheet(author=head)
    services.replace_steps(sheet, {View.AS_IS: [(1, row("a")), (2, row("b"))],
                                   View.TO_BE: [(1, row("c"))]}, author=head, note="x")
    first = sheet.steps.get(view=View.AS_IS, order=1)
    services.add_evidence(first, date="2026-11-01", who="w", agreed="a", author=head)
    services.replace_steps(sheet, {View.AS_IS: [(1, row("a2", replaced_by=1))],
                                   View.TO_BE: [(1, row("c"))]}, author=head, note="y")
    kept = sheet.steps.get(view=View.AS_IS, order=1)
    assert kept.pk == first.pk and kept.action == "a2" and kept.evidence.count() == 1
    assert kept.replaced_by == sheet.steps.get(view=View.TO_BE, order=1)
    version = sheet.version
    with pytest.raises(services.WorksheetError, match="協議記録"):
        services.replace_steps(sheet, {View.AS_IS: [], View.TO_BE: []}, author=head, note="z")
    sheet.refresh_from_db()
    assert sheet.version == version


def test_the_demo_loader_is_idempotent(demo):
    from madoguchi.demo import bpr as bpr_demo

    before = (Worksheet.objects.count(), Step.objects.count(), Evidence.objects.count())
    assert bpr_demo.load_demo() == {"bpr worksheets": 0}
    assert (Worksheet.objects.count(), Step.objects.count(), Evidence.objects.count()) == before
    kenshin = Worksheet.objects.get(procedure__slug="gan-kenshin")
    assert kenshin.version == 2 and kenshin.steps.filter(replaced_by__isnull=False).count() == 6
    assert Evidence.objects.filter(step__worksheet=kenshin).count() == 2
