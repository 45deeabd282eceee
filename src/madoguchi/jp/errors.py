"""The error type for input a resident typed that cannot be accepted."""

from __future__ import annotations

from collections.abc import Mapping


class JPValueError(ValueError):
    """A value a resident typed was rejected.

    ``template`` is one of the module-level Japanese message constants, with ``%(name)s``
    placeholders filled from ``params``; ``message`` is the filled-in text. The Django layer can
    translate with ``ValidationError(gettext(e.template), code=e.code, params=e.params)``.
    """

    def __init__(
        self, template: str, code: str, params: Mapping[str, object] | None = None
    ) -> None:
        self.template = template
        self.code = code
        self.params: dict[str, object] = dict(params or {})
        self.message = template % self.params if self.params else template
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"JPValueError(code={self.code!r}, message={self.message!r})"
