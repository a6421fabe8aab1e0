"""Every act the audit log records writes exactly one entry: one table, SQLite and PostgreSQL."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.core.passwords import hash_password
from app.core.scoring import Answer
from app.db.api_tokens import create_token
from app.db.models import AuditEntry, Round, User
from app.db.responses import save_response
from app.db.rounds import close_round, create_round
from app.themes import Catalogue
from tests.world import CSRF, World, act_as, build_world


@dataclass(frozen=True)
class Act:
    """An act done over HTTP by one of the world's users, and the entry it must leave."""

    method: str
    path: str  # formatted with the ids that `prepare` returns
    kind: str
    actor: str = "facilitator_a"  # a World attribute; "" for an anonymous visitor
    form: dict[str, str] = field(default_factory=dict)
    prepare: Callable[[Session, Catalogue, World], dict[str, Any]] | None = None
    logged_by: str | None = "actor"  # or the World user the entry names; None: no actor
    detail: str = ""  # a part the entry's detail must hold
    on_round: bool = False
    status: tuple[int, ...] = (200, 303)


def _draft(session: Session, catalogue: Catalogue, world: World) -> dict[str, Any]:
    round_ = create_round(
        session=session,
        catalogue=catalogue,
        team_id=world.team_a.id or 0,
        label="Kladde",
        theme_ids=[catalogue.themes[0].id],
    )
    return {"round": round_.id}


def _closed(session: Session, catalogue: Catalogue, world: World) -> dict[str, Any]:
    round_ = session.get_one(Round, world.round_a.id)
    statement = catalogue.themes[0].statements[0].id
    for n in range(2):
        save_response(
            session=session,
            round_id=round_.id or 0,
            respondent_key=f"another-respondent-{n}",
            profession=None,
            answers={statement: Answer(value=7)},
        )
    close_round(session=session, round_=round_)
    return {"round": round_.id}


def _open(session: Session, catalogue: Catalogue, world: World) -> dict[str, Any]:
    return {"round": world.round_a.id}


def _token(session: Session, catalogue: Catalogue, world: World) -> dict[str, Any]:
    api_token, _ = create_token(session=session, user=world.admin, name="Gammel nøgle")
    return {"token": api_token.id}


STRONG = "Grøn-kaffekop-ved-fjorden-17"
STRONGER = "Blå-cykel-under-egetræet-42"


def _passwords(session: Session, catalogue: Catalogue, world: World) -> dict[str, Any]:
    for user in (world.facilitator_a, world.facilitator_b):
        user.password_hash = hash_password(STRONG)
        session.add(user)
    return {"email": world.facilitator_a.email}


ACTS = {
    "failed login": Act(
        "POST",
        "/login",
        "login.failed",
        actor="",
        form={"email": "a@test.dk", "password": "forkert"},
        logged_by=None,
        status=(422,),
    ),
    "login succeeded": Act(
        "POST",
        "/login",
        "login.succeeded",
        actor="",
        form={"email": "{email}", "password": STRONG},
        prepare=_passwords,
        logged_by="facilitator_a",
    ),
    "password changed": Act(
        "POST",
        "/konto/adgangskode",
        "password.changed",
        form={"current": STRONG, "password": STRONGER, "repeated": STRONGER},
        prepare=_passwords,
    ),
    "password reset issued": Act(
        "POST",
        "/admin/brugere/{fac_b}/invitation",
        "password.reset_issued",
        actor="admin",
        prepare=_passwords,
    ),
    "logout": Act("POST", "/logout", "logout"),
    "sessions ended": Act("POST", "/konto/log-ud-overalt", "sessions.ended"),
    "invitation used": Act(
        "POST",
        "/invitation/{invitation}",
        "password.set",
        actor="invited",
        form={"password": STRONG, "repeated": STRONG},
    ),
    "invitation issued": Act(
        "POST", "/admin/brugere/{invited}/invitation", "invitation.issued", actor="admin"
    ),
    "user deactivated": Act(
        "POST",
        "/admin/brugere/{fac_b}/aktiv",
        "user.deactivated",
        actor="admin",
        form={"active": "false"},
    ),
    "user activated": Act(
        "POST",
        "/admin/brugere/{gone}/aktiv",
        "user.activated",
        actor="admin",
        form={"active": "true"},
    ),
    "role changed": Act(
        "POST",
        "/admin/brugere/{fac_b}/rolle",
        "user.role_changed",
        actor="admin",
        form={"role": "admin"},
    ),
    "team created": Act(
        "POST",
        "/admin/teams",
        "team.created",
        actor="admin",
        form={"name": "Team Syd", "unit_id": "{unit}", "expected_size": "6"},
        detail="Team Syd",
    ),
    "facilitators changed": Act(
        "POST",
        "/admin/teams/{team}/moedeledere",
        "team.facilitators_changed",
        actor="admin",
        form={"facilitator_ids": "{fac_b}"},
    ),
    "round created": Act(
        "POST",
        "/teams/{team}/runder/ny",
        "round.created",
        form={"label": "Forår", "themes": "ledelse"},
        detail="Forår",
    ),
    "round opened": Act("POST", "/runder/{round}/aabn", "round.opened", prepare=_draft),
    "round closed": Act(
        "POST", "/runder/{round}/luk", "round.closed", form={"confirm": "ja"}, prepare=_open
    ),
    "round reopened": Act("POST", "/runder/{round}/genaabn", "round.reopened", prepare=_closed),
    "round deleted": Act(
        "POST", "/runder/{round}/slet", "round.deleted", prepare=_draft, detail="Kladde"
    ),
    "results first shown": Act(
        "GET",
        "/runder/{round}/resultater",
        "results.first_shown",
        prepare=_closed,
        logged_by=None,
        on_round=True,
    ),
    "team renamed": Act(
        "POST", "/teams/{team}", "team.changed", form={"name": "Team Nord"}, detail="Team Nord"
    ),
    "team size changed": Act(
        "POST",
        "/teams/{team}",
        "team.changed",
        actor="admin",
        form={"name": "Team A", "expected_size": "9"},
        detail="5 → 9",
    ),
    "CSV export": Act("GET", "/eksport/svar.csv?team={team}", "export.downloaded", detail="csv"),
    "XLSX export": Act("GET", "/eksport/svar.xlsx", "export.downloaded", detail="xlsx"),
    "API export": Act(
        "GET", "/api/eksport/svar", "export.downloaded", actor="admin", detail="jsonl"
    ),
    "API key created": Act(
        "POST",
        "/admin/api-noegler",
        "api_key.created",
        actor="admin",
        form={"name": "Datavarehus"},
        detail="Datavarehus",
    ),
    "API key revoked": Act(
        "POST",
        "/admin/api-noegler/tilbagekald",
        "api_key.revoked",
        actor="admin",
        form={"token_id": "{token}"},
        prepare=_token,
        detail="Gammel nøgle",
    ),
}


