"""A phone number is shown the same way on the check page, the staff case and the my page:
hyphenated as the numbering plan groups it, or as typed when it cannot be."""

from __future__ import annotations

import pytest

from madoguchi.applications.models import Application
from madoguchi.conftest import (
    CHECK_URL,
    VALID_POST,
    check_token,
    client_for,
    fill_wizard,
    page_url,
    visible_text,
)


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("０２３５－２５－２１１１", "0235-25-2111"),  # area code of 3 digits after the 0
        ("01267 1 2345", "01267-1-2345"),  # 4 digits
        ("+81 45 671 2121", "045-671-2121"),  # 2 digits, typed in international form
        ("０１２０－１２３－４５６", "0120-123-456"),
    ],
)
def test_check_page_staff_case_and_my_page_group_the_number_alike(
    resident_client, staff_user, typed, shown
):
    fill_wizard(resident_client)
    response = resident_client.post(page_url("applicant"),
                                    {**VALID_POST["applicant"], "phone": typed})
    assert response.status_code == 302
    assert shown in visible_text(resident_client.get(CHECK_URL).content)
    resident_client.post(CHECK_URL, {"token": check_token(resident_client)})
    application = Application.objects.get()
    my_page = resident_client.get(f"/my/applications/{application.public_id}/")
    staff_case = client_for(staff_user).get(f"/staff/applications/{application.public_id}/")
    assert shown in visible_text(my_page.content)
    assert shown in visible_text(staff_case.content)


def test_a_stored_number_the_plan_does_not_know_is_shown_as_stored(
    application, resident_client, staff_user
):
    # Kept from before the numbering-plan check (011-1 is not in use).
    Application.objects.filter(pk=application.pk).update(
        answers={**application.answers, "phone": "0111234567"})
    my_page = resident_client.get(f"/my/applications/{application.public_id}/")
    staff_case = client_for(staff_user).get(f"/staff/applications/{application.public_id}/")
    for page in (my_page, staff_case):
        assert page.status_code == 200
        assert "0111234567" in visible_text(page.content)
