"""OpenID Connect sign-in through Authlib: authorization code with PKCE, the ID token checked.

The ID token's signature is checked against the issuer's JWKS, and its issuer, audience, nonce
and expiry by Authlib's CodeIDToken (with the configured clock skew). What the login then means
for an account is decided in app.core.sso and app.db.accounts.
"""

import logging
from typing import Any

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from authlib.oidc.core import CodeIDToken
from fastapi import Request
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from app.config import Settings

logger = logging.getLogger("spindelvaev")
PENDING_KEY = "oidc"
TIMEOUT_SECONDS = 10
SIGNING_ALGORITHMS = ["RS256", "PS256", "ES256"]
UNREACHABLE = "Kommunens login kunne ikke nås. Prøv igen om lidt."
STALE = (
    "Login-forsøget er ikke længere gyldigt (det er brugt eller udløbet). Prøv at logge ind igen."
)
BAD_TOKEN = "Svaret fra kommunens login kunne ikke godkendes, så du er ikke logget ind."


class SsoRefused(Exception):
    """A sign-in that did not go through; the message is for the person, in Danish."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _fetch_json(url: str) -> dict[str, Any]:
    try:
        answer = requests.get(url, timeout=TIMEOUT_SECONDS)
        answer.raise_for_status()
        document = answer.json()
    except (requests.RequestException, ValueError) as error:
        raise SsoRefused(UNREACHABLE) from error
    if not isinstance(document, dict):
        raise SsoRefused(UNREACHABLE)
    return document


def _metadata(settings: Settings) -> dict[str, Any]:
    issuer = settings.oidc_issuer.rstrip("/")
    metadata = _fetch_json(f"{issuer}/.well-known/openid-configuration")
    if str(metadata.get("issuer", "")).rstrip("/") != issuer:
        raise SsoRefused(BAD_TOKEN)  # a discovery document of another issuer
    return metadata


def _client(settings: Settings) -> OAuth2Session:
    return OAuth2Session(
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_secret(),
        scope="openid email profile",
        redirect_uri=f"{settings.base_url}/login/oidc/callback",
        code_challenge_method="S256",
    )


def authorization_url(request: Request, next_path: str) -> str:
    """Where to send the browser to sign in; state, nonce and PKCE verifier wait in its session."""
    settings = _settings(request)
    metadata = _metadata(settings)
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(48)
    with _client(settings) as client:
        url, _ = client.create_authorization_url(
            metadata["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier
        )
    request.session[PENDING_KEY] = {
        "state": state,
        "nonce": nonce,
        "verifier": verifier,
        "next": next_path,
    }
    return str(url)


def finish(request: Request) -> tuple[dict[str, Any], str]:
    """The checked ID token's claims and where to go next; each attempt can be finished once."""
    pending = request.session.pop(PENDING_KEY, None)
    params = request.query_params
    if not isinstance(pending, dict) or params.get("state") != pending.get("state"):
        raise SsoRefused(STALE)
    if "error" in params or "code" not in params:
        raise SsoRefused("Kommunens login blev afbrudt, så du er ikke logget ind.")
    settings = _settings(request)
    metadata = _metadata(settings)
    try:
        with _client(settings) as client:
            tokens = client.fetch_token(
                metadata["token_endpoint"],
                code=params["code"],
                code_verifier=pending["verifier"],
                timeout=TIMEOUT_SECONDS,
            )
    except (OAuthError, requests.RequestException) as error:
        logger.warning("OIDC: tokens kunne ikke hentes (%s)", type(error).__name__)
        raise SsoRefused(BAD_TOKEN) from error
    keys = _fetch_json(str(metadata["jwks_uri"]))
    try:
        token = jwt.decode(
            str(tokens.get("id_token", "")),
            KeySet.import_key_set(keys),  # type: ignore[arg-type]
            algorithms=SIGNING_ALGORITHMS,
        )
        claims = CodeIDToken(
            token.claims,
            token.header,
            options={
                "iss": {"essential": True, "value": metadata["issuer"]},
                "aud": {"essential": True, "value": settings.oidc_client_id},
            },
            params={
                "nonce": pending["nonce"],
                "client_id": settings.oidc_client_id,
                "access_token": tokens.get("access_token"),
            },
        )
        claims.validate(leeway=settings.oidc_clock_skew_seconds)
    except (JoseError, ValueError) as error:
        logger.warning("OIDC: ID-token afvist (%s: %s)", type(error).__name__, error)
        raise SsoRefused(BAD_TOKEN) from error
    return dict(claims), str(pending.get("next", ""))
