"""Settings read from the environment (prefix ``SPINDELVAEV_``) with safe defaults."""

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.core.anonymity import MIN_GROUP_SIZE
from app.themes import default_catalogue_path

DATA_DIR = Path("var")
MIN_SECRET_LENGTH = 32


def _secret(value: SecretStr | None, file: Path | None) -> str | None:
    if value is not None:
        return value.get_secret_value()
    if file is not None:
        return file.read_text(encoding="utf-8").strip()
    return None


class Settings(BaseSettings):
    """Every setting of the service; each field is documented in the README's table."""

    model_config = SettingsConfigDict(env_prefix="SPINDELVAEV_", extra="ignore")

    data_dir: Path = Field(
        default=DATA_DIR, description="Folder for the SQLite file and the generated secret key."
    )
    database_url: str = Field(
        default="",
        description="Database URL; empty means the SQLite file spindelvaev.db in the data folder.",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Key that signs cookies; if unset, generated once and kept in the data folder.",
    )
    min_group_size: int = Field(
        default=MIN_GROUP_SIZE,
        ge=MIN_GROUP_SIZE,
        le=50,
        description="The k of the small-group rule: fewer answers show nothing.",
    )
    min_participation: int = Field(
        default=50,
        ge=0,
        le=100,
        description="Results are shown only once this share (%) of the team has answered (and k).",
    )
    log_addresses: bool = Field(
        default=False,
        description="Log client addresses for staff routes (never for the respondents' routes).",
    )
    base_url: str = Field(
        default="http://127.0.0.1:8000", description="Public address used in links and QR codes."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Log level of the service."
    )
    session_idle_minutes: int = Field(
        default=120, ge=5, le=24 * 60, description="A login ends after this many idle minutes."
    )
    session_max_hours: int = Field(
        default=12,
        ge=1,
        le=24 * 30,
        description="A login ends this many hours after it began, however much it is used.",
    )
    trusted_proxies: str = Field(
        default="",
        description=(
            "Comma-separated addresses of reverse proxies whose X-Forwarded-For and "
            "X-Forwarded-Proto count; empty means none."
        ),
    )
    audit_retention_days: int = Field(
        default=730,
        ge=30,
        le=3650,
        description="`spindelvaev prune` deletes audit log entries older than this.",
    )
    municipality_name: str = Field(
        default="Kommunen",
        max_length=200,
        description="The municipality's name in the privacy notice and accessibility statement.",
    )
    municipality_contact: str = Field(
        default="",
        max_length=500,
        description="How to reach the municipality about the service (e-mail, phone, address).",
    )
    dpo_contact: str = Field(
        default="",
        max_length=500,
        description="How to reach the municipality's data protection officer (privacy notice).",
    )
    comment_retention_months: int = Field(
        default=24,
        ge=1,
        le=240,
        description="Comments are deleted this many months after their round closed.",
    )
    round_retention_years: int = Field(
        default=0,
        ge=0,
        le=50,
        description="Rounds and their answers are deleted this many years after closing; 0: never.",
    )
    smtp_host: str = Field(
        default="",
        description="SMTP server for invitations and password links; empty: no e-mail is sent.",
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, description="Port of the SMTP server.")
    smtp_security: Literal["starttls", "tls", "none"] = Field(
        default="starttls",
        description="starttls (port 587), tls (implicit TLS, port 465) or none (a local relay).",
    )
    smtp_user: str = Field(default="", description="SMTP login; empty: no login.")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password.")
    smtp_password_file: Path | None = Field(
        default=None, description="File holding the SMTP password (instead of SMTP_PASSWORD)."
    )
    smtp_sender: str = Field(
        default="", max_length=254, description="The From address of the e-mails."
    )
    oidc_issuer: str = Field(
        default="",
        description="OpenID Connect issuer URL for single sign-on; empty: no SSO.",
    )
    oidc_client_id: str = Field(default="", description="The service's client id at the issuer.")
    oidc_client_secret: SecretStr | None = Field(
        default=None, description="The client secret at the issuer."
    )
    oidc_client_secret_file: Path | None = Field(
        default=None,
        description="File holding the client secret (instead of OIDC_CLIENT_SECRET).",
    )
    oidc_groups_claim: str = Field(
        default="",
        description="ID-token claim listing the user's groups (e.g. groups); empty: not used.",
    )
    oidc_admin_groups: str = Field(
        default="", description="Comma-separated groups whose members are admins."
    )
    oidc_facilitator_groups: str = Field(
        default="", description="Comma-separated groups whose members are facilitators."
    )
    oidc_create_facilitators: bool = Field(
        default=False,
        description="Create an account for an unknown user in a facilitator group at first login.",
    )
    oidc_clock_skew_seconds: int = Field(
        default=60,
        ge=0,
        le=600,
        description="Leeway for the ID token's times (exp, iat) against the issuer's clock.",
    )
    password_login: bool = Field(
        default=True,
        description="Password login stays on; off only together with SSO.",
    )
    catalogue_path: Path = Field(
        default_factory=default_catalogue_path, description="The statement catalogue (YAML)."
    )
    demo: bool = Field(
        default=True, description="`make run` seeds demo data into an empty database."
    )

    @model_validator(mode="after")
    def _mail_needs_a_sender(self) -> "Settings":
        if self.smtp_host and "@" not in self.smtp_sender:
            raise ValueError(
                "SPINDELVAEV_SMTP_SENDER skal være en e-mailadresse, når SMTP er sat op."
            )
        return self

    @model_validator(mode="after")
    def _sso_is_complete(self) -> "Settings":
        if self.oidc_issuer and not (self.oidc_client_id and self.oidc_secret() is not None):
            raise ValueError(
                "SPINDELVAEV_OIDC_CLIENT_ID og SPINDELVAEV_OIDC_CLIENT_SECRET (eller _FILE) skal "
                "sættes, når SPINDELVAEV_OIDC_ISSUER er sat."
            )
        if not self.password_login and not self.oidc_issuer:
            raise ValueError(
                "SPINDELVAEV_PASSWORD_LOGIN=0 kræver SSO (SPINDELVAEV_OIDC_ISSUER), "
                "ellers kan ingen logge ind."
            )
        return self

    def smtp_secret(self) -> str | None:
        """The SMTP password: from the setting, or read from the file it names."""
        return _secret(self.smtp_password, self.smtp_password_file)

    def oidc_secret(self) -> str | None:
        """The OIDC client secret: from the setting, or read from the file it names."""
        return _secret(self.oidc_client_secret, self.oidc_client_secret_file)

    @property
    def sso_enabled(self) -> bool:
        """Single sign-on through OpenID Connect is configured."""
        return bool(self.oidc_issuer)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def effective_database_url(self) -> str:
        """The configured database URL, or the default SQLite file under the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'spindelvaev.db'}"

    @property
    def trusted_proxy_list(self) -> list[str]:
        """The trusted proxies' addresses or networks, as uvicorn's proxy middleware takes them."""
        return [item.strip() for item in self.trusted_proxies.split(",") if item.strip()]

    def make_data_dir(self) -> Path:
        """The data folder, created if need be, readable by the service's user only."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir.chmod(0o700)
        return self.data_dir

    @property
    def secure_cookies(self) -> bool:
        """Cookies get the Secure flag when the service is published over https."""
        return self.base_url.startswith("https://")

    def signing_key(self) -> str:
        """The configured secret key, or one generated on first use and kept in the data folder."""
        if self.secret_key is not None:
            key = self.secret_key.get_secret_value()
            if len(key) < MIN_SECRET_LENGTH:
                raise ValueError(
                    f"SPINDELVAEV_SECRET_KEY skal være mindst {MIN_SECRET_LENGTH} tegn lang."
                )
            return key
        key_file = self.make_data_dir() / "secret_key"
        try:
            # Exclusive, so two processes starting at once cannot both write a key; 0600 from birth.
            descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "w", encoding="utf-8") as new_file:
                new_file.write(secrets.token_urlsafe(48))
        return key_file.read_text(encoding="utf-8").strip()

    @property
    def min_share(self) -> float:
        """The minimum participation as a fraction of the team."""
        return self.min_participation / 100


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
