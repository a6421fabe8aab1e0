"""The respondent's side: join with a code or link, score on the phone, come back and change."""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated
from urllib.parse import parse_qsl, quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import Table, bindparam
from sqlalchemy import select as core_select
from sqlmodel import Session, select
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException

from app.config import Settings
from app.core.rounds import RoundStatus, effective_status, normalise_join_code
from app.core.scoring import (
    DONT_KNOW,
    GENERAL,
    MAX_COMMENT_LENGTH,
    MAX_FORM_BYTES,
    MAX_FORM_FIELDS,
    Submission,
    ThemeGroup,
    group_statements,
    parse_submission,
)
from app.db.drafts import delete_closed_drafts, find_draft, save_draft
from app.db.models import Round, RoundStatement, Score, Team
from app.db.responses import find_response, new_respondent_key, save_response
from app.db.results import round_report
from app.db.rounds import count_responses, round_statements
from app.errors import Conflict, InvalidInput, NotFound, SpindelvaevError, TooManyRequests
from app.themes import Catalogue
from app.web.csrf import FIELD_NAME as CSRF_FIELD
from app.web.csrf import respondent_token, respondent_token_ok
from app.web.deps import CatalogueDep, SessionDep, SettingsDep
from app.web.respondent import join_guesser, join_missed, key_cookie_name
from app.web.templating import render

router = APIRouter(include_in_schema=False)

KEY_COOKIE_MAX_AGE = 60 * 60 * 24 * 365
URLENCODED = "application/x-www-form-urlencoded"
_KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{32,64}")
CLOSED_MESSAGES = {
    RoundStatus.DRAFT: "Runden er ikke åbnet endnu. Prøv igen, når mødelederen har åbnet den.",
    RoundStatus.CLOSED: (
        "Runden er lukket, så der kan ikke længere svares. Tak til alle, der svarede."
    ),
}
ALL_SCREENS = "alle"  # ?tema=alle: every theme on one page
GO_TO = "gaa_til"  # the draft buttons' field: "tema-3" or "ubesvaret-2" (from screen 2)
STALE_FORM = (
    "Siden kunne ikke bekræftes (måske var cookies slået fra). Tjek dine svar, og send igen."
)
NOT_STORED_MESSAGES = {
    RoundStatus.DRAFT: "Runden er ikke åbnet endnu, så dine svar kunne ikke gemmes.",
    RoundStatus.CLOSED: "Runden er lukket, så dine svar kunne ikke gemmes.",
}


class PayloadTooLarge(SpindelvaevError):
    """The body is bigger, or has more fields, than any real scoring form."""

    status_code = 413
    title = "For meget data"


