"""What the counter prints after sending, as A4 PDFs: the resident's summary sheet and a
pre-filled sheet for each procedure of the visit that still needs paper.

The summary sheet says what was done today (each procedure with its receipt number, department
and counter), what is next (deadlines in 和暦, counters, documents to bring, from the
navigator's checklist of the visit's plan) and where the counters are. A paper sheet is a
clearly titled generic sheet, not a replica of a legal form: the values the visit gathered
(name, furigana, birth date, address, phone ...) in labelled boxes and a box to sign.

Both are set with the issuance fonts and rules (:mod:`madoguchi.issuance.pdf`): names are set in
IPAmj明朝 exactly as written, and what no installed font can draw refuses the whole document
(:class:`~madoguchi.issuance.pdf.PrintingRefused`, with a message for staff). The sheets are
printed in Japanese, like the city's notices.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, SimpleDocTemplate, Spacer

from madoguchi.catalog import navigator
from madoguchi.catalog.models import Counter, Procedure
from madoguchi.catalog.navigator.selectors import Item
from madoguchi.catalog.selectors import get_city
from madoguchi.core.dates import display_date
from madoguchi.core.i18n import localized
from madoguchi.forms.concepts import CONCEPTS, concept_of
from madoguchi.forms.fields import FieldType, registry
from madoguchi.issuance.pdf import (
    GOTHIC,
    MINCHO,
    NAME_MINCHO,
    REQUIRED_FONTS,
    FontMissing,
    TextBlock,
    UnicodeTTFont,
    available_fonts,
    break_lines,
    check_printable,
    draw_text,
    missing_fonts,
)
from madoguchi.jp.errors import JPValueError

from . import person, selectors
from . import signature as signature_module
from .models import Visit

MARGIN = 20 * mm
PAD = 2 * mm
# Concepts never printed on a sheet handed over the counter.
NOT_PRINTED = frozenset({"applicant.my_number", "applicant.bank_account"})


# --- What the sheets say -----------------------------------------------------------------------
@dataclass(frozen=True)
class Done:
    """One application the visit sent."""

    receipt_number: str
    procedure: str
    department: str
    counter: str


@dataclass(frozen=True)
class Next:
    """One procedure of the plan still to do."""

    procedure: str
    deadline: str
    counter: str
    documents: tuple[str, ...]


@dataclass(frozen=True)
class Place:
    """A counter the resident deals with: where it is, its hours and phone."""

    name: str
    where: str
    hours: str
    phone: str


@dataclass(frozen=True)
class Summary:
    """The resident's summary sheet."""

    city: str
    today: dt.date
    name: str
    done: tuple[Done, ...]
    next: tuple[Next, ...]
    places: tuple[Place, ...]


@dataclass(frozen=True)
class Paper:
    """A pre-filled sheet for one procedure done on paper."""

    city: str
    today: dt.date
    slug: str
    procedure: str
    department: str
    counter: str
    deadline: str
    documents: tuple[str, ...]
    values: tuple[tuple[str, str], ...]  # (label, value) in the vocabulary's order
    # The signature the resident gave on the counter's screen during the visit (see
    # .signature): {"method", "path", "name", "at"}, or {} when none was needed.
    signature: dict[str, str] = field(default_factory=dict)


def _ja(value: Any) -> str:
    return localized(value, "ja")


def _counter_name(counter: Counter | None) -> str:
    if counter is None:
        return ""
    number = _ja(counter.number)
    return f"{_ja(counter.name)}（{number}）" if number else _ja(counter.name)


def _place(procedure: Procedure) -> Place | None:
    counter = procedure.counter
    if counter is None:
        return None
    return Place(name=_counter_name(counter),
                 where=" ".join(p for p in (_ja(counter.building), _ja(counter.floor)) if p),
                 hours=_ja(counter.hours), phone=procedure.department.phone)


def deadline_text(item: Item) -> str:
    """The item's deadline in words, dates in 和暦 (in the active language)."""
    deadline = item.deadline
    if deadline.kind == navigator.NONE:
        return _("No deadline.")
    if deadline.kind == navigator.ASAP:
        return _("As soon as possible.")
    if deadline.kind == navigator.BEFORE:
        return _("Before %(date)s") % {"date": display_date(
            deadline.last_day + dt.timedelta(days=1) if deadline.last_day else None)}
    return _("By %(date)s") % {"date": display_date(deadline.last_day)}


