"""Survey test data: a four-language definition, and surveys and customers made through the API."""

from __future__ import annotations

import copy
from typing import Any

from fastapi.testclient import TestClient

from tests.factories import World, make_source, post_records

LANGS = ["en", "zh-Hant", "zh-Hans", "th"]


def texts(en: str, hant: str, hans: str, th: str) -> dict[str, str]:
    return {"en": en, "zh-Hant": hant, "zh-Hans": hans, "th": th}


DEFINITION: dict[str, Any] = {
    "languages": LANGS,
    "default_language": "en",
    "title": texts("Your visit, {{first_name|friend}}", "您的來訪", "您的来访", "การเยี่ยมชมของคุณ"),
    "intro": texts("Five short questions.", "五個簡短問題。", "五个简短问题。", "ห้าคำถามสั้น ๆ"),
    "thank_you": texts("Thank you!", "謝謝您！", "谢谢您！", "ขอบคุณ!"),
    "questions": [
        {
            "key": "nps",
            "type": "nps",
            "text": texts(
                "How likely are you to recommend {{product|us}}?",
                "您有多大可能推薦{{product|我們}}？",
                "您有多大可能推荐{{product|我们}}？",
                "คุณจะแนะนำ{{product|เรา}}มากน้อยเพียงใด",
            ),
        },
        {
            "key": "why_low",
            "type": "text",
            "required": False,
            "text": texts("What went wrong?", "哪裡出了問題？", "哪里出了问题？", "เกิดอะไรขึ้น"),
            "show_if": {"question": "nps", "op": "range", "min": 0, "max": 6},
        },
        {
            "key": "channel",
            "type": "single",
            "text": texts(
                "How did you contact us?", "您如何聯絡我們？", "您如何联系我们？", "คุณติดต่อเราทางใด"
            ),
            "choices": [
                {"key": "phone", "text": texts("Phone", "電話", "电话", "โทรศัพท์")},
                {"key": "chat", "text": texts("Chat", "線上客服", "在线客服", "แชท")},
                {"key": "store", "text": texts("Store", "門市", "门店", "ร้าน")},
            ],
        },
        {
            "key": "csat",
            "type": "csat",
            "text": texts("How satisfied are you?", "您滿意嗎？", "您满意吗？", "คุณพอใจเพียงใด"),
        },
        {
            "key": "ces",
            "type": "ces",
            "text": texts("How easy was it?", "處理過程容易嗎？", "处理过程容易吗？", "ง่ายเพียงใด"),
            "show_if": {"question": "channel", "op": "in", "values": ["phone", "chat"]},
        },
        {
            "key": "comment",
            "type": "text",
            "required": False,
            "text": texts(
                "Anything else?", "還有其他意見嗎？", "还有其他意见吗？", "มีอะไรเพิ่มเติมไหม"
            ),
        },
    ],
}


def definition(**changes: Any) -> dict[str, Any]:
    d = copy.deepcopy(DEFINITION)
    d.update(changes)
    return d


def create_survey(
    client: TestClient, world: World, name: str = "Visit", publish: bool = True, **changes: Any
) -> dict[str, Any]:
    r = client.post(
        "/api/v1/surveys",
        json={"name": name, "definition": definition(**changes)},
        headers=world.headers("analyst"),
    )
    assert r.status_code == 201, r.text
    if publish:
        p = client.post(
            f"/api/v1/surveys/{r.json()['id']}/publish", headers=world.headers("analyst")
        )
        assert p.status_code == 200, p.text
        return dict(p.json())
    return dict(r.json())


def make_customer(
    client: TestClient,
    world: World,
    cid: str = "C1",
    language: str = "th",
    name: tuple[str, str] = ("Somchai", "Jaidee"),
) -> int:
    """A customer (one CRM record) resolved into a profile; return the profile id."""
    from cxloop.core import jobs

    if "crm" not in world.secrets:
        make_source(world, "crm", "crm")
    r = post_records(client, world, "crm", "customer", [{
        "id": cid, "full_name": " ".join(name), "given_name": name[0],
        "family_name": name[1], "email": f"{cid.lower()}@example.th", "language": language,
        "country": "TH",
    }])  # fmt: skip
    assert r.status_code in (200, 201), r.text
    jobs.run_pending()
    found = client.get(f"/api/v1/customers?q={cid.lower()}@example.th", headers=world.headers())
    assert found.status_code == 200, found.text
    return int(found.json()[0]["id"])


def personal_link(
    client: TestClient, world: World, survey_id: int, profile_id: int, **extra: Any
) -> dict[str, Any]:
    r = client.post(
        f"/api/v1/surveys/{survey_id}/links",
        json={"kind": "personal", "profile_id": profile_id, **extra},
        headers=world.headers("agent"),
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


FULL_ANSWERS = {"nps": 4, "why_low": "The technician came late", "channel": "phone", "csat": 2,
                "ces": 3, "comment": "請準時"}  # fmt: skip


# A survey with two open questions, and a response that likes one thing and complains about
# another (with a phone number, for redaction)
PHONE = "0912-345-678"
LIKED = "The installer was friendly and very helpful"
IMPROVE = f"Billing is a mess, I was charged twice. Call me at {PHONE}"
TWO_OPEN = {"nps": 3, "liked": LIKED, "improve": IMPROVE}
TWO_OPEN_QUESTIONS: list[dict[str, Any]] = [
    DEFINITION["questions"][0],
    {
        "key": "liked",
        "type": "text",
        "required": False,
        "text": texts("What did you like?", "您喜歡什麼？", "您喜欢什么？", "คุณชอบอะไร"),
    },
    {
        "key": "improve",
        "type": "text",
        "required": False,
        "text": texts(
            "What should we improve?", "我們該改進什麼？", "我们该改进什么？", "เราควรปรับปรุงอะไร"
        ),
    },
]


def two_open_survey(client: TestClient, world: World) -> dict[str, Any]:
    """A published survey: an NPS question and two open ones (``liked``, ``improve``)."""
    return create_survey(client, world, "After the installation", questions=TWO_OPEN_QUESTIONS)


def answer_survey(
    client: TestClient,
    world: World,
    survey_id: int,
    profile_id: int,
    answers: dict[str, Any] | None = None,
    path: str = "group",
) -> int:
    """Answer through the group writer (``group``: POST /api/v1/respond), one question a page
    (``web``) or as another system (``api``); return the response's id."""
    answers = answers or TWO_OPEN
    if path == "api":
        r = client.post(
            f"/api/v1/surveys/{survey_id}/responses",
            json={"answers": answers, "profile_id": profile_id},
            headers=world.headers("agent"),
        )
        assert r.status_code == 201, r.text
        return int(r.json()["id"])
    link = personal_link(client, world, survey_id, profile_id)
    if path == "group":
        r = client.post("/api/v1/respond", json={"token": link["token"], "answers": answers})
        assert r.status_code == 201, r.text
        return int(r.json()["id"])
    for key, value in answers.items():
        r = client.post(link["path"], data={"q": key, "answer": [str(value)]})
        assert r.status_code in (200, 303), r.text
    listed = client.get(f"/api/v1/surveys/{survey_id}/responses", headers=world.headers())
    return int(next(x["id"] for x in listed.json() if x["profile_id"] == profile_id))
