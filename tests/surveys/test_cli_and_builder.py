"""``cxloop surveys import|export|list`` and the builder pages (forms without JavaScript)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cxloop.cli.main import app
from tests.factories import World
from tests.surveys.helpers import definition
from tests.web.test_pages import login

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    r = runner.invoke(app, list(args))
    return r.exit_code, r.stdout, r.stderr


def test_import_export_list_yaml_and_json(world: World, tmp_path: Path) -> None:
    src = tmp_path / "visit.yaml"
    src.write_text(
        yaml.safe_dump({"name": "Visit", "definition": definition()}, allow_unicode=True)
    )
    code, out, err = run("surveys", "import", str(src))
    assert code == 0, err
    assert "created: survey 1 'Visit' version 1" in out and "warning: 6 questions" in out
    code, out, _ = run("surveys", "list")
    assert code == 0 and "1\tdraft\tv1\t6 q\ten,zh-Hant,zh-Hans,th\t0 responses\tVisit" in out
    code, out, _ = run("surveys", "export", "1", "--out", str(tmp_path / "out.json"))
    assert code == 0
    exported = json.loads((tmp_path / "out.json").read_text())
    assert exported["definition"]["questions"][0]["key"] == "nps"
    code, out, err = run("surveys", "export", "1")
    assert code == 0 and json.loads(out)["name"] == "Visit"


def test_import_errors_name_the_line_and_field(world: World, tmp_path: Path) -> None:
    d = definition()
    del d["questions"][3]["text"]["th"]
    path = tmp_path / "bad.yaml"
    path.write_text(
        yaml.safe_dump({"name": "Bad", "definition": d}, allow_unicode=True, sort_keys=False)
    )
    code, _out, err = run("surveys", "import", str(path))
    assert code == 1
    m = re.search(
        r"bad\.yaml:(\d+): definition\.questions\[3\]\.text: the 'th' text is missing", err
    )
    assert m, err
    line = path.read_text().splitlines()[int(m.group(1)) - 1]
    assert "text" in line
    jpath = tmp_path / "bad.json"
    jpath.write_text(json.dumps({"name": "Bad", "definition": d}, indent=2, ensure_ascii=False))
    code, _out, err = run("surveys", "import", str(jpath))
    assert code == 1 and re.search(r"bad\.json:\d+: definition\.questions\[3\]\.text", err), err


def test_builder_pages_create_edit_and_version(client: TestClient, world: World) -> None:
    csrf = login(client, world, "analyst", lang="en")
    r = client.post("/surveys", data={"csrf_token": csrf, "name": "Store visit",
                                      "languages": ["en", "th"], "default_language": "en"},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text
    url = r.headers["location"]
    page = client.get(url)
    assert "Store visit" in page.text and "How likely are you to recommend us" in page.text
    # add a question with skip logic, through the plain form
    r = client.post(f"{url}/questions", data={
        "csrf_token": csrf, "key": "why", "type": "text", "text_en": "Why?", "text_th": "ทำไม",
        "show_question": "nps", "show_op": "range", "show_value": "0-6",
    }, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text
    # a missing Thai text is refused with its field and reason
    r = client.post(f"{url}/questions", data={
        "csrf_token": csrf, "key": "pick", "type": "single", "required": "on", "text_en": "Pick",
        "text_th": "เลือก", "choices": "a | A | เอ\nb | B",
    })  # fmt: skip
    assert r.status_code == 422 and "choices line 2" in r.text
    r = client.post(
        f"{url}/status", data={"csrf_token": csrf, "to": "active"}, follow_redirects=False
    )
    assert r.status_code == 303
    page = client.get(url)
    assert 'data-testid="version">1<' in page.text and "about 0.7 min" in page.text
    r = client.post(f"{url}/links", data={"csrf_token": csrf, "kind": "kiosk", "location": "Siam"})
    assert r.status_code == 200
    link = re.search(r'data-testid="new-link">([^<]+)<', r.text)
    assert link
    path = "/s/" + link.group(1).rsplit("/s/", 1)[1]
    client.post(path, data={"q": "nps", "answer": "10"})
    # editing after a response makes version 2; the response keeps version 1
    r = client.post(f"{url}/texts", data={"csrf_token": csrf, "name": "Store visit", "lang_en": "on",
                                          "lang_th": "on", "default_language": "en",
                                          "title_en": "New title", "title_th": "หัวข้อใหม่",
                                          "thank_you_en": "Thanks", "thank_you_th": "ขอบคุณ"},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text
    assert 'data-testid="version">2<' in client.get(url).text
    assert client.get("/surveys").status_code == 200


def test_builder_needs_permission(client: TestClient, world: World) -> None:
    csrf = login(client, world, "agent")
    assert client.get("/surveys").status_code == 200  # agents read
    r = client.post("/surveys", data={"csrf_token": csrf, "name": "x", "languages": ["en"]})
    assert r.status_code == 403


def test_the_builder_names_a_number_it_cannot_hold(client: TestClient, world: World) -> None:
    csrf = login(client, world, "analyst", lang="en")
    r = client.post("/surveys", data={"csrf_token": csrf, "name": "Store visit",
                                      "languages": ["en"], "default_language": "en"},
                    follow_redirects=False)  # fmt: skip
    url = r.headers["location"]
    question = {"csrf_token": csrf, "key": "why", "type": "text", "text_en": "Why?",
                "show_question": "nps"}  # fmt: skip
    for op, value in [("equals", "9" * 5000), ("in", "1, " + "9" * 5000), ("equals", "\u00b2"),
                      ("range", "0-" + "9" * 5000)]:  # fmt: skip
        r = client.post(f"{url}/questions", data={**question, "show_op": op, "show_value": value})
        assert r.status_code == 422 and "show_value" in r.text, (op, r.text[-2000:])
    for field in ("max_length",):
        r = client.post(f"{url}/questions", data={**question, field: "9" * 5000})
        assert r.status_code == 422 and field in r.text and "9" * 100 not in r.text


def test_import_errors_under_a_key_that_looks_like_an_index(world: World, tmp_path: Path) -> None:
    for key in ("x[\u00b2]", "x[" + "9" * 5000 + "]"):
        d = definition()
        d["questions"][0]["text"][key] = "?"
        path = tmp_path / "odd.yaml"
        path.write_text(yaml.safe_dump({"name": "Odd", "definition": d}, allow_unicode=True))
        code, _out, err = run("surveys", "import", str(path))
        assert code == 1 and "definition.questions[0].text" in err, err