def paper_items(visit: Visit, today: dt.date) -> list[Item]:
    """The procedures of the visit's plan that have no form to file here: done on paper."""
    found = selectors.plan(selectors.data(visit), today)
    online = {p.pk for p in found.fileable().values()}
    return [item for item in found.items if item.procedure.pk not in online]


def summary_of(visit: Visit, today: dt.date) -> Summary:
    """The summary sheet of ``visit`` as of ``today``."""
    city = get_city()
    found = selectors.plan(selectors.data(visit), today)
    applications = selectors.applications(visit)
    filed = {a.procedure_id for a in applications}
    places: dict[int, Place] = {}
    with translation.override("ja"):
        done = tuple(Done(receipt_number=a.receipt_number or "", procedure=_ja(a.procedure.name),
                          department=_ja(a.department.name),
                          counter=_counter_name(a.procedure.counter))
                     for a in applications)
        remaining = [i for i in found.items if i.procedure.pk not in filed]
        upcoming = tuple(Next(procedure=_ja(i.procedure.name), deadline=deadline_text(i),
                              counter=_counter_name(i.procedure.counter),
                              documents=tuple(_ja(d) for d in i.procedure.documents))
                         for i in remaining)
    for procedure in [a.procedure for a in applications] + [i.procedure for i in remaining]:
        place = _place(procedure)
        if place is not None and procedure.counter_id not in places:
            places[procedure.counter_id] = place
    return Summary(city=_ja(city.name) if city else "", today=today,
                   name=str(selectors.data(visit).get("name", "")), done=done, next=upcoming,
                   places=tuple(places.values()))


def _shown(form_field: FieldType, value: Any) -> str:
    try:
        return form_field.display(value)
    except (JPValueError, KeyError, TypeError, ValueError):
        return ""


_POSTAL = registry.build({"key": "postal_code", "type": "postal_code"})
_SEX = person.NEW_RESIDENT.field("applicant_sex")


def _address(value: Any) -> str:
    """An address in one line; the postal code only when there is one (a registry's 住所
    has none)."""
    if not isinstance(value, dict):
        return str(value or "")
    place = "".join(str(value.get(p, "")) for p in ("prefecture", "city", "town", "street"))
    if value.get("building"):
        place += f"　{value['building']}"
    postal = _shown(_POSTAL, value["postal_code"]) if value.get("postal_code") else ""
    return f"{postal} {place}" if postal else place




def _display(key: str, value: Any, form_field: FieldType | None) -> str:
    """A concept value as written on a sheet (with the asking form's field when there is one)."""
    type_name = CONCEPTS[key].type_name
    if type_name == "address":
        return _address(value)
    if type_name == "name" and isinstance(value, dict):
        return "　".join(p for p in (value.get("family", ""), value.get("given", "")) if p)
    if form_field is not None:
        return _shown(form_field, value)
    if key == "applicant.sex" and _SEX is not None:
        return _shown(_SEX, value)
    return _shown(registry.build({"key": "v", "type": type_name}), value)


def concept_values(visit: Visit) -> dict[str, str]:
    """What the visit knows of the resident and the household members concerned, by concept
    key in the vocabulary's order, as written on a sheet: the registry's (or typed) values,
    then the interview's answers over them."""
    data = selectors.data(visit)
    found: dict[str, tuple[Any, FieldType | None]] = {
        k: (v, None) for k, v in {**data.get("person", {}), **data.get("members", {})}.items()
        if k in CONCEPTS}
    answers = data.get("answers", {})
    for source in selectors.sources(visit):
        own = answers.get(source.slug, {})
        for form_field in source.spec.fields():
            concept = concept_of(form_field.spec)
            if (concept is not None and own.get(form_field.key) not in (None, "")
                    and not form_field.is_sensitive):
                found[concept.key] = (own[form_field.key], form_field)
    name = found.get("applicant.name", ({}, None))[0]
    if isinstance(name, dict) and name.get("family_kana"):  # family and given kept apart
        found["applicant.furigana"] = (
            f"{name['family_kana']}　{name.get('given_kana', '')}".strip(), None)
    shown = {}
    for key in CONCEPTS:
        if key in found and key not in NOT_PRINTED:
            text = _display(key, *found[key])
            if text:
                shown[key] = text
    return shown


