"""Settings: documented, safe defaults, secret key generated once and never a constant."""

import re
from pathlib import Path

import pytest
from pydantic import SecretStr

from app.config import Settings

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_setting_is_documented_in_the_readme() -> None:
    table_rows = re.findall(
        r"^\| `(SPINDELVAEV_[A-Z_]+)` \|", README.read_text(encoding="utf-8"), re.M
    )
    documented = set(table_rows)
    settings = {f"SPINDELVAEV_{name.upper()}" for name in Settings.model_fields}
    assert settings - documented == set(), "settings missing from the README's table"
    assert documented - settings == set(), "README documents settings the code does not have"


def test_default_database_is_a_sqlite_file_in_the_data_folder(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    assert settings.effective_database_url == f"sqlite:///{tmp_path / 'spindelvaev.db'}"


def test_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path).signing_key()
    second = Settings(data_dir=tmp_path).signing_key()
    other = Settings(data_dir=tmp_path / "other").signing_key()
    assert first == second
    assert first != other
    assert len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_a_short_configured_secret_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="mindst 32 tegn"):
        Settings(data_dir=tmp_path, secret_key=SecretStr("kort")).signing_key()


def test_settings_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPINDELVAEV_MIN_GROUP_SIZE", "5")
    monkeypatch.setenv("SPINDELVAEV_BASE_URL", "https://spindel.kommune.dk/")
    settings = Settings()
    assert settings.min_group_size == 5
    assert settings.base_url == "https://spindel.kommune.dk"
    assert settings.secure_cookies


def test_a_group_size_below_two_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPINDELVAEV_MIN_GROUP_SIZE", "1")
    with pytest.raises(ValueError):
        Settings()
