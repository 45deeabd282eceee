"""What a notice says: the variables a template may use and the rendering of its body.

Template bodies are Japanese text with Django template syntax, rendered by an engine of their
own that has no template loaders and no tag libraries besides the built-in ones, with
autoescaping off (the text goes into a PDF, not HTML). Only the variables below are passed in.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.template import Context, Engine, TemplateDoesNotExist, TemplateSyntaxError
from django.utils import translation

from madoguchi.applications.models import Application
from madoguchi.core.dates import display_date
from madoguchi.core.i18n import localized

TEMPLATE_VARIABLES: dict[str, str] = {
    "applicant_name": "the applicant's name",
    "receipt_number": "the application's receipt number",
    "procedure_name": "the procedure's Japanese name",
    "decided_on": "the decision date in 和暦 with the Western year",
    "answers.<key>": "an answer as displayed (sensitive answers are masked as ＊＊＊＊)",
    "reason": "the reason decided with this decision (a rejection's reason); never an earlier "
              "message such as a correction request",
    "city_name": "the city's name",
    "department_name": "the handling department's name",
}
MASK = "＊＊＊＊"

_ENGINE = Engine(dirs=[], app_dirs=False, loaders=[], libraries={}, autoescape=False,
                 string_if_invalid="", debug=False)


class TemplateBodyError(ValueError):
    """The template body is not valid template syntax."""


def answers_for_notice(application: Application) -> dict[str, str]:
    """Display strings of the applicant's answers; sensitive ones are masked, never decrypted."""
    from madoguchi.forms.selectors import spec_of

    spec = spec_of(application.form_version)
    sensitive = spec.sensitive_keys()
    shown: dict[str, str] = {}
    with translation.override("ja"):
        for field in spec.fields():
            if field.key in sensitive:
                shown[field.key] = MASK
            elif field.key in application.answers:
                try:
                    shown[field.key] = field.display(application.answers[field.key])
                except (TypeError, ValueError, KeyError, AttributeError):
                    shown[field.key] = str(application.answers[field.key])
    return shown


def template_context(
    application: Application, *, decided_on: dt.date, reason: str = ""
) -> dict[str, Any]:
    """The documented variables (and only those) for a template body.

    ``reason`` is what was decided for this notice, and only that: the application's status
    reason is never used, since it may still hold an earlier message (a 差戻し's request).
    """
    from madoguchi.catalog.selectors import get_city

    city = get_city()
    return {
        "applicant_name": application.applicant_name,
        "receipt_number": application.receipt_number or "",
        "procedure_name": localized(application.procedure.name, "ja"),
        "decided_on": _japanese_date(decided_on),
        "answers": answers_for_notice(application),
        "reason": reason,
        "city_name": localized(city.name, "ja") if city else "",
        "department_name": localized(application.department.name, "ja"),
    }


def _japanese_date(value: dt.date) -> str:
    with translation.override("ja"):
        return display_date(value)


def render_body(body: str, context: dict[str, Any]) -> str:
    """Render a template body with ``context``; raises TemplateBodyError for bad syntax."""
    try:
        text = _ENGINE.from_string(body).render(Context(context, autoescape=False))
    except (TemplateSyntaxError, TemplateDoesNotExist) as exc:
        raise TemplateBodyError(str(exc)) from exc
    # Blank lines around the text go; a leading full-width space (paragraph indent) stays.
    return text.lstrip("\r\n").rstrip()