def paper_of(visit: Visit, slug: str, today: dt.date) -> Paper | None:
    """The pre-filled sheet of the paper procedure ``slug`` of the visit, or None."""
    item = next((i for i in paper_items(visit, today) if i.procedure.slug == slug), None)
    if item is None:
        return None
    city = get_city()
    procedure = item.procedure
    with translation.override("ja"):
        deadline = deadline_text(item)
        values = tuple((_ja(CONCEPTS[k].label), v) for k, v in concept_values(visit).items())
    return Paper(city=_ja(city.name) if city else "", today=today, slug=procedure.slug,
                 procedure=_ja(procedure.name), department=_ja(procedure.department.name),
                 counter=_counter_name(procedure.counter), deadline=deadline,
                 documents=tuple(_ja(d) for d in procedure.documents), values=values,
                 signature={k: str(v) for k, v in selectors.signature(visit).items()})


def printing_problem() -> str:
    """Why no sheet can be printed on this server now (the fonts, the package and the
    command), or "" when the fonts are there."""
    missing = missing_fonts()
    if any(font in REQUIRED_FONTS for font in missing):
        return FontMissing(missing).user_message()
    return ""


# --- Layout ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cell:
    """One box of a grid: its text and how it is set."""

    text: str
    font: str = MINCHO
    size: float = 10
    shaded: bool = False


@dataclass
class _Row:
    cells: list[Cell]
    min_height: float = 0
    lines: list[list[tuple[float, str]]] = field(default_factory=list)
    height: float = 0


class Grid(Flowable):  # type: ignore[misc]  # reportlab has no types
    """Rows of boxed cells, each cell's text broken the Japanese way; split between rows
    across pages, the first row repeated when it is a heading."""

    def __init__(self, rows: list[_Row], widths: list[float], fonts: dict[str, UnicodeTTFont],
                 *, heading: bool = False) -> None:
        super().__init__()
        self.rows, self.widths, self.fonts, self.heading = rows, widths, fonts, heading

    def _columns(self, avail_width: float) -> list[float]:
        total = sum(self.widths)
        return [avail_width * w / total for w in self.widths]

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        columns = self._columns(avail_width)
        for row in self.rows:
            row.lines = [break_lines(c.text, c.font, c.size, w - 2 * PAD, self.fonts)
                         if c.text else [] for c, w in zip(row.cells, columns, strict=True)]
            row.height = max([row.min_height] + [
                len(lines) * c.size * 1.45 + 2 * PAD
                for c, lines in zip(row.cells, row.lines, strict=True)])
        self.height = sum(r.height for r in self.rows)
        return avail_width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        self.wrap(avail_width, avail_height)
        if self.height <= avail_height:
            return [self]
        used, fit = 0.0, 0
        for row in self.rows:
            if used + row.height > avail_height:
                break
            used += row.height
            fit += 1
        head = self.rows[:1] if self.heading else []
        if fit <= len(head):
            return []
        rest = head + self.rows[fit:]
        return [Grid(self.rows[:fit], self.widths, self.fonts, heading=self.heading),
                Grid(rest, self.widths, self.fonts, heading=self.heading)]

    def draw(self) -> None:
        canvas = self.canv
        columns = self._columns(self.width)
        top = self.height
        canvas.saveState()
        canvas.setLineWidth(0.6)
        canvas.setStrokeColorRGB(0.35, 0.35, 0.35)
        for row in self.rows:
            x = 0.0
            for cell, width, lines in zip(row.cells, columns, row.lines, strict=True):
                if cell.shaded:
                    canvas.setFillColorRGB(0.92, 0.92, 0.92)
                    canvas.rect(x, top - row.height, width, row.height, stroke=0, fill=1)
                    canvas.setFillColorRGB(0, 0, 0)
                canvas.rect(x, top - row.height, width, row.height, stroke=1, fill=0)
                leading = cell.size * 1.45
                for number, (indent, line) in enumerate(lines):
                    y = top - PAD - (number + 1) * leading + (leading - cell.size) / 2 + 1
                    draw_text(canvas, x + PAD + indent, y, line, cell.font, cell.size, self.fonts)
                x += width
            top -= row.height
        canvas.restoreState()


def _printable(texts: Iterable[tuple[str, str]], fonts: dict[str, UnicodeTTFont]) -> None:
    check_printable([(f, t) for f, t in texts if t], fonts)


