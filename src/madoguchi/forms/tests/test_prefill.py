"""The prefill source contract: registry rules and the abstract method a source needs."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from madoguchi.core.plugins import DuplicatePlugin, PluginError
from madoguchi.forms.prefill import Prefilled, PrefillSource, prefill_sources


class Toy(PrefillSource):
    """A toy source for this test: knows the e-mail address of a signed-in user."""

    id = "toy"
    label = "Account"
    attributes = frozenset({"email"})

    def prefill(self, request, attributes):
        if not request.user.is_authenticated or "email" not in attributes:
            return {}
        return {"email": Prefilled(request.user.email, self.id, "account", verified=False)}


def test_abstract_method_is_enforced():
    class Incomplete(PrefillSource):
        id = "incomplete"

    with pytest.raises(TypeError, match="prefill"):
        Incomplete()


def test_the_registry_refuses_other_objects_mismatched_ids_and_duplicates():
    with pytest.raises(PluginError):
        prefill_sources.register("toy", object())
    with pytest.raises(PluginError, match="has the id 'toy'"):
        prefill_sources.register("other", Toy())
    with prefill_sources.temporary("toy", Toy()), pytest.raises(DuplicatePlugin):
        prefill_sources.register("toy", Toy())
    assert "toy" not in prefill_sources


@pytest.mark.django_db
def test_a_registered_source_answers_only_what_is_asked_with_provenance(resident):
    request = RequestFactory().get("/")
    request.user = resident
    with prefill_sources.temporary("toy", Toy()) as toy:
        values = toy.prefill(request, ["email", "address"])
        assert values == {"email": Prefilled(resident.email, "toy", "account")}
        assert toy.prefill(request, ["address"]) == {}
        request.user = AnonymousUser()
        assert toy.prefill(request, ["email"]) == {}
