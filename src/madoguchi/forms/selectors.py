"""Reads for forms: the live version of a form, cached per process and checked on every use."""

from __future__ import annotations

import threading
from functools import lru_cache

from .definition import FormSpec
from .models import FormVersion

_live_cache: dict[str, tuple[tuple[int, int | None, bool, int | None], FormVersion]] = {}
_live_lock = threading.Lock()


@lru_cache(maxsize=256)
def _spec_of_version(version_id: int) -> FormSpec:
    # A published version never changes, so its parsed spec can be kept for the process.
    definition = FormVersion.objects.values_list("definition", flat=True).get(pk=version_id)
    return FormSpec(definition)


def live_version(slug: str) -> FormVersion | None:
    """The newest published version of the form ``slug``, with its form and procedure.

    One small query checks which version is live and where its procedure is routed; the full
    objects (with their bilingual JSON texts) are loaded again only when that changed.
    """
    state = (
        FormVersion.objects.filter(form__slug=slug, published_at__isnull=False)
        .order_by("-number")
        .values_list(
            "pk", "form__procedure_id", "form__procedure__online", "form__procedure__department_id"
        )
        .first()
    )
    if state is None:
        return None
    cached = _live_cache.get(slug)
    if cached is not None and cached[0] == state:
        return cached[1]
    version = (
        FormVersion.objects.select_related("form__procedure").defer("definition").get(pk=state[0])
    )
    with _live_lock:
        _live_cache[slug] = (state, version)
    return version


def spec_of(version: FormVersion) -> FormSpec:
    """The parsed definition of a published version."""
    if version.published_at is None:
        return FormSpec(version.definition)
    return _spec_of_version(version.pk)


def clear_caches() -> None:
    """Forget cached versions (called whenever a version is written)."""
    with _live_lock:
        _live_cache.clear()
    _spec_of_version.cache_clear()
