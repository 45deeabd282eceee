"""The identity provider contract: registry rules and the abstract methods a provider needs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import HttpResponseRedirect
from django.test import RequestFactory

from madoguchi.core.plugins import DuplicatePlugin, PluginError
from madoguchi.identity.plugins import (
    AssuranceLevel,
    IdentityError,
    IdentityProvider,
    VerifiedIdentity,
    identity_providers,
)


class Toy(IdentityProvider):
    """A toy provider for this test: vouches for whoever the session says."""

    id = "toy"
    label = "Toy"
    demo = True

    def start(self, request, *, next_url):
        request.session["toy_next"] = next_url
        return HttpResponseRedirect("/toy/callback/")

    def complete(self, request):
        if "toy_next" not in request.session:
            raise IdentityError("no sign-in was started")
        del request.session["toy_next"]
        return VerifiedIdentity(provider=self.id, subject="s-1", assurance=AssuranceLevel.LOW,
                                name="山田 太郎", birth_date=dt.date(1980, 4, 1))

    def logout(self, request, *, next_url):
        return None


def test_abstract_methods_are_enforced():
    class Incomplete(IdentityProvider):
        id = "incomplete"

        def start(self, request, *, next_url):
            return HttpResponseRedirect("/")

    with pytest.raises(TypeError, match="complete"):
        Incomplete()


def test_the_registry_refuses_other_objects_mismatched_ids_and_duplicates():
    with pytest.raises(PluginError):
        identity_providers.register("toy", object())
    with pytest.raises(PluginError, match="has the id 'toy'"):
        identity_providers.register("other", Toy())
    with identity_providers.temporary("toy", Toy()), pytest.raises(DuplicatePlugin):
        identity_providers.register("toy", Toy())
    assert "toy" not in identity_providers


def test_a_registered_provider_round_trip_and_choices(settings):
    request = RequestFactory().get("/")
    request.session = {}
    with identity_providers.temporary("toy", Toy()) as toy:
        assert ("toy", "Toy") in identity_providers.get_choices()
        assert toy.start(request, next_url="/mypage/").url == "/toy/callback/"
        identity = toy.complete(request)
        assert identity.assurance >= AssuranceLevel.LOW and identity.name == "山田 太郎"
        with pytest.raises(IdentityError):
            toy.complete(request)  # a callback is single use
        settings.DEMO, settings.TESTING = False, False
        assert ("toy", "Toy") not in identity_providers.get_choices()  # a demo provider


def test_assurance_levels_are_ordered():
    assert AssuranceLevel.LOW < AssuranceLevel.SUBSTANTIAL < AssuranceLevel.HIGH
