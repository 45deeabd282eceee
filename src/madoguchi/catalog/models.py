"""The city, its counters and its procedures (手続き), as residents read them."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.core.i18n import localized
from madoguchi.jp.names import name_search_key

from .navigator import ASAP, BEFORE, DAYS, MONTH_END, MONTHS, NONE, WITHIN, DeadlineSpec, Question

# The longest 保存年限 a procedure may have (30 years: 公文書 of the longest class).
MAX_RETENTION_YEARS = 30


class City(models.Model):
    """The municipality running this installation (one row)."""

    code = models.CharField(max_length=6, unique=True)
    name = models.JSONField()
    address = models.JSONField()
    postal_code = models.CharField(max_length=7)
    phone = models.CharField(max_length=20)
    hours = models.JSONField()
    notice = models.JSONField(default=dict, blank=True)
    # The city's own account that subsidies are paid from (the 全銀 file's sender): code
    # (委託者コード), name (kana), bank_code, branch_code, account_type, number.
    transfer_account = models.JSONField(default=dict, blank=True)
    # ふりがな over the kanji of the counter's screen facing the resident (書かない窓口).
    ruby_on_counter_screen = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "cities"

    def __str__(self) -> str:
        return localized(self.name)


class Counter(models.Model):
    """A physical counter (窓口) with its place and opening hours."""

    code = models.SlugField(unique=True)
    department = models.ForeignKey(
        "staff.Department", on_delete=models.PROTECT, related_name="counters"
    )
    name = models.JSONField()
    number = models.JSONField(default=dict)
    building = models.JSONField(default=dict)
    floor = models.JSONField(default=dict)
    hours = models.JSONField(default=dict)

    def __str__(self) -> str:
        return localized(self.name)


class Procedure(models.Model):
    """A procedure a resident can carry out, with everything they need to know about it."""

    slug = models.SlugField(unique=True)
    department = models.ForeignKey(
        "staff.Department", on_delete=models.PROTECT, related_name="procedures"
    )
    counter = models.ForeignKey(
        Counter, null=True, blank=True, on_delete=models.SET_NULL, related_name="procedures"
    )
    name = models.JSONField()
    kana = models.CharField(max_length=200, blank=True)
    summary = models.JSONField(default=dict)
    description = models.JSONField(default=dict)
    eligibility = models.JSONField(default=dict)
    deadline = models.JSONField(default=dict)
    documents = models.JSONField(default=list, blank=True)
    fee = models.JSONField(default=dict)
    # Informational only: the demo data marks procedures that can be done online somewhere
    # (here or through マイナポータル), as ``online_note`` explains. Whether residents can apply
    # on this site is never read from it: see :attr:`accepts_online_application`.
    online = models.BooleanField(default=False)
    online_note = models.JSONField(default=dict, blank=True)
    keywords = models.JSONField(default=list, blank=True)
    life_events = models.JSONField(default=list, blank=True)
    sort_order = models.PositiveIntegerField(default=0)
    search_text = models.TextField(blank=True, editable=False)
    # 保存年限: full fiscal years an application is kept after its decision (docs/retention.md).
    retention_years = models.PositiveSmallIntegerField(
        _("retention period (years)"), default=5,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RETENTION_YEARS)],
    )

    class Meta:
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return localized(self.name)

    def save(self, *args: object, **kwargs: object) -> None:
        self.search_text = self.build_search_text()
        super().save(*args, **kwargs)

    @property
    def accepts_online_application(self) -> bool:
        """True when a resident can apply on this site: the form linked to the procedure is
        published and open, and not for the counter only. Publishing the form is all it takes;
        unpublishing or unlinking it takes it away (the same rule as
        :func:`madoguchi.forms.selectors.live_version`)."""
        annotated = getattr(self, "has_published_form", None)
        if annotated is not None:
            return bool(annotated)
        form = getattr(self, "form", None)
        live = form.live_version if form is not None and form.is_open else None
        # A form filed only by a clerk at the counter (the city says the procedure needs a
        # visit) is no online application.
        return live is not None and live.definition.get("access") != "counter"

    def build_search_text(self) -> str:
        """A folded text of every searchable word, for width/kana-insensitive matching."""
        parts: list[str] = [self.kana, *map(str, self.keywords)]
        for value in (self.name, self.summary, self.description, self.eligibility):
            if isinstance(value, dict):
                parts.extend(str(v) for v in value.values())
        return "\n".join(name_search_key(p) for p in parts if p)


# --- 手続きナビ (the navigator): life events, their questions and rules -----------------------


class LifeEvent(models.Model):
    """A life event (出生, 転入, 死亡 …) that the navigator turns into a personal checklist."""

    slug = models.SlugField(unique=True)
    name = models.JSONField(help_text="{'ja': ..., 'en': ...}")
    summary = models.JSONField(default=dict, blank=True)
    date_label = models.JSONField(default=dict, help_text="The question for the event's date.")
    date_hint = models.JSONField(default=dict, blank=True)
    is_published = models.BooleanField(default=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return localized(self.name)


class NavigatorQuestion(models.Model):
    """A household fact the navigator asks for one life event: yes/no or a whole number."""

    class Kind(models.TextChoices):
        YES_NO = "yes_no", _("Yes or no")
        NUMBER = "number", _("Whole number")

    event = models.ForeignKey(LifeEvent, on_delete=models.CASCADE, related_name="questions")
    key = models.CharField(
        max_length=40, validators=[RegexValidator(r"^[a-z][a-z0-9_]*\Z")],
        help_text="Letters a–z, digits and _; the name in the checklist link.",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.YES_NO)
    text = models.JSONField()
    hint = models.JSONField(default=dict, blank=True)
    minimum = models.PositiveIntegerField(default=0)
    maximum = models.PositiveIntegerField(default=20)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "key"], name="navigator_question_key"),
            models.CheckConstraint(condition=models.Q(minimum__lte=models.F("maximum")),
                                   name="navigator_question_range"),
        ]

    def __str__(self) -> str:
        return localized(self.text)

    def as_question(self) -> Question:
        return Question(key=self.key, kind=self.kind, minimum=self.minimum, maximum=self.maximum)


class NavigatorRule(models.Model):
    """When a life event brings a procedure, why (in plain words) and by when.

    ``condition`` is a JSON Logic rule of :mod:`madoguchi.core.jsonlogic` on the event's question
    keys (None: it always applies); staff build it with select lists, never by typing JSON.
    """

    class DeadlineKind(models.TextChoices):
        NONE = NONE, _("No deadline")
        ASAP = ASAP, _("As soon as possible (no fixed date)")
        BEFORE = BEFORE, _("Before the event")
        WITHIN = WITHIN, _("Within a period after the event")
        MONTH_END = MONTH_END, _("By the end of the event's month")

    class Unit(models.TextChoices):
        DAYS = DAYS, _("days")
        MONTHS = MONTHS, _("months")

    event = models.ForeignKey(LifeEvent, on_delete=models.CASCADE, related_name="rules")
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE,
                                  related_name="navigator_rules")
    why = models.JSONField(help_text="Why it applies, in plain words.")
    condition = models.JSONField(null=True, blank=True)
    deadline_kind = models.CharField(max_length=10, choices=DeadlineKind.choices,
                                     default=DeadlineKind.NONE)
    deadline_amount = models.PositiveIntegerField(default=0)
    deadline_unit = models.CharField(max_length=6, choices=Unit.choices, default=Unit.DAYS)
    count_first_day = models.BooleanField(default=False)
    extend_if_closed = models.BooleanField(default=True)
    opens_days_before = models.PositiveIntegerField(default=0)
    deadline_basis = models.JSONField(default=dict, blank=True,
                                      help_text="The rule behind the deadline, in plain words.")
    sort_order = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return f"{self.event} → {self.procedure}"

    def deadline_spec(self) -> DeadlineSpec:
        return DeadlineSpec(
            kind=self.deadline_kind, amount=self.deadline_amount, unit=self.deadline_unit,
            count_first_day=self.count_first_day, extend_if_closed=self.extend_if_closed,
            opens_days_before=self.opens_days_before,
        )


class RubyReading(models.Model):
    """A city's own reading for a word the ふりがな analyser reads wrongly or does not know
    (place names such as 緑ヶ丘, procedure names): it wins over the analyser on every page."""

    word = models.CharField(max_length=50, unique=True)
    reading = models.CharField(max_length=100, help_text="In hiragana or katakana")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["word"]

    def __str__(self) -> str:
        return f"{self.word} ({self.reading})"
