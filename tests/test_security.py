"""Security checks: no other hosts, cookie flags, no secrets in logs, oversized requests refused."""

import logging
import re
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlencode, urljoin

import httpx2 as httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.config import Settings
from app.db.accounts import create_user, issue_setup_token
from app.main import MAX_BODY_BYTES, create_app
from app.themes import Catalogue
from app.web.respondent import key_cookie_name
from tests.html import parse
from tests.support import free_port
from tests.test_access import ACCESS, PUBLIC, Meeting, _fill, _meeting
from tests.world import CSRF, World, act_as, build_world

FORM = {"content-type": "application/x-www-form-urlencoded"}
PASSWORD = "en-god-lang-adgangskode"
# Attributes whose value the browser loads or goes to.
URL_ATTRIBUTES = ("src", "href", "action", "formaction", "poster", "data", "xlink:href", "srcset")
ABSOLUTE = re.compile(r"(?:https?:)?//[^\s\"'<>)]+", re.IGNORECASE)
PROSE_LINK = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)|@import\s+['\"]([^'\"]+)", re.IGNORECASE)


# --- no page references another host -----------------------------------------------------


def _page_paths(world: World, meeting: Meeting) -> list[str]:
    """Every GET route of the app (the access matrix lists them all), with its path filled in."""
    routes = [(route, ACCESS[route][2] if len(ACCESS[route]) > 2 else None) for route in ACCESS]
    routes += [(route, None) for route in PUBLIC]
    return sorted(
        _fill(template, world, meeting, overrides)
        for (method, template), overrides in routes
        if method == "GET"
    )


def _foreign(url: str, base_url: str) -> bool:
    """Whether a URL points at a host other than the service's own."""
    url = url.strip()
    return bool(ABSOLUTE.match(url)) and not url.startswith(base_url + "/") and url != base_url


def _foreign_in_html(html: str, base_url: str) -> list[str]:
    soup = parse(html)
    found: list[str] = []
    for element in soup.find_all(True):
        for name in URL_ATTRIBUTES:
            value = element.get(name)
            if not isinstance(value, str):
                continue
            urls = (
                [part.split()[0] for part in value.split(",") if part.split()]
                if name == "srcset"
                else [value]
            )
            found += [f"<{element.name} {name}={url}>" for url in urls if _foreign(url, base_url)]
        found += [
            f"style: {url}"
            for url in _css_urls(str(element.get("style", "")))
            if _foreign(url, base_url)
        ]
    for style in soup.find_all("style"):
        found += [
            f"<style>: {url}" for url in _css_urls(style.get_text()) if _foreign(url, base_url)
        ]
    for text in soup.find_all(string=True):
        if text.parent is not None and text.parent.name in ("script", "style"):
            continue
        links = PROSE_LINK.findall(text)
        found += [f"text: {url}" for url in links if not url.startswith(base_url + "/")]
    return found


def _css_urls(css: str) -> list[str]:
    return [url or imported for url, imported in CSS_URL.findall(css)]


