"""What can be translated as one workbook: a procedure (with its navigator rules' texts and its
notes), a form (its draft, or its newest version), or the FAQ of a department.

Each is a :class:`Target` whose texts carry the workbook's row keys
(``procedure:<slug>:<path>``, ``form:<id>:<path>``, ``faq:<entry id>:question``). Reading and
writing go through the owning apps' selectors and services.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from madoguchi.catalog import selectors as catalog_selectors
from madoguchi.catalog import services as catalog_services
from madoguchi.core.i18n import localized
from madoguchi.core.models import User
from madoguchi.core.textkeys import UnknownTextKey
from madoguchi.faq import selectors as faq_selectors
from madoguchi.faq import services as faq_services
from madoguchi.forms import selectors as form_selectors
from madoguchi.forms import services as form_services
from madoguchi.staff.models import StaffMember

PROCEDURE, FORM, FAQ, CITY = "procedure", "form", "faq", "city"
KINDS = (PROCEDURE, FORM, FAQ, CITY)
ALL = "all"


class UnknownKeys(KeyError):
    """Some translations name texts the target does not have."""


@dataclass
class Target:
    """One thing translated as one workbook."""

    kind: str
    ident: str  # procedure slug, form id, department code / "all" (FAQ), or the city code
    title: str
    department_id: int | None
    obj: Any = None

    @property
    def sheet_name(self) -> str:
        return f"{self.kind}-{self.ident}"[:31]

    def row_key(self, local: str) -> str:
        if self.kind == FAQ:
            entry, field = local.split(".", 1)
            return f"{FAQ}:{entry}:{field}"
        return f"{self.kind}:{self.ident}:{local}"

    def local_key(self, row_key: str) -> str | None:
        """The owning app's key of a row key of this target (None when it is not one)."""
        parts = row_key.split(":", 2)
        if len(parts) != 3 or parts[0] != self.kind:
            return None
        if self.kind == FAQ:
            return f"{parts[1]}.{parts[2]}" if parts[1].isdigit() else None
        return parts[2] if parts[1] == self.ident else None

    def texts(self) -> dict[str, dict[str, str]]:
        """Every text by row key, in reading order, as stored now."""
        if self.kind in (PROCEDURE, FORM, CITY):
            self.obj.refresh_from_db()
        if self.kind == PROCEDURE:
            local = catalog_selectors.procedure_texts(self.obj)
        elif self.kind == CITY:
            local = catalog_selectors.city_texts(self.obj)
        elif self.kind == FORM:
            local = form_selectors.form_texts(self.obj)
        else:
            local = faq_selectors.faq_texts(self.department_id)
        return {self.row_key(key): texts for key, texts in local.items()}

    def apply(self, changes: Mapping[str, Mapping[str, str]], *, actor: User | None) -> set[str]:
        """Write translations (row key → {language: text}) through the owning app; returns the
        row keys that changed. A form's translations go into its draft."""
        local: dict[str, dict[str, str]] = {}
        for row_key, texts in changes.items():
            key = self.local_key(row_key)
            if key is None:
                raise UnknownKeys([row_key])
            local[key] = dict(texts)
        try:
            if self.kind == PROCEDURE:
                changed = catalog_services.apply_procedure_translations(self.obj, local)
            elif self.kind == CITY:
                changed = catalog_services.apply_city_translations(self.obj, local)
            elif self.kind == FORM:
                changed, _revision = form_services.apply_draft_translations(
                    self.obj,
                    local,
                    actor=actor,
                    summary=_("Imported translations (%(languages)s).")
                    % {"languages": ", ".join(sorted({c for t in local.values() for c in t}))},
                )
            else:
                changed = faq_services.apply_translations(self.department_id, local, actor=actor)
        except UnknownTextKey as exc:
            raise UnknownKeys(list(exc.args[0])) from exc
        return {self.row_key(key) for key in changed}

    @property
    def export_url(self) -> str:
        return reverse(f"translations:{self.kind}_export", kwargs=self._url_kwargs())

    @property
    def import_url(self) -> str:
        return reverse(f"translations:{self.kind}_import", kwargs=self._url_kwargs())

    def _url_kwargs(self) -> dict[str, Any]:
        if self.kind == PROCEDURE:
            return {"slug": self.ident}
        if self.kind == FORM:
            return {"pk": int(self.ident)}
        return {}


# --- Targets and who sees them ------------------------------------------------------------------


def scope(staff: StaffMember) -> int | None:
    """The department whose content the staff member translates; None (all) for the DX office."""
    return None if staff.role == StaffMember.Role.DX else staff.department_id


def may_import(staff: StaffMember, target: Target) -> bool:
    """Who may write translations, as in the editors of the same content: the department's
    head or administrator for a procedure (as for its navigator rules), its staff who work on
    cases for a form or the FAQ (as in the form builder and the FAQ editor). The DX office
    reads every department's content and exports it, but does not change it. The texts every
    department shares (the city, counters, the navigator's life events and questions) are
    changed by administrators, as in the navigator's settings."""
    if target.kind == CITY:
        return staff.is_admin
    if staff.role == StaffMember.Role.DX or target.department_id != staff.department_id:
        return False
    if target.kind == PROCEDURE:
        return staff.role in (StaffMember.Role.HEAD, StaffMember.Role.ADMIN)
    return staff.handles_cases


def procedure_target(procedure: Any) -> Target:
    return Target(
        PROCEDURE,
        procedure.slug,
        localized(procedure.name, "ja"),
        procedure.department_id,
        procedure,
    )


def form_target(form: Any) -> Target:
    return Target(
        FORM, str(form.pk), localized(form.title, "ja") or form.slug, form.department_id, form
    )


def faq_target(department_id: int | None, department: Any = None) -> Target:
    if department_id is None:
        return Target(FAQ, ALL, _("FAQ of every department"), None)
    name = localized(department.name, "ja") if department is not None else ""
    code = department.code if department is not None else str(department_id)
    return Target(FAQ, code, _("FAQ of %(department)s") % {"department": name}, department_id)


def city_target(city: Any) -> Target:
    return Target(
        CITY, city.code, _("City, counters and life events (every department)"), None, city
    )


def city_for(staff: StaffMember) -> Target:
    """The texts every department shares; every staff member sees and exports them."""
    city = catalog_selectors.get_city()
    if city is None:
        raise Http404
    return city_target(city)


def procedure_for(staff: StaffMember, slug: str) -> Target:
    procedure = catalog_selectors.procedures_of(scope(staff)).filter(slug=slug).first()
    if procedure is None:
        raise Http404
    return procedure_target(procedure)


def form_for(staff: StaffMember, pk: int) -> Target:
    form = form_selectors.forms_of(scope(staff)).filter(pk=pk).first()
    if form is None:
        raise Http404
    return form_target(form)


def faq_for(staff: StaffMember) -> Target:
    department_id = scope(staff)
    return faq_target(department_id, staff.department if department_id is not None else None)


def all_procedure_targets() -> list[Target]:
    """Every procedure of every department."""
    return [procedure_target(p) for p in catalog_selectors.procedures_of(None)]


def targets_for(staff: StaffMember) -> list[Target]:
    """Every target the staff member sees: procedures, then forms, then the FAQ."""
    department_id = scope(staff)
    found = [procedure_target(p) for p in catalog_selectors.procedures_of(department_id)]
    found += [form_target(f) for f in form_selectors.forms_of(department_id)]
    found.append(faq_for(staff))
    city = catalog_selectors.get_city()
    if city is not None:
        found.append(city_target(city))
    return found
