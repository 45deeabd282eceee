"""Who may open the pages of a certificate by post, and what the clerk is told on them."""

from __future__ import annotations

import pytest
from django.utils import timezone

from madoguchi.conftest import client_for, visible_text
from madoguchi.core.models import AuditEvent
from madoguchi.payments import services as payment_services
from madoguchi.staff.tests.helpers import member

from .test_postal_certificates import clerk, paid, registry, resident, reviewed, submit  # noqa: F401

pytestmark = pytest.mark.django_db


def pages(public_id) -> list[tuple[str, str]]:
    base = f"/staff/certificates/{public_id}/"
    return [
        ("get", base),
        ("post", base + "choose/"),
        ("post", base + "print/"),
        ("post", base + "posted/"),
        ("post", f"/staff/payments/cases/{public_id}/approve/"),
    ]


@pytest.mark.parametrize("who", ["resident", "other_department", "dx"])
def test_only_the_departments_case_handlers_reach_the_pages(who, resident, clerk):  # noqa: F811
    application = reviewed(submit(resident), clerk)
    user = {
        "resident": resident,
        "other_department": member("clerk", "kosodate"),
        "dx": member("dx", "shimin"),
    }[who]
    client = client_for(user)
    for method, url in pages(application.public_id):
        status = getattr(client, method)(url).status_code
        assert status in (302, 403, 404), (who, url, status)
        if who != "resident":
            assert status in (403, 404), (who, url, status)
    application.refresh_from_db()
    assert application.status == "under_review"


@pytest.mark.parametrize("role", ["clerk", "approver", "head", "admin", "counter", "dx"])
def test_the_certificate_page_by_role(role, resident, clerk):  # noqa: F811
    """The department's case roles open the page; the DX office may not; another department's
    staff do not learn the case exists."""
    application = reviewed(submit(resident), clerk)
    url = f"/staff/certificates/{application.public_id}/"
    own = client_for(member(role, "shimin")).get(url).status_code
    other = client_for(member(role, "kosodate")).get(url).status_code
    assert own == (403 if role == "dx" else 200), (role, own)
    assert other == (403 if role == "dx" else 404), (role, other)


def test_the_clerk_approves_with_the_amount_and_cannot_post_before_payment(
    registry,  # noqa: F811
    resident,  # noqa: F811
    clerk,  # noqa: F811
):
    application = reviewed(submit(resident), clerk)
    client = client_for(clerk)
    case = client.get(f"/staff/applications/{application.public_id}/").content.decode()
    assert "承認して手数料を請求" in case and 'value="approved"' not in case
    response = client.post(
        f"/staff/payments/cases/{application.public_id}/approve/", {"copies": "2"}, follow=True
    )
    assert "710円のお支払いを依頼しました" in visible_text(response.content)
    assert "支払待ち" in visible_text(response.content)
    page = client.get(f"/staff/certificates/{application.public_id}/")
    assert "手数料のお支払いが確認できていません" in visible_text(page.content)
    assert not AuditEvent.objects.filter(action__startswith="registry.certificate").exists()
    refused = client.post(
        f"/staff/certificates/{application.public_id}/posted/",
        {"posted_on": timezone.localdate().isoformat()},
        follow=True,
    )
    assert "手数料のお支払いが確認できていません" in visible_text(refused.content)
    application.refresh_from_db()
    assert application.status == "approved"

    paid(application.payments.get())
    page = client.get(f"/staff/certificates/{application.public_id}/")
    assert "次の記録と一致します" in visible_text(page.content)
    assert AuditEvent.objects.filter(action="registry.certificate.find", actor=clerk).exists()


def test_a_case_that_is_not_a_certificate_by_post_has_no_certificate_page(
    application, other_staff_user
):
    client = client_for(other_staff_user)
    assert client.get(f"/staff/certificates/{application.public_id}/").status_code == 404


def test_the_resident_sees_what_to_pay(resident, clerk):  # noqa: F811
    application = reviewed(submit(resident), clerk)
    payment = payment_services.approve_with_fee(application, actor=clerk, copies=1).payment
    html = visible_text(
        client_for(resident).get(f"/my/applications/{application.public_id}/").content
    )
    assert "支払待ち（410円）" in html and "お支払いいただく手数料：410円" in html
    assert (
        f"/my/payments/{payment.public_id}/"
        in client_for(resident).get(f"/my/applications/{application.public_id}/").content.decode()
    )
