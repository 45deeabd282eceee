"""Forms of the navigator's staff pages: life events, questions and rules, all without JSON."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from madoguchi.catalog import navigator
from madoguchi.catalog.models import LifeEvent, NavigatorQuestion, NavigatorRule, Procedure
from madoguchi.core.textkeys import keep_other_languages

from .selectors import RESERVED_KEYS

MAX_CONDITION_ROWS = 3
TEXT = {"max_length": 200}
LONG = {"max_length": 2000, "widget": forms.Textarea(attrs={"rows": 3})}


def _clean_text(value: str) -> str:
    return value.replace("\x00", "").strip()


class BilingualMixin:
    """Pairs of fields ``<name>_ja`` / ``<name>_en`` ⇄ a ``{"ja", "en"}`` dict."""

    bilingual: tuple[str, ...] = ()

    def initial_from(self, instance: Any) -> dict[str, Any]:
        initial = {}
        for name in self.bilingual:
            value = getattr(instance, name) or {}
            initial[f"{name}_ja"] = value.get("ja", "")
            initial[f"{name}_en"] = value.get("en", "")
        return initial

    def bilingual_value(self, name: str) -> dict[str, str]:
        """The Japanese and English typed, over the other languages the text already has
        (translations imported by the workflow are never dropped by saving here)."""
        data = self.cleaned_data  # type: ignore[attr-defined]
        ja, en = _clean_text(data.get(f"{name}_ja", "")), _clean_text(data.get(f"{name}_en", ""))
        instance = getattr(self, "instance", None)
        old = getattr(instance, name, None) if instance is not None else None
        return keep_other_languages(old, {"ja": ja, "en": en})


class LifeEventForm(BilingualMixin, forms.Form):
    bilingual = ("name", "summary", "date_label", "date_hint")
    slug = forms.SlugField(label=_("Short name in the address"), max_length=50,
                           help_text=_("Letters a–z, digits, - and _, for example birth."))
    name_ja = forms.CharField(label=_("Name (Japanese)"), **TEXT)
    name_en = forms.CharField(label=_("Name (English)"), **TEXT)
    summary_ja = forms.CharField(label=_("Summary (Japanese)"), required=False, **TEXT)
    summary_en = forms.CharField(label=_("Summary (English)"), required=False, **TEXT)
    date_label_ja = forms.CharField(label=_("Date question (Japanese)"), **TEXT,
                                    help_text=_("For example 生まれた日."))
    date_label_en = forms.CharField(label=_("Date question (English)"), **TEXT)
    date_hint_ja = forms.CharField(label=_("Date hint (Japanese)"), required=False, **TEXT)
    date_hint_en = forms.CharField(label=_("Date hint (English)"), required=False, **TEXT)
    is_published = forms.BooleanField(label=_("Shown to residents"), required=False)
    sort_order = forms.IntegerField(label=_("Order in the list"), min_value=0, max_value=9999,
                                    initial=0)

    def __init__(self, *args: Any, instance: LifeEvent | None = None, **kwargs: Any) -> None:
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {**self.initial_from(instance), "slug": instance.slug,
                                 "is_published": instance.is_published,
                                 "sort_order": instance.sort_order}
        super().__init__(*args, **kwargs)
        if instance is not None:
            self.fields["slug"].disabled = True
            self.fields["slug"].help_text = _("The address cannot change: links people "
                                              "shared use it.")

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if self.instance is None and LifeEvent.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("Another life event already uses this name."))
        return slug

    def save(self) -> LifeEvent:
        event = self.instance or LifeEvent(slug=self.cleaned_data["slug"])
        for name in self.bilingual:
            setattr(event, name, self.bilingual_value(name))
        event.is_published = self.cleaned_data["is_published"]
        event.sort_order = self.cleaned_data["sort_order"]
        event.save()
        return event


class QuestionForm(BilingualMixin, forms.Form):
    bilingual = ("text", "hint")
    key = forms.CharField(
        label=_("Key in the checklist link"), max_length=40,
        validators=[RegexValidator(r"^[a-z][a-z0-9_]*\Z",
                                   _("Use lower-case letters a–z, digits and _, starting "
                                     "with a letter."))],
        help_text=_("For example kokuho or children. It appears in shared links."),
    )
    kind = forms.ChoiceField(label=_("Kind of answer"), choices=NavigatorQuestion.Kind.choices)
    text_ja = forms.CharField(label=_("Question (Japanese)"), **TEXT)
    text_en = forms.CharField(label=_("Question (English)"), **TEXT)
    hint_ja = forms.CharField(label=_("Hint (Japanese)"), required=False, **LONG)
    hint_en = forms.CharField(label=_("Hint (English)"), required=False, **LONG)
    minimum = forms.IntegerField(label=_("Smallest number allowed"), min_value=0,
                                 max_value=999, initial=0)
    maximum = forms.IntegerField(label=_("Largest number allowed"), min_value=0,
                                 max_value=999, initial=20)
    sort_order = forms.IntegerField(label=_("Order on the page"), min_value=0, max_value=9999,
                                    initial=0)

    def __init__(self, *args: Any, event: LifeEvent, instance: NavigatorQuestion | None = None,
                 **kwargs: Any) -> None:
        self.event, self.instance = event, instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {**self.initial_from(instance), "key": instance.key,
                                 "kind": instance.kind, "minimum": instance.minimum,
                                 "maximum": instance.maximum, "sort_order": instance.sort_order}
        super().__init__(*args, **kwargs)
        if instance is not None:
            self.fields["key"].disabled = True
            self.fields["kind"].disabled = True
            self.fields["key"].help_text = _("The key and kind cannot change: rules and "
                                             "shared links use them.")

    def clean_key(self) -> str:
        key = self.cleaned_data["key"]
        if key in RESERVED_KEYS:
            raise forms.ValidationError(_("This key is used by the navigator itself. Choose "
                                          "another."))
        taken = self.event.questions.filter(key=key)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("This event already has a question with this key."))
        return key

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        low, high = data.get("minimum"), data.get("maximum")
        if low is not None and high is not None and low > high:
            self.add_error("maximum", _("The largest number must not be below the smallest."))
        return data

    def save(self) -> NavigatorQuestion:
        question = self.instance or NavigatorQuestion(event=self.event,
                                                      key=self.cleaned_data["key"],
                                                      kind=self.cleaned_data["kind"])
        question.text = self.bilingual_value("text")
        question.hint = self.bilingual_value("hint")
        question.minimum = self.cleaned_data["minimum"]
        question.maximum = self.cleaned_data["maximum"]
        question.sort_order = self.cleaned_data["sort_order"]
        question.save()
        return question


COMPARISON_LABELS = (
    ("", _("—")),
    ("is_yes", _("is answered yes")),
    ("is_no", _("is answered no")),
    ("eq", _("equals the number")),
    ("gte", _("is at least the number")),
    ("lt", _("is less than the number")),
)


class RuleForm(BilingualMixin, forms.Form):
    bilingual = ("why", "deadline_basis")
    procedure = forms.ModelChoiceField(label=_("Procedure"), queryset=Procedure.objects.none())
    why_ja = forms.CharField(label=_("Why it applies, in plain words (Japanese)"), **LONG)
    why_en = forms.CharField(label=_("Why it applies, in plain words (English)"), **LONG)
    match = forms.ChoiceField(
        label=_("It applies when"), initial="all",
        choices=(("all", _("every condition below holds")),
                 ("any", _("at least one condition below holds"))),
        help_text=_("Leave every condition empty when the procedure always applies."),
    )
    deadline_kind = forms.ChoiceField(label=_("Deadline"),
                                      choices=NavigatorRule.DeadlineKind.choices)
    deadline_amount = forms.IntegerField(
        label=_("Length of the period"), min_value=0, max_value=3660, initial=0,
        help_text=_("For “within a period”: the number of days or months. For “by the end "
                    "of the month”: 0 for the event's month, 1 for the month after."))
    deadline_unit = forms.ChoiceField(label=_("Unit"), choices=NavigatorRule.Unit.choices)
    count_first_day = forms.BooleanField(
        label=_("The event's own day counts as day 1"), required=False,
        help_text=_("Tick for 戸籍 notifications (出生届, 死亡届: 戸籍法第43条). Leave it unticked "
                    "for the general rule (民法第140条: counting starts the next day)."))
    extend_if_closed = forms.BooleanField(
        label=_("Move the deadline to the next open day when it falls on a closed day"),
        required=False, initial=True,
        help_text=_("地方自治法第4条の2第4項: periods set by a law or an ordinance under it. A "
                    "city's own rule may say otherwise."))
    opens_days_before = forms.IntegerField(
        label=_("Accepted from this many days before the event"), min_value=0, max_value=365,
        initial=0, help_text=_("For “before the event” only; 0 if there is no such limit."))
    deadline_basis_ja = forms.CharField(label=_("The rule behind the deadline (Japanese)"),
                                        required=False, **LONG)
    deadline_basis_en = forms.CharField(label=_("The rule behind the deadline (English)"),
                                        required=False, **LONG)
    sort_order = forms.IntegerField(label=_("Order when deadlines are equal"), min_value=0,
                                    max_value=9999, initial=0)

    def __init__(self, *args: Any, event: LifeEvent, department_id: int,
                 instance: NavigatorRule | None = None, **kwargs: Any) -> None:
        self.event, self.instance = event, instance
        self.questions = {q.key: q for q in event.questions.all()}
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = self._initial(instance)
        super().__init__(*args, **kwargs)
        self.fields["procedure"].queryset = Procedure.objects.filter(
            department_id=department_id).order_by("sort_order", "pk")
        question_choices = [("", _("—"))] + [
            (key, f"{q} ({key})") for key, q in self.questions.items()]
        for i in range(MAX_CONDITION_ROWS):
            self.fields[f"cond{i}_question"] = forms.ChoiceField(
                label=_("Condition %(n)s: question") % {"n": i + 1}, required=False,
                choices=question_choices)
            self.fields[f"cond{i}_comparison"] = forms.ChoiceField(
                label=_("Condition %(n)s: answer") % {"n": i + 1}, required=False,
                choices=COMPARISON_LABELS)
            self.fields[f"cond{i}_number"] = forms.IntegerField(
                label=_("Condition %(n)s: number") % {"n": i + 1}, required=False,
                min_value=0, max_value=999)
        self.unreadable_condition = False
        if instance is not None and instance.condition and \
                navigator.logic_to_rows(instance.condition) is None:
            self.unreadable_condition = True

    def _initial(self, rule: NavigatorRule) -> dict[str, Any]:
        initial = {
            **self.initial_from(rule), "procedure": rule.procedure_id,
            "deadline_kind": rule.deadline_kind, "deadline_amount": rule.deadline_amount,
            "deadline_unit": rule.deadline_unit, "count_first_day": rule.count_first_day,
            "extend_if_closed": rule.extend_if_closed,
            "opens_days_before": rule.opens_days_before, "sort_order": rule.sort_order,
        }
        parsed = navigator.logic_to_rows(rule.condition)
        if parsed is not None:
            rows, match = parsed
            initial["match"] = match
            for i, row in enumerate(rows[:MAX_CONDITION_ROWS]):
                initial[f"cond{i}_question"] = row.question
                initial[f"cond{i}_comparison"] = row.comparison
                initial[f"cond{i}_number"] = row.number
        return initial

    def condition_rows(self) -> list[tuple[Any, Any, Any]]:
        """Bound fields of each condition row, for the template."""
        return [(self[f"cond{i}_question"], self[f"cond{i}_comparison"], self[f"cond{i}_number"])
                for i in range(MAX_CONDITION_ROWS)]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        rows = []
        for i in range(MAX_CONDITION_ROWS):
            key = data.get(f"cond{i}_question") or ""
            comparison = data.get(f"cond{i}_comparison") or ""
            number = data.get(f"cond{i}_number")
            if not key and not comparison:
                continue
            if not key or not comparison:
                self.add_error(f"cond{i}_question" if not key else f"cond{i}_comparison",
                               _("Choose both the question and the answer, or neither."))
                continue
            question = self.questions[key]
            if question.kind == navigator.YES_NO and comparison not in \
                    navigator.YES_NO_COMPARISONS:
                self.add_error(f"cond{i}_comparison",
                               _("This is a yes/no question: choose “is answered yes” or "
                                 "“is answered no”."))
                continue
            if question.kind == navigator.NUMBER:
                if comparison not in navigator.NUMBER_COMPARISONS:
                    self.add_error(f"cond{i}_comparison",
                                   _("This question takes a number: choose a comparison with "
                                     "a number."))
                    continue
                if number is None:
                    self.add_error(f"cond{i}_number", _("Enter the number to compare with."))
                    continue
            rows.append(navigator.ConditionRow(
                key, comparison, number if question.kind == navigator.NUMBER else None))
        self.rows = rows
        kind = data.get("deadline_kind")
        amount = data.get("deadline_amount") or 0
        if kind == navigator.WITHIN and amount < 1:
            self.add_error("deadline_amount", _("Enter the length of the period (1 or more)."))
        return data

    def save(self) -> NavigatorRule:
        data = self.cleaned_data
        rule = self.instance or NavigatorRule(event=self.event)
        rule.procedure = data["procedure"]
        rule.why = self.bilingual_value("why")
        rule.deadline_basis = self.bilingual_value("deadline_basis")
        if not (self.unreadable_condition and not self.rows):
            rule.condition = navigator.rows_to_logic(self.rows, data["match"])
        rule.deadline_kind = data["deadline_kind"]
        rule.deadline_amount = data.get("deadline_amount") or 0
        rule.deadline_unit = data["deadline_unit"]
        rule.count_first_day = data["count_first_day"]
        rule.extend_if_closed = data["extend_if_closed"]
        rule.opens_days_before = data.get("opens_days_before") or 0
        rule.sort_order = data["sort_order"]
        rule.save()
        return rule
