"""A demo municipality: units, teams, facilitators and rounds whose scores move over time."""

import json
import random
import secrets
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, func, select

from app.core.formatting import month_label
from app.core.passwords import hash_password
from app.core.rounds import RoundStatus
from app.core.scoring import Answer
from app.db.models import PlanAction, Priority, Round, Team, TeamFacilitator, Unit, User
from app.db.responses import new_respondent_key, save_response
from app.db.rounds import create_round
from app.themes import Catalogue

ADMIN_EMAIL = "admin@demo-kommune.example"
FACILITATOR_EMAIL = "moedeleder@demo-kommune.example"
TEAMS = (
    # (unit, team, expected size, professions the team is made of)
    (
        "Skoleområde Nord",
        "Team Nordskolen 0.-3. klasse",
        15,
        ("laerer", "laerer", "paedagog", "paedagog", "ppr", "socialraadgiver", "leder"),
    ),
    (
        "Skoleområde Nord",
        "Team Nordskolen udskoling",
        12,
        ("laerer", "laerer", "laerer", "ppr", "socialraadgiver", "leder"),
    ),
    (
        "Dagtilbud Syd",
        "Børnehusene Syd",
        15,
        ("paedagog", "paedagog", "paedagog", "sundhedsplejerske", "ppr", "leder"),
    ),
)
ROUND_DATES = ((2026, 2, 10), (2026, 5, 12), (2026, 9, 15))
COMMENTS = (
    "Vi taler om det, men det bliver sjældent til noget konkret.",
    "Det afhænger meget af, hvem der deltager i mødet.",
    "Det er blevet bedre siden sidst, især med faste mødedatoer.",
    "Jeg kender ikke nok til, hvordan de andre faggrupper arbejder.",
    "Forældrene bliver inviteret, men de får ikke altid ordet.",
    "Vi mangler tid til at følge op.",
)
ACTIONS = (
    ("Fast dagsorden med barnets perspektiv som første punkt", "Mødeleder"),
    ("Aftale om hvem der følger op efter hvert møde", "Teamet"),
    ("Temamøde om hinandens fagligheder", "PPR og leder"),
)


@dataclass
class DemoLogin:
    email: str
    password: str


@dataclass
class DemoRound:
    id: int
    label: str
    status: str
    join_url: str
    results_url: str


@dataclass
class DemoTeam:
    id: int
    name: str
    rounds: list[DemoRound] = field(default_factory=list)


@dataclass
class DemoInfo:
    admin: DemoLogin
    facilitator: DemoLogin
    teams: list[DemoTeam]

    def to_json(self) -> str:
        """The demo as one JSON object (what `spindelvaev demo --json` prints)."""
        return json.dumps(asdict(self), ensure_ascii=False, indent=2)


def database_is_empty(session: Session) -> bool:
    """True when no unit, user or team exists yet."""
    return all(
        session.exec(select(func.count()).select_from(model)).one() == 0
        for model in (Unit, User, Team)
    )


def _user(session: Session, email: str, name: str, role: str) -> DemoLogin:
    password = secrets.token_urlsafe(12)
    session.add(User(email=email, name=name, role=role, password_hash=hash_password(password)))
    return DemoLogin(email=email, password=password)


def _score(rng: random.Random, level: float) -> Answer:
    if rng.random() < 0.04:
        return Answer(value=None)
    value = round(rng.gauss(level, 1.4))
    comment = rng.choice(COMMENTS) if rng.random() < 0.03 else None
    return Answer(value=min(10, max(1, value)), comment=comment)


def _fill_round(
    session: Session,
    rng: random.Random,
    round_: Round,
    levels: dict[str, float],
    professions: tuple[str, ...],
    respondents: int,
    members: bool = False,
) -> None:
    """Answers from random professions of the team, or (`members`) from each member once and
    one who states no profession."""
    assert round_.id is not None
    who = [*professions, None] if members else [None] * respondents
    for index in range(len(who)):
        profession = who[index] if members else rng.choice((*professions, None))
        answers = {sid: _score(rng, level) for sid, level in levels.items()}
        save_response(
            session=session,
            round_id=round_.id,
            respondent_key=new_respondent_key(),
            profession=profession,
            answers=answers,
        )


