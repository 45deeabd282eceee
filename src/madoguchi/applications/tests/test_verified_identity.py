"""A form that needs a card-based sign-in: through the identity provider, the verified 氏名,
住所, 生年月日 and 性別 prefilled and locked, the application recording who verified them."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
import requests

from madoguchi.applications.models import Application
from madoguchi.catalog.models import Procedure
from madoguchi.conftest import client_for
from madoguchi.forms.definition import check_definition
from madoguchi.forms.models import FormDefinition
from madoguchi.forms.services import publish
from madoguchi.identity.contrib.oidc.provider import configure
from madoguchi.identity.models import IdentityLink

pytestmark = pytest.mark.django_db
SLUG = "card-test"
TOKEN_RE = re.compile(r'name="token" value="([^"]+)"')
PAGES = [{
    "key": "you", "title": {"ja": "申請者", "en": "You"},
    "fields": [
        {"key": "name", "type": "name", "concept": "applicant.name", "required": True,
         "label": {"ja": "氏名", "en": "Name"}},
        {"key": "birth_date", "type": "date", "concept": "applicant.birth_date",
         "required": True, "label": {"ja": "生年月日", "en": "Date of birth"}},
        {"key": "sex", "type": "choice", "concept": "applicant.sex", "required": True,
         "label": {"ja": "性別", "en": "Sex"},
         "options": [{"value": "female", "label": {"ja": "女性", "en": "Female"}},
                     {"value": "male", "label": {"ja": "男性", "en": "Male"}}]},
        {"key": "address", "type": "address", "concept": "applicant.address",
         "required": True, "label": {"ja": "住所", "en": "Address"}},
        {"key": "note", "type": "text", "required": True,
         "label": {"ja": "請求の理由", "en": "Reason"}},
    ],
}]


@pytest.fixture
def card_form(demo):
    procedure = Procedure.objects.get(slug="hoikusho")
    title = {"ja": "カードで申請する試験", "en": "Test of a card-based form"}
    form = FormDefinition.objects.create(slug=SLUG, procedure=procedure, title=title,
                                         department=procedure.department)
    publish(form, {"title": title, "pages": PAGES, "applicant_field": "name",
                   "assurance": "high"})
    return form


def through_provider(client, start_url: str):
    """Follow the resident from a sign-in link through the (auto-approving) local provider."""
    to_idp = client.get(start_url)
    assert to_idp.status_code == 302
    answer = requests.get(to_idp["Location"], allow_redirects=False, timeout=5)
    back = urlparse(answer.headers["Location"])
    return client.get(f"{back.path}?{back.query}")


def test_the_definition_accepts_high_only_for_resident_forms():
    base = {"title": {"ja": "t"}, "pages": PAGES}
    assert not check_definition({**base, "assurance": "high"})
    assert check_definition({**base, "assurance": "card"})
    assert check_definition({**base, "assurance": "high", "access": "anyone",
                             "contact_field": "note"})


def test_a_card_form_goes_through_the_provider_and_locks_the_verified_fields(
        card_form, local_idp, resident, staff_user):
    client = client_for(resident)
    page = client.get(f"/apply/{SLUG}/")
    assert page.status_code == 200
    html = page.content.decode()
    start = re.search(r'href="(/account/idp/card/start/\?next=[^"]+)"', html)
    assert start, "no card sign-in link"
    response = through_provider(client, start[1].replace("&amp;", "&"))
    assert response.status_code == 302 and response["Location"] == f"/apply/{SLUG}/"
    assert IdentityLink.objects.get(user=resident).provider == "card"
    assert client.session["_auth_user_id"] == str(resident.pk)  # still the same account

    html = client.get(f"/apply/{SLUG}/you/").content.decode()
    assert "山田　太郎" in html and "本人確認済" in html
    assert 'name="name-family"' not in html and 'name="birth_date"' not in html
    assert 'name="note"' in html  # the other fields stay editable

    # A tampered post of the locked fields is ignored; their answers are the provider's.
    response = client.post(f"/apply/{SLUG}/you/", {
        "name-family": "偽", "name-given": "名前", "birth_date": "2000-01-01", "sex": "female",
        "address-postal_code": "998-0052", "address-prefecture": "山形県",
        "address-city": "酒田市", "address-street": "1-1", "note": "郵送で請求します",
    })
    assert response.status_code == 302
    check = client.get(f"/apply/{SLUG}/check/").content.decode()
    assert "偽" not in check and "山田　太郎" in check
    token = TOKEN_RE.search(check)[1]
    assert client.post(f"/apply/{SLUG}/check/", {"token": token}).status_code == 302
    application = Application.objects.get(form_version__form=card_form)
    assert application.answers["name"] == {"family": "山田", "given": "太郎"}
    assert application.answers["birth_date"] == "1980-04-01"
    assert application.answers["sex"] == "male"
    assert application.answers["address"]["postal_code"] == "1000013"
    assert application.answers["note"] == "郵送で請求します"
    record = application.identity_verification
    assert record["provider"] == "card" and record["level"] == 3
    assert record["fields"] == ["address", "birth_date", "name", "sex"]

    case = client_for(staff_user).get(f"/staff/applications/{application.public_id}/")
    assert "本人確認済（マイナンバーカード）" in case.content.decode()


def test_an_email_sign_in_alone_is_not_enough_and_no_provider_means_a_clear_page(
        card_form, resident):
    configure([])
    client = client_for(resident)
    response = client.get(f"/apply/{SLUG}/you/")
    assert response.status_code == 503
    assert "カードによるサインインは利用できません" in response.content.decode()
    assert client.post(f"/apply/{SLUG}/you/", {"note": "x"}).status_code == 503
    assert not Application.objects.filter(form_version__form=card_form).exists()


def test_an_ordinary_form_does_not_ask_for_the_card(local_idp, resident_client):
    from madoguchi.conftest import FORM_SLUG

    assert resident_client.get(f"/apply/{FORM_SLUG}/").status_code == 302