def _footer(city: str, label: str, fonts: dict[str, UnicodeTTFont]
            ) -> Callable[[Canvas, SimpleDocTemplate], None]:
    def draw(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        width, _height = A4
        canvas.saveState()
        canvas.setStrokeColorRGB(0.6, 0.6, 0.6)
        canvas.line(MARGIN, 16 * mm, width - MARGIN, 16 * mm)
        draw_text(canvas, MARGIN, 11 * mm, f"{city}　{label}", MINCHO, 8.5, fonts)
        canvas.setFont(MINCHO, 8.5)
        canvas.drawRightString(width - MARGIN, 11 * mm, f"{doc.page}")
        canvas.restoreState()

    return draw


def _build(story: list[Flowable], *, title: str, city: str, label: str,
           fonts: dict[str, UnicodeTTFont]) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=24 * mm, title=title, author=city, creator="Madoguchi", lang="ja-JP",
        displayDocTitle=True, encrypt=None, initialFontName=MINCHO, initialFontSize=10)
    footer = _footer(city, label, fonts)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _heading(text: str, fonts: dict[str, UnicodeTTFont]) -> list[Flowable]:
    return [Spacer(1, 5 * mm), TextBlock(text, GOTHIC, 12.5, 19, fonts=fonts),
            Spacer(1, 1.5 * mm)]


def _table(header: list[str], rows: list[list[Cell]], widths: list[float],
           fonts: dict[str, UnicodeTTFont]) -> Grid:
    head = _Row([Cell(h, GOTHIC, 9, shaded=True) for h in header])
    return Grid([head, *(_Row(r) for r in rows)], widths, fonts, heading=True)


def render_summary(sheet: Summary) -> bytes:
    """The summary sheet as an A4 PDF. Raises PrintingRefused (before anything is drawn) when
    a character cannot be printed as it is."""
    fonts = available_fonts()
    name_font = NAME_MINCHO if NAME_MINCHO in fonts else MINCHO
    with translation.override("ja"):
        title = _("Summary of your visit")
        date = display_date(sheet.today)
        addressee = _("To %(name)s") % {"name": sheet.name} if sheet.name else ""
        done_header = [_("Receipt number"), _("Procedure"), _("Department"), _("Counter")]
        next_header = [_("Procedure"), _("Deadline"), _("Counter"), _("What to bring")]
        place_header = [_("Counter"), _("Where"), _("Opening hours"), _("Phone")]
        labels = {"done": _("What was done today"), "next": _("What is next"),
                  "places": _("Where to find the counters"),
                  "nothing_sent": _("Nothing was sent."),
                  "nothing_next": _("Nothing else for these life events."),
                  "note": _("We will contact you if anything is missing. Keep this sheet "
                            "with your receipt numbers.")}
    texts = [(GOTHIC, sheet.city), (MINCHO, date), (name_font, addressee), (GOTHIC, title),
             *((MINCHO, t) for t in labels.values()),
             *((MINCHO, t) for d in sheet.done for t in vars(d).values()),
             *((MINCHO, t) for n in sheet.next
               for t in (n.procedure, n.deadline, n.counter, *n.documents)),
             *((MINCHO, t) for p in sheet.places for t in vars(p).values())]
    _printable(texts, fonts)
    story: list[Flowable] = [
        TextBlock(sheet.city, GOTHIC, 11, 16, fonts=fonts),
        TextBlock(date, MINCHO, 10.5, 16, "right", fonts=fonts), Spacer(1, 4 * mm),
        TextBlock(title, GOTHIC, 18, 26, "center", fonts=fonts), Spacer(1, 5 * mm)]
    if addressee:
        story.append(TextBlock(addressee, name_font, 15, 22, fonts=fonts))
    story += _heading(labels["done"], fonts)
    if sheet.done:
        story.append(_table(done_header, [
            [Cell(d.receipt_number, GOTHIC, 11), Cell(d.procedure), Cell(d.department),
             Cell(d.counter)] for d in sheet.done], [26, 40, 24, 30], fonts))
    else:
        story.append(TextBlock(labels["nothing_sent"], MINCHO, 10, 16, fonts=fonts))
    story += _heading(labels["next"], fonts)
    if sheet.next:
        story.append(_table(next_header, [
            [Cell(n.procedure), Cell(n.deadline, GOTHIC, 9.5), Cell(n.counter, size=9),
             Cell("\n".join(f"・{d}" for d in n.documents), size=9)]
            for n in sheet.next], [27, 22, 21, 30], fonts))
    else:
        story.append(TextBlock(labels["nothing_next"], MINCHO, 10, 16, fonts=fonts))
    if sheet.places:
        story += _heading(labels["places"], fonts)
        story.append(_table(place_header, [
            [Cell(p.name, size=9), Cell(p.where, size=9), Cell(p.hours, size=8.5),
             Cell(p.phone, size=9)] for p in sheet.places], [28, 18, 38, 16], fonts))
    story += [Spacer(1, 6 * mm), TextBlock(labels["note"], MINCHO, 10, 16, fonts=fonts)]
    return _build(story, title=title, city=sheet.city, label=title, fonts=fonts)