async def scoring_form(request: Request) -> FormData:
    """The submitted form, refused before it is parsed when it is too big or has too many fields."""
    length = request.headers.get("content-length", "")
    if not length.isdigit():
        raise InvalidInput("Formularen kunne ikke læses. Genindlæs siden og prøv igen.")
    if int(length) > MAX_FORM_BYTES:
        raise PayloadTooLarge("Formularen fylder mere, end en besvarelse kan. Intet er gemt.")
    too_many = PayloadTooLarge("Formularen har flere felter, end en besvarelse kan.")
    if request.headers.get("content-type", "").startswith(URLENCODED):
        # What browsers send. The standard library reads it several times faster than the
        # framework's streaming parser, which cost a tenth of a submission (bench/load.py).
        # Decoded as the framework does: percent escapes as UTF-8, bad bytes replaced.
        body = (await request.body()).decode("latin-1")
        try:
            fields = parse_qsl(body, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
        except ValueError as exc:
            raise too_many from exc
        return FormData([(name, value) for name, value in fields])
    try:
        return await request.form(
            max_files=0, max_fields=MAX_FORM_FIELDS, max_part_size=MAX_FORM_BYTES
        )
    except HTTPException as exc:
        raise too_many from exc


ScoringFormDep = Annotated[FormData, Depends(scoring_form)]


def _respondent_key(request: Request, round_id: int) -> str | None:
    key = request.cookies.get(key_cookie_name(round_id), "")
    return key if _KEY_PATTERN.fullmatch(key) else None


def _remember_key(response: Response, round_id: int, key: str, settings: Settings) -> None:
    response.set_cookie(
        key_cookie_name(round_id),
        key,
        max_age=KEY_COOKIE_MAX_AGE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )


def _code_page(request: Request, *, code: str = "", message: str = "", status: int) -> Response:
    return render(request, "respond_code.html", status, code=code[:20], message=message)


def _previous_answers(*, session: Session, round_: Round, key: str | None) -> Submission | None:
    """What this phone answered last time, in the shape of a submitted form."""
    assert round_.id is not None
    if key is None:
        return None
    response = find_response(session=session, round_id=round_.id, respondent_key=key)
    if response is None:
        return None
    scores = session.exec(
        select(Score.statement_id, Score.value, Score.comment).where(
            Score.response_id == response.id
        )
    ).all()
    return Submission(
        values={sid: DONT_KNOW if value is None else str(value) for sid, value, _ in scores},
        comments={sid: comment for sid, _, comment in scores if comment},
        entered_profession=response.profession or "",
    )


@dataclass(frozen=True)
class Screen:
    """Which theme of the round the scoring page shows: its number from 1, or all of them."""

    number: int | None  # None: every theme on one page
    count: int

    @classmethod
    def read(cls, text: str, count: int) -> "Screen":
        """The screen a `tema` query asks for; the first one when it asks for none we have."""
        if text == ALL_SCREENS or count <= 1:
            return cls(None if text == ALL_SCREENS else 1, count)
        number = int(text) if text.isascii() and text.isdigit() else 1
        return cls(number if 1 <= number <= count else 1, count)


def _provenance(catalogue: Catalogue, statements: list[RoundStatement]) -> dict[str, str]:
    """Each statement's label "Formulering fra / Afledt af materialet", where the round's frozen
    wording is still the catalogue's (an older wording's origin is not known)."""
    current = {statement.id: statement for statement in catalogue.all_statements()}
    return {
        s.statement_id: current[s.statement_id].provenance_label
        for s in statements
        if s.statement_id in current and current[s.statement_id].text == s.text
    }


def _scoring_page(
    request: Request,
    *,
    session: Session,
    catalogue: Catalogue,
    round_: Round,
    submission: Submission,
    key: str,
    screen_text: str = ALL_SCREENS,
    notice: str = "",
    unsent: bool = False,
    status: int = 200,
) -> Response:
    assert round_.id is not None
    statements = round_statements(session=session, round_id=round_.id)
    themes = group_statements(statements)
    screen = Screen.read(screen_text, len(themes))
    shown = themes if screen.number is None else [themes[screen.number - 1]]
    shown_ids = {s.statement_id for theme in shown for area in theme.areas for s in area.statements}
    token = respondent_token(request.app.state.secret_key, round_.id, key)
    catalogue_themes = {theme.id: theme for theme in catalogue.themes}
    return render(
        request,
        "respond_score.html",
        status,
        round=round_,
        team=session.get(Team, round_.team_id),
        themes=shown,
        screen=screen,
        # The other screens' answers travel along, so the last screen's Send holds them all.
        carried=[s for s in statements if s.statement_id not in shown_ids],
        catalogue_themes=catalogue_themes,
        provenance=_provenance(catalogue, statements),
        statement_count=len(statements),
        answered=sum(1 for s in statements if submission.values.get(s.statement_id)),
        texts={statement.statement_id: statement.text for statement in statements},
        scale=catalogue.scale,
        professions=catalogue.professions,
        form=submission,
        notice=notice,
        unsent=unsent,
        form_token=token,
        max_comment=MAX_COMMENT_LENGTH,
        min_group_size=request.app.state.settings.min_group_size,
    )


RETURNING = "Du har svaret før. Dine svar står herunder, og du kan rette dem, indtil runden lukkes."
UNSENT = (
    "Dine svar er gemt som kladde, men ikke sendt. De tæller først med, når du trykker "
    "»Send mine svar« på sidste skærm."
)


def _show_round(
    request: Request,
    session: Session,
    catalogue: Catalogue,
    settings: Settings,
    round_: Round,
    screen: str = "",
) -> Response:
    """The scoring page of an open round (with this phone's draft or answers), else why not."""
    status = effective_status(round_)
    assert round_.id is not None
    known_key = _respondent_key(request, round_.id)
    if status != RoundStatus.OPEN:
        if status == RoundStatus.CLOSED:
            delete_closed_drafts(session=session)
        return _closed_page(request, session, catalogue, settings, round_, status, known_key)
    draft = None
    if known_key is not None:
        draft = find_draft(session=session, round_id=round_.id, respondent_key=known_key)
    previous = _previous_answers(session=session, round_=round_, key=known_key)
    notice = UNSENT if draft else RETURNING if previous else ""
    key = known_key or new_respondent_key()
    response = _scoring_page(
        request,
        session=session,
        catalogue=catalogue,
        round_=round_,
        submission=draft or previous or Submission(),
        key=key,
        screen_text=screen or "1",
        notice=notice,
        unsent=draft is not None,
    )
    # Set before the first submit, so a double tap sends the same key twice.
    _remember_key(response, round_.id, key, settings)
    return response


def _closed_page(
    request: Request,
    session: Session,
    catalogue: Catalogue,
    settings: Settings,
    round_: Round,
    status: RoundStatus,
    key: str | None,
) -> Response:
    """Why the round takes no answers; after close, this phone's own scores beside the team's."""
    own = _previous_answers(session=session, round_=round_, key=key)
    if status == RoundStatus.CLOSED and own is None and round_.results_released:
        # The link and QR code that people keep lead on to the team radar the facilitator shared.
        return RedirectResponse(f"/r/{round_.join_code}/resultater", status_code=303)
    if status != RoundStatus.CLOSED or own is None:
        message = CLOSED_MESSAGES[status]
        closed = status == RoundStatus.CLOSED
        context = {"round": round_, "message": message, "closed": closed}
        return render(request, "respond_closed.html", 409, **context)
    assert round_.id is not None
    team_results = None
    if round_.results_released:
        # The same figures the released team radar shows: none under the small-group limit.
        report = round_report(
            session=session,
            round_=round_,
            team=session.get_one(Team, round_.team_id),
            k=settings.min_group_size,
            min_share=settings.min_share,
            profession_labels={},
            detailed=False,
        )
        if report.enough:
            team_results = {item.info.id: item for t in report.themes for item in t.statements}
    statements = round_statements(session=session, round_id=round_.id)
    return render(
        request,
        "respond_own.html",
        round=round_,
        themes=group_statements(statements),
        own=own,
        team_results=team_results,
        scale=catalogue.scale,
    )


@router.get("/r", response_class=HTMLResponse)
def join_with_code(request: Request, kode: str = "") -> Response:
    """The start page's code form lands here and goes on to the round's page."""
    code = normalise_join_code(kode)
    if not code:
        # Opened without a code (or with only spaces): the field, with nothing marked wrong yet.
        return _code_page(request, status=200)
    return RedirectResponse(f"/r/{quote(code, safe='')}", status_code=303)


@router.get("/r/{code}", response_class=HTMLResponse)
def scoring_page(
    request: Request,
    code: str,
    session: SessionDep,
    catalogue: CatalogueDep,
    settings: SettingsDep,
    tema: str = "",
) -> Response:
    """The scoring page of the open round with this join code: one theme per screen."""
    canonical = normalise_join_code(code)
    if canonical != code and canonical:
        query = f"?tema={quote(tema, safe='')}" if tema else ""
        return RedirectResponse(f"/r/{quote(canonical, safe='')}{query}", status_code=303)
    try:
        guesser = join_guesser(request, session)
    except TooManyRequests as error:  # the code form again, so the phone can retry later
        return _code_page(request, code=code, message=error.message, status=429)
    round_ = session.exec(select(Round).where(Round.join_code == canonical)).first()
    if round_ is None:
        join_missed(session, guesser)
        message = f"Der er ingen runde med koden »{code[:20]}«. Tjek koden og prøv igen."
        return _code_page(request, code=code, message=message, status=404)
    return _show_round(request, session, catalogue, settings, round_, tema)


@router.get("/s/{link_token}", response_class=HTMLResponse)
def scoring_page_by_link(
    request: Request,
    link_token: str,
    session: SessionDep,
    catalogue: CatalogueDep,
    settings: SettingsDep,
) -> Response:
    """The same scoring page, reached through the round's long secret link."""
    round_ = session.exec(select(Round).where(Round.link_token == link_token)).first()
    if round_ is None:
        message = "Linket virker ikke. Skriv i stedet koden, du har fået."
        return _code_page(request, message=message, status=404)
    return _show_round(request, session, catalogue, settings, round_)


@dataclass(frozen=True)
class RoundTakingAnswers:
    """What storing a submission needs of its round (read in one small query)."""

    id: int
    join_code: str
    status: str
    closes_at: datetime | None
    team_size: int


ROUND: Table = Round.__table__  # type: ignore[attr-defined]
ROUND_STATEMENT: Table = RoundStatement.__table__  # type: ignore[attr-defined]
# Built once, so each submission only binds its values (see app/db/responses.py). The round is
# locked until the answers are stored (PostgreSQL), so it cannot close halfway, and submissions
# to one round queue up, so the count against the team's size is exact.
_ROUND_BY_CODE = (
    core_select(ROUND.c.id, ROUND.c.join_code, ROUND.c.status, ROUND.c.closes_at, ROUND.c.team_size)
    .where(ROUND.c.join_code == bindparam("b_code"))
    .with_for_update()
)
_STATEMENT_IDS = core_select(ROUND_STATEMENT.c.statement_id).where(
    ROUND_STATEMENT.c.round_id == bindparam("b_round_id")
)


def _round_taking_answers(*, session: Session, code: str) -> RoundTakingAnswers:
    """The open round with this code; NotFound or Conflict (in Danish) otherwise."""
    row = session.connection().execute(_ROUND_BY_CODE, {"b_code": code}).first()
    if row is None:
        raise NotFound(f"Der er ingen runde med koden »{code[:20]}«.")
    round_ = RoundTakingAnswers(*row)
    status = effective_status(round_)
    if status != RoundStatus.OPEN:
        raise Conflict(NOT_STORED_MESSAGES[status])
    return round_


@router.post("/r/{code}", response_class=HTMLResponse)
def submit_answers(
    request: Request,
    code: str,
    form: ScoringFormDep,
    session: SessionDep,
    catalogue: CatalogueDep,
    settings: SettingsDep,
) -> Response:
    """Store this phone's answers (replacing earlier ones), or show the form again with why not."""
    guesser = join_guesser(request, session)
    try:
        round_ = _round_taking_answers(session=session, code=normalise_join_code(code))
    except NotFound:
        join_missed(session, guesser)
        raise
    connection = session.connection()
    in_round = connection.execute(_STATEMENT_IDS, {"b_round_id": round_.id}).scalars()
    submission = parse_submission(
        fields=form.multi_items(),
        round_statement_ids=set(in_round),
        catalogue_statement_ids=catalogue.statement_ids(),
        profession_ids=catalogue.profession_ids(),
        ignore={CSRF_FIELD},
    )
    key = _respondent_key(request, round_.id)
    secret = request.app.state.secret_key
    trusted = respondent_token_ok(secret, round_.id, key, form.get(CSRF_FIELD))
    if not trusted:
        # Cookie gone or form from elsewhere: show the answers again with a fresh token.
        submission.fail(GENERAL, STALE_FORM)
    if submission.errors:
        key = key or new_respondent_key()
        status = 422 if trusted else 403
        full_round = session.get_one(Round, round_.id)
        response = _rejected(request, session, catalogue, full_round, submission, key, status)
        _remember_key(response, round_.id, key, settings)
        return response
    assert key is not None
    response = RedirectResponse(f"/r/{round_.join_code}/tak", status_code=303)
    _remember_key(response, round_.id, key, settings)
    save_response(
        session=session,
        round_id=round_.id,
        respondent_key=key,
        profession=submission.profession,
        answers=submission.answers,
        max_responses=round_.team_size,
    )
    return response


def _unanswered_target(
    themes: list[ThemeGroup[RoundStatement]], values: dict[str, str], start: int
) -> str:
    """The screen and anchor of the first unanswered statement from screen `start` on (wrapping)."""
    order = [*range(start, len(themes) + 1), *range(1, start)]
    for number in order:
        for area in themes[number - 1].areas:
            for statement in area.statements:
                if not values.get(statement.statement_id):
                    return f"?tema={number}#q-{statement.statement_id}"
    return f"?tema={len(themes)}#send"


def _draft_target(
    go_to: object, themes: list[ThemeGroup[RoundStatement]], values: dict[str, str]
) -> str:
    """Where a draft button leads: "tema-N" to screen N, "ubesvaret-N" to the next unanswered."""
    kind, _, number_text = str(go_to).partition("-")
    if number_text == ALL_SCREENS:
        return f"?tema={ALL_SCREENS}"
    number = Screen.read(number_text, len(themes)).number or 1
    if kind == "ubesvaret":
        return _unanswered_target(themes, values, number)
    return f"?tema={number}"


@router.post("/r/{code}/kladde", response_class=HTMLResponse)
def save_draft_step(
    request: Request,
    code: str,
    form: ScoringFormDep,
    session: SessionDep,
    catalogue: CatalogueDep,
    settings: SettingsDep,
) -> Response:
    """One step of the scoring form: keep what was entered as this phone's draft, go on.

    A draft is not an answer: nothing is counted until »Send mine svar«.
    """
    guesser = join_guesser(request, session)
    code = normalise_join_code(code)
    # No lock on the round, unlike a submission: drafts never hold up the answers being sent.
    found = session.exec(select(Round).where(Round.join_code == code)).first()
    if found is None:
        join_missed(session, guesser)
        raise NotFound(f"Der er ingen runde med koden »{code[:20]}«.")
    round_status = effective_status(found)
    if round_status != RoundStatus.OPEN:
        raise Conflict(NOT_STORED_MESSAGES[round_status])
    round_, round_id = found, found.id
    assert round_id is not None
    statements = round_statements(session=session, round_id=round_id)
    entered = parse_submission(
        fields=form.multi_items(),
        round_statement_ids={s.statement_id for s in statements},
        catalogue_statement_ids=catalogue.statement_ids(),
        profession_ids=catalogue.profession_ids(),
        ignore={CSRF_FIELD, GO_TO},
    )
    in_round = {s.statement_id for s in statements}
    entered.values = {sid: v for sid, v in entered.values.items() if sid in in_round}
    entered.comments = {sid: c for sid, c in entered.comments.items() if sid in in_round}
    key = _respondent_key(request, round_id)
    if not respondent_token_ok(request.app.state.secret_key, round_id, key, form.get(CSRF_FIELD)):
        # Cookie gone or form from elsewhere: nothing kept on the server, everything shown again.
        entered.errors = {GENERAL: STALE_FORM}
        key = key or new_respondent_key()
        response = _scoring_page(
            request,
            session=session,
            catalogue=catalogue,
            round_=round_,
            submission=entered,
            key=key,
            status=403,
        )
        _remember_key(response, round_id, key, settings)
        return response
    assert key is not None
    if entered.values or entered.comments or entered.entered_profession:
        save_draft(session=session, round_id=round_id, respondent_key=key, entered=entered)
    delete_closed_drafts(session=session)
    target = _draft_target(form.get(GO_TO), group_statements(statements), entered.values)
    return RedirectResponse(f"/r/{round_.join_code}{target}", status_code=303)


def _rejected(
    request: Request,
    session: Session,
    catalogue: Catalogue,
    round_: Round,
    submission: Submission,
    key: str,
    status: int,
) -> Response:
    """422: JSON for API clients; otherwise the form again, as entered, with the problems marked."""
    detail = "Dine svar er ikke gemt. Ret det markerede, og send igen."
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"detail": detail, "errors": submission.errors}, status_code=status)
    return _scoring_page(
        request,
        session=session,
        catalogue=catalogue,
        round_=round_,
        submission=submission,
        key=key,
        status=status,
    )