def test_no_page_or_stylesheet_refers_to_another_host(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    meeting = _meeting(session, catalogue, world)
    base_url = app.state.settings.base_url
    client = TestClient(app, base_url=base_url)
    act_as(client, app.state.secret_key, world.admin)
    found: dict[str, list[str]] = {}
    pages = stylesheets = 0
    seen_assets: set[str] = set()
    for path in _page_paths(world, meeting):
        answer = client.get(path)
        assert answer.status_code < 500, path
        if not answer.headers.get("content-type", "").startswith("text/html"):
            continue
        pages += 1
        found[path] = _foreign_in_html(answer.text, base_url)
        soup = parse(answer.text)
        assets = [str(link["href"]) for link in soup.select('link[rel~="stylesheet"][href]')]
        scripts = [str(script["src"]) for script in soup.select("script[src]")]
        assets += [src for src in scripts if src.startswith("/static/")]  # plotly.js is vendored
        for asset in assets:
            if asset in seen_assets:
                continue
            seen_assets.add(asset)
            body = client.get(urljoin(path, asset)).text
            stylesheets += asset.endswith(".css")
            urls = _css_urls(body) if asset.endswith(".css") else ABSOLUTE.findall(body)
            found[asset] = [url for url in urls if _foreign(url, base_url)]
    assert pages >= 25 and stylesheets >= 3, (pages, stylesheets)
    assert {where: urls for where, urls in found.items() if urls} == {}


def test_the_first_run_setup_page_refers_to_no_other_host(
    client: TestClient, settings: Settings, session: Session
) -> None:
    token = issue_setup_token(session=session)
    session.commit()
    answer = client.get(f"/opsaetning/{token}")
    assert answer.status_code == 200
    assert _foreign_in_html(answer.text, settings.base_url) == []


def test_a_link_to_another_host_is_noticed_by_the_scan() -> None:
    html = (
        '<a href="https://www.uvm.dk/materiale">UVM</a><img src="//cdn.example/x.png">'
        '<p style="background: url(https://fonts.example/a.woff)">Se https://example.org</p>'
        '<a href="http://testserver/r/ABC">egen</a>'
    )
    assert len(_foreign_in_html(html, "http://testserver")) == 4


def _form_token(client: httpx.Client, path: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match, f"no form token on {path}"
    return match.group(1)


# --- cookie flags -------------------------------------------------------------------------


def _set_cookie(response: httpx.Response, name: str) -> str:
    headers = [
        value for value in response.headers.get_list("set-cookie") if value.startswith(name + "=")
    ]
    assert headers, f"no {name} cookie was set"
    return headers[-1].lower()


@pytest.fixture(params=["http://testserver", "https://spindelvaev.kommune.dk"])
def published_app(request: pytest.FixtureRequest, settings: Settings, engine: Engine) -> FastAPI:
    """The app as published over plain http (a test or intranet setup) and over https."""
    return create_app(
        settings=settings.model_copy(update={"base_url": request.param}), engine=engine
    )


def _flags_are_right(cookie: str, https: bool) -> None:
    attributes = {part.strip().split("=")[0]: part.strip() for part in cookie.split(";")[1:]}
    assert "httponly" in attributes
    assert attributes.get("samesite") == "samesite=lax"
    assert ("secure" in attributes) == https


def test_session_cookie_is_http_only_same_site_lax_and_secure_when_published_over_https(
    published_app: FastAPI, session: Session
) -> None:
    create_user(
        session=session, email="tove@kommune.dk", name="Tove", role="facilitator", password=PASSWORD
    )
    session.commit()
    client = TestClient(published_app, base_url=published_app.state.settings.base_url)
    login = {"email": "tove@kommune.dk", "password": PASSWORD}
    login["csrf_token"] = _form_token(client, "/login")
    answer = client.post("/login", data=login, follow_redirects=False)
    assert answer.status_code == 303
    https = published_app.state.settings.base_url.startswith("https://")
    _flags_are_right(_set_cookie(answer, "spindelvaev_session"), https)


def test_respondent_key_cookie_is_http_only_same_site_lax_and_secure_when_published_over_https(
    published_app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    assert world.round_a.id is not None
    answer = TestClient(published_app).get(f"/r/{world.round_a.join_code}")
    assert answer.status_code == 200
    https = published_app.state.settings.base_url.startswith("https://")
    _flags_are_right(_set_cookie(answer, key_cookie_name(world.round_a.id)), https)


# --- secrets never appear in logs ---------------------------------------------------------


class _Served:
    """The app served by uvicorn on loopback, its access log going through the root logger."""

    def __init__(self, app: FastAPI) -> None:
        port = free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        # log_config=None: uvicorn leaves logging alone, so its access log reaches caplog.
        # lifespan off: its end would dispose of the engine the other tests share.
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, log_config=None, log_level="debug", lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "_Served":
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert self.server.started, "the service did not start"
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)


def test_passwords_keys_and_tokens_never_appear_in_the_logs(
    app: FastAPI, session: Session, catalogue: Catalogue, caplog: pytest.LogCaptureFixture
) -> None:
    world = build_world(session, catalogue)
    create_user(session=session, email="root@test.dk", name="Root", role="admin", password=PASSWORD)
    session.commit()
    caplog.set_level(logging.DEBUG)
    with _Served(app) as served, httpx.Client(base_url=served.base_url) as admin:
        login = {
            "email": "root@test.dk",
            "password": PASSWORD,
            "csrf_token": _form_token(admin, "/login"),
        }
        assert admin.post("/login", data=login).status_code == 303
        session_secret = admin.cookies["spindelvaev_session"]

        key_page = admin.post(
            "/admin/api-noegler", data={"name": "Lager", "csrf_token": _form_token(admin, "/admin")}
        )
        api_key = re.search(r"spv_[A-Za-z0-9_-]+", key_page.text)
        assert api_key, "the new API key is not shown"
        warehouse = {"Authorization": f"Bearer {api_key[0]}"}
        assert httpx.get(f"{served.base_url}/api/teams", headers=warehouse).status_code == 200

        invite = {
            "name": "Ny",
            "email": "ny@kommune.dk",
            "csrf_token": _form_token(admin, "/admin"),
        }
        invitation = re.search(
            r"/invitation/([A-Za-z0-9_-]+)", admin.post("/admin/brugere", data=invite).text
        )
        assert invitation, "the invitation link is not shown"
        with httpx.Client(base_url=served.base_url) as invited:
            accept = {
                "password": PASSWORD + "!",
                "repeated": PASSWORD + "!",
                "csrf_token": _form_token(invited, f"/invitation/{invitation[1]}"),
            }
            assert invited.post(f"/invitation/{invitation[1]}", data=accept).status_code == 303

        with httpx.Client(base_url=served.base_url) as phone:
            scoring = f"/r/{world.round_a.join_code}"
            token = _form_token(phone, scoring)
            respondent_key = phone.cookies[key_cookie_name(world.round_a.id or 0)]
            statement = catalogue.themes[0].statements[0].id
            answers = {"csrf_token": token, f"s-{statement}": "7"}
            assert phone.post(scoring, data=answers).status_code == 303
            assert phone.get(f"/s/{world.round_a.link_token}").status_code == 200

    secrets = {
        "password": PASSWORD,
        "session secret": app.state.secret_key,
        "session cookie": session_secret,
        "respondent key": respondent_key,
        "API key": api_key[0],
        "invitation token": invitation[1],
        "round link token": world.round_a.link_token,
    }
    # The test's own HTTP client logs the URLs it calls: those lines are not the service's.
    records = [
        record for record in caplog.records if not record.name.startswith(("httpx", "httpcore"))
    ]
    assert any(record.name == "uvicorn.access" for record in records), "no access log captured"
    lines = [f"{record.name}: {record.getMessage()} {record.exc_text or ''}" for record in records]
    leaks = {name: line for name, value in secrets.items() for line in lines if value in line}
    assert leaks == {}


def test_the_access_log_names_the_invitation_route_but_not_its_token(
    app: FastAPI, session: Session, catalogue: Catalogue, caplog: pytest.LogCaptureFixture
) -> None:
    world = build_world(session, catalogue)
    caplog.set_level(logging.INFO, logger="uvicorn.access")
    with _Served(app) as served:
        httpx.get(f"{served.base_url}/invitation/{world.invitation_token}")
    access = [record.getMessage() for record in caplog.records if record.name == "uvicorn.access"]
    assert any('"GET /invitation/… HTTP/1.1" 200' in line for line in access), access


# --- oversized requests are refused, not crashed on ---------------------------------------

ONE_MEGABYTE = "comment=" + "x" * 1_000_000
TEN_THOUSAND_FIELDS = "&".join(f"felt{number}=1" for number in range(10_000))


TARGETS = ("scoring", "login", "API key creation")


def _targets(world: World) -> dict[str, str]:
    return {
        "scoring": f"/r/{world.round_a.join_code}",
        "login": "/login",
        "API key creation": "/admin/api-noegler",  # the JSON API itself only answers GET
    }


@pytest.fixture
def admin_client(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> Iterator[tuple[TestClient, World]]:
    world = build_world(session, catalogue)
    client = TestClient(app)
    act_as(client, app.state.secret_key, world.admin)
    yield client, world


@pytest.mark.parametrize("target", TARGETS)
def test_a_one_megabyte_form_is_refused_with_413(
    target: str, admin_client: tuple[TestClient, World]
) -> None:
    client, world = admin_client
    answer = client.post(
        _targets(world)[target], content=f"csrf_token={CSRF}&{ONE_MEGABYTE}", headers=FORM
    )
    assert answer.status_code == 413
    assert "For meget data" in answer.text


def test_a_one_megabyte_body_to_the_json_api_is_refused_with_413(
    admin_client: tuple[TestClient, World],
) -> None:
    client, _ = admin_client
    answer = client.request("GET", "/api/teams", content=ONE_MEGABYTE, headers=FORM)
    assert answer.status_code == 413
    assert answer.json() == {"detail": "For meget data."}


@pytest.mark.parametrize("target", TARGETS)
def test_a_form_with_ten_thousand_fields_is_refused_with_413_in_danish(
    target: str, admin_client: tuple[TestClient, World]
) -> None:
    client, world = admin_client
    body = f"csrf_token={CSRF}&{TEN_THOUSAND_FIELDS}&" + urlencode(
        {"email": "a@b.dk", "password": "x", "name": "x"}
    )
    answer = client.post(_targets(world)[target], content=body, headers=FORM)
    assert answer.status_code == 413
    assert "felter" in parse(answer.text).get_text()


def test_a_multipart_form_with_ten_thousand_fields_is_refused_with_413(
    admin_client: tuple[TestClient, World],
) -> None:
    client, _ = admin_client
    part = '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n'
    body = part * 10_000 + "--b--\r\n"
    assert len(body) < MAX_BODY_BYTES  # the field count is what is refused, not the size
    answer = client.post(
        "/login", content=body, headers={"content-type": "multipart/form-data; boundary=b"}
    )
    assert answer.status_code == 413