def _signed_text(signed: dict[str, str]) -> str:
    """What the signature box says of a signature given on the screen ("" when none)."""
    method = signed.get("method")
    if not method:
        return ""
    try:
        at = dt.datetime.fromisoformat(signed.get("at", ""))
    except ValueError:
        at = None
    when = display_date(at.date()) if at else ""
    if method == signature_module.DRAWN:
        return _("Signed on the counter's screen on %(date)s (drawn below).") % {"date": when}
    return _("%(name)s (full name typed on the counter's screen and confirmed as signature on "
             "%(date)s)") % {"name": signed.get("name", ""), "date": when}


class Drawing(Flowable):  # type: ignore[misc]  # reportlab has no types
    """The strokes of a signature drawn on the screen, 80 mm wide, under the signature box."""

    def __init__(self, path: str) -> None:
        super().__init__()
        try:
            self.strokes = signature_module.parse_path(path)
        except ValueError:
            self.strokes = []
        self.width = 80 * mm
        self.height = self.width * signature_module.HEIGHT / signature_module.WIDTH

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height + 2 * mm

    def draw(self) -> None:
        canvas = self.canv
        scale = self.width / signature_module.WIDTH
        canvas.saveState()
        canvas.setLineWidth(1.2)
        canvas.setLineCap(1)
        canvas.setLineJoin(1)
        for stroke in self.strokes:
            path = canvas.beginPath()
            for number, (x, y) in enumerate(stroke):
                px, py = x * scale, self.height - y * scale
                if number == 0:
                    path.moveTo(px, py)
                else:
                    path.lineTo(px, py)
            canvas.drawPath(path, stroke=1, fill=0)
        canvas.restoreState()


def render_paper(sheet: Paper) -> bytes:
    """A procedure's pre-filled sheet as an A4 PDF. Raises PrintingRefused (before anything
    is drawn) when a character cannot be printed as it is."""
    fonts = available_fonts()
    name_font = NAME_MINCHO if NAME_MINCHO in fonts else MINCHO
    with translation.override("ja"):
        title = _("%(procedure)s: sheet filled in at the counter") % {
            "procedure": sheet.procedure}
        notice = _("This is not the official form: it carries what you told us at the counter. "
                   "Check every box, and sign at the bottom.")
        rows = [(_("Date filled in"), display_date(sheet.today)),
                *sheet.values]
        facts = [(_("Department"), sheet.department), (_("Counter"), sheet.counter),
                 (_("Deadline"), sheet.deadline),
                 (_("What to bring"), "\n".join(f"・{d}" for d in sheet.documents))]
        signature = _("Signature of the resident")
        checked = _("Checked by (staff)")
        signed = _signed_text(sheet.signature)
    facts = [(label, value) for label, value in facts if value]
    texts = [(GOTHIC, sheet.city), (GOTHIC, title), (MINCHO, notice), (GOTHIC, signature),
             (GOTHIC, checked), (name_font, signed),
             *((GOTHIC, label) for label, _v in rows + facts),
             *((name_font, value) for _l, value in rows + facts)]
    _printable(texts, fonts)
    story: list[Flowable] = [
        TextBlock(sheet.city, GOTHIC, 11, 16, fonts=fonts), Spacer(1, 4 * mm),
        TextBlock(title, GOTHIC, 17, 25, "center", fonts=fonts), Spacer(1, 3 * mm),
        TextBlock(notice, MINCHO, 9.5, 15, fonts=fonts), Spacer(1, 5 * mm),
        Grid([_Row([Cell(label, GOTHIC, 9.5, shaded=True), Cell(value, name_font, 12.5)],
                   min_height=11 * mm) for label, value in rows], [30, 70], fonts),
        Spacer(1, 6 * mm),
        Grid([_Row([Cell(label, GOTHIC, 9, shaded=True), Cell(value, MINCHO, 9.5)])
              for label, value in facts], [30, 70], fonts),
        Spacer(1, 8 * mm),
        Grid([_Row([Cell(signature, GOTHIC, 9.5, shaded=True), Cell(signed, name_font, 9),
                    Cell(checked, GOTHIC, 9, shaded=True), Cell("")], min_height=22 * mm)],
             [22, 48, 14, 16], fonts),
    ]
    if sheet.signature.get("method") == signature_module.DRAWN:
        story.append(Drawing(sheet.signature.get("path", "")))
    return _build(story, title=title, city=sheet.city, label=sheet.procedure, fonts=fonts)
