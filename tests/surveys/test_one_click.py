"""The email's one-click score (``/s/{token}?q1=<score>``) and the ``?loc=`` location tag,
through the respondent pages without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from cxloop.core.db import unit_of_work
from cxloop.surveys import limits
from cxloop.surveys.channels.base import EmbeddedQuestion, OutboundInvitation
from cxloop.surveys.models import SurveyAnswer, SurveyResponse
from tests.factories import World
from tests.surveys.helpers import create_survey, definition, make_customer, personal_link

PROGRESS = re.compile(r'<progress id="progress" max="100" value="(\d+)"')


@pytest.fixture(autouse=True)
def _fresh_limits() -> Iterator[None]:
    limits.PUBLIC.reset()
    limits.KIOSK.reset()
    yield
    limits.PUBLIC.reset()


def _stored() -> list[tuple[str, str | None, dict[str, Any]]]:
    with unit_of_work(write=False) as s:
        out = []
        for r in s.scalars(select(SurveyResponse).order_by(SurveyResponse.id)):
            rows = s.execute(
                select(SurveyAnswer.question_key, SurveyAnswer.value).where(
                    SurveyAnswer.response_id == r.id
                )
            )
            out.append((r.status, r.location, dict(rows.all())))
        return out


def _link(client: TestClient, world: World, survey_id: int, **body: Any) -> str:
    r = client.post(f"/api/v1/surveys/{survey_id}/links", json=body, headers=world.headers())
    assert r.status_code == 201, r.text
    return str(r.json()["path"])


def test_one_click_score_from_an_email_saves_the_first_answer(
    client: TestClient, world: World
) -> None:
    survey = create_survey(client, world)
    pid = make_customer(client, world, language="en")
    link = personal_link(client, world, survey["id"], pid)
    path = link["path"]
    # the link an email carries for score 9 (the channel's own builder of it)
    email = OutboundInvitation(
        invitation_id="inv_1", channel="email", recipient="c1@example.th", language="en",
        survey_title="Visit", link_url=link["url"], company_name="Acme",
        first_question=EmbeddedQuestion.nps("How likely?"),
    )  # fmt: skip
    nine = email.answer_url(9)
    assert nine == f"{link['url']}?q1=9"
    clicked = client.get("/" + nine.split("/", 3)[3], follow_redirects=False)
    assert clicked.status_code == 303 and clicked.headers["location"] == f"{path}?lang=en"
    assert _stored() == [("partial", None, {"nps": 9})]
    page = client.get(clicked.headers["location"])
    assert "How did you contact us?" in page.text and "Question 2 of 4" in page.text
    m = PROGRESS.search(page.text)
    assert m and int(m.group(1)) == 25
    # a second click (another score) replaces the first answer, still partial, still editable
    again = client.get(f"{path}?q1=3&lang=en")
    assert "What went wrong?" in again.text and "Question 2 of 5" in again.text
    assert _stored() == [("partial", None, {"nps": 3})]
    back = client.get(f"{path}?q=nps&lang=en")
    assert 'value="3" checked' in back.text


@pytest.mark.parametrize(
    "raw", ["11", "-1", "abc", "", "5.5", "+5", " 7", "99999999999999999999999", "٣"]
)
def test_a_score_that_does_not_fit_is_ignored(client: TestClient, world: World, raw: str) -> None:
    survey = create_survey(client, world)
    pid = make_customer(client, world, language="en")
    path = personal_link(client, world, survey["id"], pid)["path"]
    page = client.get(path, params={"q1": raw, "lang": "en"})
    assert page.status_code == 200
    assert "Question 1 of 4" in page.text and "How likely are you to recommend us?" in page.text
    assert "checked" not in page.text and 'role="alert"' not in page.text
    assert _stored() == []


def test_one_click_is_checked_against_the_first_questions_scale(
    client: TestClient, world: World
) -> None:
    d = definition()
    csat_only = create_survey(client, world, "CSAT", questions=[d["questions"][3]])
    path = _link(client, world, csat_only["id"], kind="public")
    zero = client.get(path + "?q1=0")  # CSAT is 1-5: shown as usual, no error, nothing saved
    assert zero.status_code == 200 and 'role="alert"' not in zero.text
    assert "cxs_" not in zero.headers.get("set-cookie", "")
    assert _stored() == []
    done = client.get(path + "?q1=5&lang=en", follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("/thanks?lang=en")
    assert _stored() == [("completed", None, {"csat": 5})]  # one question: one click completes
    assert "Thank you!" in client.get(done.headers["location"]).text

    choice_first = create_survey(client, world, "Choice", questions=[d["questions"][2]])
    cpath = _link(client, world, choice_first["id"], kind="public")
    assert client.get(cpath + "?q1=1").status_code == 200  # not a scale: ignored
    assert len(_stored()) == 1


def test_location_tag_on_public_and_kiosk_links(client: TestClient, world: World) -> None:
    survey = create_survey(client, world)
    public = _link(client, world, survey["id"], kind="public")
    page = client.get(public + "?loc=store-12&lang=en")
    assert '<input type="hidden" name="loc" value="store-12">' in page.text
    client.post(public, data={"q": "nps", "answer": "10", "loc": "store-12"})
    for key, value in (("channel", "store"), ("csat", "4"), ("comment", "")):
        client.post(public, data={"q": key, "answer": value})
    client.cookies.clear()
    # a malformed tag is ignored; a one-click score carries its tag too
    assert 'name="loc"' not in client.get(public + "?loc=bad%20tag!").text
    client.get(public + "?q1=8&loc=kiosk_3")
    client.cookies.clear()

    kiosk = _link(client, world, survey["id"], kind="kiosk", location="Siam Paragon")
    client.post(kiosk, data={"q": "nps", "answer": "9", "loc": "counter-2"})
    client.post(kiosk, data={"q": "channel", "answer": "store"})
    client.post(kiosk, data={"q": "csat", "answer": "5"})
    done = client.post(kiosk, data={"q": "comment", "answer": "", "lang": "en"},
                       follow_redirects=False)  # fmt: skip
    assert done.headers["location"].endswith("/thanks?lang=en&loc=counter-2")
    thanks = client.get(done.headers["location"])
    assert f"url={kiosk}?lang=en&amp;loc=counter-2" in thanks.text  # restarts at its counter
    client.post(kiosk, data={"q": "nps", "answer": "7"})  # no tag: the kiosk's own location
    assert [(status, loc) for status, loc, _a in _stored()] == [
        ("completed", "store-12"),
        ("partial", "kiosk_3"),
        ("completed", "counter-2"),
        ("partial", "Siam Paragon"),
    ]


def test_location_tag_is_ignored_on_personal_links(client: TestClient, world: World) -> None:
    survey = create_survey(client, world)
    pid = make_customer(client, world)
    path = personal_link(client, world, survey["id"], pid)["path"]
    client.get(path + "?q1=10&loc=store-1")
    assert _stored() == [("partial", None, {"nps": 10})]
