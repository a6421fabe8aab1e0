"""The JSON API and its keys: who may read what, and keys that stop working."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.db.api_tokens import create_token, revoke_token, user_for_token
from app.db.export import COLUMN_NAMES
from app.db.models import ApiToken, User
from app.errors import InvalidInput
from app.routes.api import ExportRowPublic
from app.themes import Catalogue
from tests.html import parse, text_of
from tests.test_export import client_as, scored_round, statement_ids
from tests.world import CSRF, World, build_world


@pytest.fixture
def world(session: Session, catalogue: Catalogue) -> World:
    return build_world(session, catalogue)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def api_client(app: FastAPI) -> TestClient:
    """A client without any session cookie: only its Authorization header counts."""
    return TestClient(app)


# -- keys --------------------------------------------------------------------------------------


def test_admin_creates_a_key_that_is_shown_once_and_reads_the_api(
    app: FastAPI, session: Session, world: World
) -> None:
    admin = client_as(app, world.admin)

    created = admin.post("/admin/api-noegler", data={"csrf_token": CSRF, "name": "Datavarehus"})
    token = parse(created.text).select_one(".notice code.copy")
    assert created.status_code == 200 and token is not None
    key = token.get_text()
    listed = admin.get("/admin/api-noegler")
    teams = api_client(app).get("/api/teams", headers=bearer(key))

    assert key.startswith("spv_")
    assert key not in listed.text  # shown once, never again
    assert "Datavarehus" in text_of(listed.text)
    assert teams.status_code == 200
    assert [team["name"] for team in teams.json()] == ["Team A", "Team B"]
    stored = session.exec(select(ApiToken)).one()
    assert stored.token_hash != key and key not in stored.token_hash
    session.refresh(stored)
    assert stored.last_used_at is not None


def test_a_revoked_key_gets_401(app: FastAPI, session: Session, world: World) -> None:
    api_token, key = create_token(session=session, user=world.admin, name="Lager")
    session.commit()
    client = api_client(app)
    assert client.get("/api/teams", headers=bearer(key)).status_code == 200

    revoked = client_as(app, world.admin).post(
        "/admin/api-noegler/tilbagekald",
        data={"csrf_token": CSRF, "token_id": str(api_token.id)},
        follow_redirects=False,
    )
    refused = client.get("/api/teams", headers=bearer(key))

    assert revoked.status_code == 303
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"
    assert refused.json() == {"detail": "API-nøglen er ugyldig eller tilbagekaldt."}


def test_a_key_of_a_deactivated_admin_gets_401(
    app: FastAPI, session: Session, world: World
) -> None:
    _, key = create_token(session=session, user=world.admin, name="Lager")
    session.commit()
    world.admin.is_active = False
    session.add(world.admin)
    session.commit()
    assert api_client(app).get("/api/teams", headers=bearer(key)).status_code == 401


def test_a_key_stops_working_when_its_admin_becomes_a_facilitator(
    app: FastAPI, session: Session, world: World
) -> None:
    _, key = create_token(session=session, user=world.admin, name="Lager")
    session.commit()
    world.admin.role = "facilitator"
    session.add(world.admin)
    session.commit()
    assert api_client(app).get("/api/teams", headers=bearer(key)).status_code == 401


@pytest.mark.parametrize(
    "header", ["Bearer spv_findes-ikke", "Bearer ", "Basic YWRtaW46c2VjcmV0", "spv_uden-type"]
)
def test_a_wrong_or_malformed_key_gets_401_even_with_a_session(
    app: FastAPI, world: World, header: str
) -> None:
    client = client_as(app, world.admin)  # a bad key is refused, not quietly ignored
    response = client.get("/api/teams", headers={"Authorization": header})
    assert response.status_code == 401


def test_a_facilitator_cannot_create_keys(app: FastAPI, session: Session, world: World) -> None:
    response = client_as(app, world.facilitator_a).post(
        "/admin/api-noegler", data={"csrf_token": CSRF, "name": "Mit lager"}
    )
    assert response.status_code == 403
    assert session.exec(select(ApiToken)).all() == []
    with pytest.raises(InvalidInput):
        create_token(session=session, user=world.facilitator_a, name="Mit lager")
        session.commit()


def test_a_key_needs_a_name(app: FastAPI, session: Session, world: World) -> None:
    response = client_as(app, world.admin).post(
        "/admin/api-noegler", data={"csrf_token": CSRF, "name": "   "}
    )
    assert response.status_code == 422
    assert "Udfyld feltet »Navn«." in text_of(response.text)
    assert session.exec(select(ApiToken)).all() == []


def test_revoking_twice_or_an_unknown_key_changes_nothing(session: Session, world: World) -> None:
    api_token, key = create_token(session=session, user=world.admin, name="Lager")
    session.commit()
    revoke_token(session=session, token_id=api_token.id or 0)
    session.commit()
    session.refresh(api_token)
    first_revocation = api_token.revoked_at
    revoke_token(session=session, token_id=api_token.id or 0)
    session.commit()
    revoke_token(session=session, token_id=999_999)
    session.commit()
    session.refresh(api_token)
    assert api_token.revoked_at == first_revocation
    assert user_for_token(session=session, token=key) is None


def test_last_use_is_recorded_at_most_once_a_minute(session: Session, world: World) -> None:
    api_token, key = create_token(session=session, user=world.admin, name="Lager")
    session.commit()
    assert user_for_token(session=session, token=key) == world.admin
    session.refresh(api_token)
    first = api_token.last_used_at
    assert first is not None
    user_for_token(session=session, token=key)
    session.refresh(api_token)
    assert api_token.last_used_at == first
    api_token.last_used_at = datetime.now(UTC) - timedelta(minutes=5)
    session.add(api_token)
    session.commit()
    user_for_token(session=session, token=key)
    session.refresh(api_token)
    assert api_token.last_used_at is not None and api_token.last_used_at > first


def test_the_api_without_login_or_key_answers_401_in_json(app: FastAPI, world: World) -> None:
    response = api_client(app).get("/api/teams")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_keys_page_lists_every_admins_keys_with_owner_and_status(
    app: FastAPI, session: Session, world: World
) -> None:
    other = User(email="chef2@test.dk", name="Anden Chef", role="admin")
    session.add(other)
    session.commit()
    session.refresh(other)
    create_token(session=session, user=other, name="Andens nøgle")
    session.commit()
    revoked, _ = create_token(session=session, user=world.admin, name="Gammel")
    session.commit()
    revoke_token(session=session, token_id=revoked.id or 0)
    session.commit()

    page = client_as(app, world.admin).get("/admin/api-noegler")

    rows = [" ".join(row.get_text(" ").split()) for row in parse(page.text).select("tbody tr")]
    assert rows[0].startswith("Gammel Admin") and "Tilbagekaldt" in rows[0]
    assert rows[1].startswith("Andens nøgle Anden Chef") and "Aktiv" in rows[1]
    assert len(parse(page.text).select("form[action='/admin/api-noegler/tilbagekald']")) == 1


# -- the JSON API ------------------------------------------------------------------------------


def test_teams_are_those_the_caller_may_see(app: FastAPI, world: World) -> None:
    response = client_as(app, world.facilitator_a).get("/api/teams")
    assert response.json() == [
        {
            "id": world.team_a.id,
            "name": "Team A",
            "unit_id": world.team_a.unit_id,
            "unit": "Skoleområde Test",
            "expected_size": 5,
        }
    ]


def test_rounds_of_a_team_with_status_and_number_of_responses(
    app: FastAPI, session: Session, catalogue: Catalogue, world: World
) -> None:
    first, _ = statement_ids(catalogue)
    closed = scored_round(session, catalogue, world.team_a, [(None, {first: 5})] * 2)

    response = client_as(app, world.facilitator_a).get(f"/api/teams/{world.team_a.id}/runder")

    assert response.status_code == 200
    rounds = response.json()
    # Oldest first by when each round was held: the closed one was opened in March, before the
    # open round was opened, although it was created (by the test) after it.
    assert [(r["id"], r["status"], r["responses"]) for r in rounds] == [
        (closed.id, "closed", 2),
        (world.round_a.id, "open", 1),
    ]
    assert rounds[0]["opened_at"].startswith("2026-03-02T09:00")
    assert rounds[0]["themes"] == [catalogue.themes[0].id]
    assert rounds[0]["colour"].startswith("#")


def test_rounds_of_another_team_are_refused_and_of_no_team_not_found(
    app: FastAPI, world: World
) -> None:
    client = client_as(app, world.facilitator_a)
    assert client.get(f"/api/teams/{world.team_b.id}/runder").status_code == 403
    assert client.get("/api/teams/999999/runder").status_code == 404


def test_export_as_json_lines_with_a_key_has_the_codebooks_columns(
    app: FastAPI, session: Session, catalogue: Catalogue, world: World
) -> None:
    first, _ = statement_ids(catalogue)
    scored_round(session, catalogue, world.team_b, [("laerer", {first: 6})] * 3)
    scored_round(session, catalogue, world.team_a, [("laerer", {first: 6})] * 2)
    _, key = create_token(session=session, user=world.admin, name="Lager")
    session.commit()

    response = api_client(app).get("/api/eksport/svar", headers=bearer(key))

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    assert response.headers["x-spindelvaev-udeladte-runder"] == "1"
    rows = [json.loads(line) for line in response.text.splitlines()]
    assert len(rows) == 3
    assert all(tuple(row) == COLUMN_NAMES for row in rows)
    assert {(row["team"], row["profession"], row["value"]) for row in rows} == {
        ("Team B", None, 6)  # one profession only: no split is shown, as on the page
    }
    ExportRowPublic.model_validate(rows[0])


def test_openapi_documents_the_api_in_danish_with_the_export_row_schema(app: FastAPI) -> None:
    spec = api_client(app).get("/api/openapi.json").json()
    operations = {
        path: spec["paths"][path]["get"]
        for path in ("/api/teams", "/api/teams/{team_id}/runder", "/api/eksport/svar")
    }
    assert {op["summary"] for op in operations.values()} == {
        "De teams, du har adgang til",
        "Et teams runder",
        "Alle vurderinger som JSON Lines",
    }
    assert all(op["tags"] for op in operations.values())
    ndjson = operations["/api/eksport/svar"]["responses"]["200"]["content"]
    assert tuple(ndjson["application/x-ndjson"]["schema"]["properties"]) == COLUMN_NAMES
    assert tuple(ExportRowPublic.model_fields) == COLUMN_NAMES
    assert "API-nøgle" in spec["components"]["securitySchemes"]
    assert not any(
        path.startswith("/admin") or path.startswith("/eksport") for path in spec["paths"]
    )