def _new_entries(session: Session, after: int) -> list[AuditEntry]:
    session.expire_all()
    query = select(AuditEntry).where(col(AuditEntry.id) > after).order_by(col(AuditEntry.id))
    return list(session.exec(query).all())


@pytest.mark.parametrize("name", ACTS)
def test_each_act_writes_exactly_one_audit_entry(
    name: str, app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    act = ACTS[name]
    world = build_world(session, catalogue)
    ids: dict[str, Any] = {
        "team": world.team_a.id,
        "unit": world.team_a.unit_id,
        "fac_b": world.facilitator_b.id,
        "invited": world.invited.id,
        "gone": world.deactivated.id,
        "invitation": world.invitation_token,
    }
    if act.prepare is not None:
        ids |= act.prepare(session, catalogue, world)
    session.commit()
    before = max(session.exec(select(AuditEntry.id)).all(), default=0) or 0
    actor: User | None = getattr(world, act.actor) if act.actor else None
    with TestClient(app) as client:
        act_as(client, app.state.settings.signing_key(), actor)
        form = {"csrf_token": CSRF} | {k: v.format(**ids) for k, v in act.form.items()}
        response = client.request(
            act.method,
            act.path.format(**ids),
            data=form if act.method == "POST" else None,
            follow_redirects=False,
        )
    assert response.status_code in act.status, response.text[:300]
    entries = _new_entries(session, before)
    assert [entry.kind for entry in entries] == [act.kind]
    entry = entries[0]
    named = actor if act.logged_by == "actor" else getattr(world, act.logged_by or "", None)
    assert entry.actor_id == (named.id if named else None)
    assert act.detail in entry.detail
    if act.on_round:
        assert entry.round_id == ids["round"]
    # Never a respondent's key, an answer or a secret.
    assert world.respondent_key not in entry.detail
    assert CSRF not in entry.detail
    assert world.invitation_token not in entry.detail
    assert STRONG not in entry.detail and STRONGER not in entry.detail


def test_results_shown_again_write_no_second_entry(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    round_id = _closed(session, catalogue, world)["round"]
    session.commit()
    with TestClient(app) as client:
        act_as(client, app.state.settings.signing_key(), world.facilitator_a)
        for _ in range(2):
            assert client.get(f"/runder/{round_id}/resultater").status_code == 200
    kinds = [e.kind for e in _new_entries(session, 0) if e.kind == "results.first_shown"]
    assert kinds == ["results.first_shown"]


def test_an_api_key_used_twice_within_a_minute_writes_one_entry_without_the_key(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    api_token, key = create_token(session=session, user=world.admin, name="Lager")
    session.commit()
    with TestClient(app) as client:
        for _ in range(2):
            answer = client.get("/api/teams", headers={"Authorization": f"Bearer {key}"})
            assert answer.status_code == 200
    used = [e for e in _new_entries(session, 0) if e.kind == "api_key.used"]
    assert [(e.actor_id, e.detail) for e in used] == [
        (world.admin.id, f"Lager (nøgle {api_token.id})")
    ]
    assert key not in used[0].detail
