"""In Chromium on a phone-sized screen: answer a survey in each of the four languages, seeing
the progress bar advance and the thank-you page; screenshots go to test-artifacts/survey/."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import ARTIFACTS, Server
from tests.factories import World
from tests.surveys.helpers import create_survey

pytestmark = pytest.mark.browser

LOCALES = {"en": "en-US", "zh-Hant": "zh-TW", "zh-Hans": "zh-CN", "th": "th-TH"}
THANKS = {"en": "Thank you!", "zh-Hant": "謝謝您！", "zh-Hans": "谢谢您！", "th": "ขอบคุณ!"}
NEXT = {"en": "Next", "zh-Hant": "下一題", "zh-Hans": "下一题", "th": "ถัดไป"}
SUBMIT = {"en": "Submit", "zh-Hant": "送出", "zh-Hans": "提交", "th": "ส่งคำตอบ"}


@pytest.mark.parametrize("lang", list(LOCALES))
def test_answer_on_a_phone(browser, live_server: Server, world: World, lang: str) -> None:  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=live_server.url, timeout=60) as client:
        survey = create_survey(client, world)  # type: ignore[arg-type]
        r = client.post(f"/api/v1/surveys/{survey['id']}/links", json={"kind": "public"},
                        headers=world.headers())  # fmt: skip
        path = r.json()["path"]
    out = ARTIFACTS / "survey"
    out.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        locale=LOCALES[lang], viewport={"width": 390, "height": 844}, device_scale_factor=2,
        is_mobile=True, has_touch=True, java_script_enabled=False,
    )  # fmt: skip
    page = context.new_page()
    try:
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("lang") == lang
        seen = [int(page.get_by_test_id("progress").get_attribute("value") or "-1")]
        page.screenshot(path=str(out / f"{lang}-1-first.png"), full_page=True)
        # NPS 9 (a promoter: the follow-up on a low score stays hidden)
        page.locator("label.r-point", has_text="9").first.click()
        page.get_by_role("button", name=NEXT[lang]).click()
        seen.append(int(page.get_by_test_id("progress").get_attribute("value") or "-1"))
        page.locator("input[name=answer][value=store]").check()
        page.get_by_role("button", name=NEXT[lang]).click()
        seen.append(int(page.get_by_test_id("progress").get_attribute("value") or "-1"))
        page.locator("label.r-point", has_text="5").first.click()
        page.get_by_role("button", name=NEXT[lang]).click()
        seen.append(int(page.get_by_test_id("progress").get_attribute("value") or "-1"))
        page.screenshot(path=str(out / f"{lang}-2-last.png"), full_page=True)
        page.locator("textarea").fill("很好 good ดีมาก")
        page.get_by_role("button", name=SUBMIT[lang]).click()
        page.get_by_test_id("thanks").wait_for()
        assert THANKS[lang] in page.get_by_test_id("thanks").inner_text()
        seen.append(int(page.get_by_test_id("progress").get_attribute("value") or "-1"))
        page.screenshot(path=str(out / f"{lang}-3-thanks.png"), full_page=True)
        assert seen == sorted(seen) and seen[0] == 0 and seen[-1] == 100 and len(set(seen)) == 5
        # nothing sideways on a phone: the page is no wider than the screen
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
    print(f"\nscreenshots: {out}")