@router.get("/r/{code}/tak", response_class=HTMLResponse)
def thanks(request: Request, code: str, session: SessionDep) -> Response:
    """Thanks, how many statements this phone answered, and the way back to change them."""
    code = normalise_join_code(code)
    guesser = join_guesser(request, session)
    round_ = session.exec(select(Round).where(Round.join_code == code)).first()
    if round_ is None:
        join_missed(session, guesser)
        return _code_page(request, code=code, message="Runden findes ikke.", status=404)
    assert round_.id is not None
    key = _respondent_key(request, round_.id)
    previous = _previous_answers(session=session, round_=round_, key=key)
    themes = group_statements(round_statements(session=session, round_id=round_.id))
    # Skipped statements, each with the screen that shows it (only for the phone that answered).
    skipped = [
        (number, statement)
        for number, theme in enumerate(themes, start=1)
        for area in theme.areas
        for statement in area.statements
        if previous is not None and statement.statement_id not in previous.values
    ]
    return render(
        request,
        "respond_thanks.html",
        round=round_,
        answered=len(previous.values) if previous else 0,
        skipped=skipped,
        total=sum(theme.count for theme in themes),
        is_open=effective_status(round_) == RoundStatus.OPEN,
        responses=count_responses(session=session, round_id=round_.id),
        k=request.app.state.settings.min_group_size,
    )
