"""Where plugins of the forms app go: one package per plugin, ``contrib/<plugin>/``.

Prefill sources (:class:`~madoguchi.forms.prefill.PrefillSource`) that belong to no other app
live here, one package each, and register one instance with
:data:`~madoguchi.forms.prefill.prefill_sources` from their ``AppConfig.ready()``. A source
that reads another app's data lives in that app instead (a source from the resident master in
``registry/contrib/``, one from the signed-in identity in ``identity/contrib/``), as field types
of other apps do (the reservation field type is in ``reservations``). None ships yet; each
source comes with its own issue.
"""