def _plan(
    session: Session, rng: random.Random, round_: Round, statement_ids: list[str]
) -> list[str]:
    """Mark three statements as the round's priorities with a small plan; return their ids."""
    assert round_.id is not None
    chosen = rng.sample(statement_ids, 3)
    for index, statement_id in enumerate(chosen):
        priority = Priority(
            round_id=round_.id,
            statement_id=statement_id,
            experience="At vi spørger barnet og forældrene først og følger op på det, vi aftaler.",
            requirements="Faste mødetider og en mødeleder, der samler trådene.",
        )
        session.add(priority)
        session.flush()
        what, who = ACTIONS[index]
        session.add(
            PlanAction(
                round_id=round_.id,
                priority_id=priority.id,
                what=what,
                who=who,
                status=rng.choice(("gennemfoert", "i_gang", "ikke_startet")),
            )
        )
    return chosen


def seed_demo(*, session: Session, catalogue: Catalogue, seed: int = 2026) -> DemoInfo:
    """Fill an empty database with the demo municipality and return its logins and rounds."""
    rng = random.Random(seed)
    admin = _user(session, ADMIN_EMAIL, "Anne Admin", "admin")
    facilitator = _user(session, FACILITATOR_EMAIL, "Mette Mødeleder", "facilitator")
    session.flush()
    facilitator_id = session.exec(select(User.id).where(User.email == FACILITATOR_EMAIL)).one()
    units: dict[str, Unit] = {}
    teams: list[DemoTeam] = []
    theme_ids = [theme.id for theme in catalogue.themes]
    statement_ids = [statement.id for statement in catalogue.all_statements()]
    for index, (unit_name, team_name, expected, professions) in enumerate(TEAMS):
        unit = units.setdefault(unit_name, Unit(name=unit_name))
        session.add(unit)
        session.flush()
        assert unit.id is not None and facilitator_id is not None
        team = Team(name=team_name, unit_id=unit.id, expected_size=expected)
        session.add(team)
        session.flush()
        assert team.id is not None
        if index < 2:
            session.add(TeamFacilitator(team_id=team.id, user_id=facilitator_id))
        levels = {sid: rng.uniform(3.0, 7.0) for sid in statement_ids}
        demo_team = DemoTeam(id=team.id, name=team.name)
        for year, month, day in ROUND_DATES:
            round_ = create_round(
                session=session,
                catalogue=catalogue,
                team_id=team.id,
                label=month_label(date(year, month, day)),
                theme_ids=theme_ids,
            )
            opened = datetime(year, month, day, 9, 0, tzinfo=UTC)
            round_.status, round_.opened_at = RoundStatus.CLOSED, opened
            round_.closed_at = opened + timedelta(days=7)
            round_.created_at = opened - timedelta(days=1)
            # The first team's last round: each member once, the mixed team of seven,
            # where no profession reaches k and the sectors show the perspectives instead.
            members = index == 0 and (year, month, day) == ROUND_DATES[-1]
            answers = rng.randint(8, expected)
            _fill_round(session, rng, round_, levels, professions, answers, members)
            for statement_id in _plan(session, rng, round_, statement_ids):
                levels[statement_id] += rng.uniform(0.8, 2.0)
            for sid in levels:
                levels[sid] = min(9.5, levels[sid] + rng.uniform(-0.4, 0.6))
            demo_team.rounds.append(_demo_round(round_))
        open_round = create_round(
            session=session,
            catalogue=catalogue,
            team_id=team.id,
            label=month_label(datetime.now(UTC).date()),
            theme_ids=theme_ids,
            status=RoundStatus.OPEN,
        )
        open_round.opened_at = datetime.now(UTC)
        _fill_round(session, rng, open_round, levels, professions, 4)
        demo_team.rounds.append(_demo_round(open_round))
        teams.append(demo_team)
    session.commit()
    return DemoInfo(admin=admin, facilitator=facilitator, teams=teams)


def _demo_round(round_: Round) -> DemoRound:
    assert round_.id is not None
    return DemoRound(
        id=round_.id,
        label=round_.label,
        status=round_.status,
        join_url=f"/r/{round_.join_code}",
        results_url=f"/runder/{round_.id}/resultater",
    )


def save_logins(info: DemoInfo, data_dir: Path) -> Path:
    """Keep the demo's logins in the data folder (readable by the owner only)."""
    path = data_dir / "demo-logins.json"
    data_dir.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(info.to_json(), encoding="utf-8")
    return path
