"""Password hashing with Argon2, how guessable a new password is (zxcvbn), and token hashes."""

import hashlib

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 12
# zxcvbn's top score: about 10**10 guesses or more. Score 3 (10**8) let "Qwerty#12345" through.
MIN_STRENGTH = 4
# zxcvbn knows English words and names; these are the Danish ones a colleague would guess first.
DANISH_HINTS = (
    "kommune", "kommunen", "forvaltning", "sommer", "vinter", "forår", "foraar", "efterår",
    "efteraar", "januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
    "september", "oktober", "november", "december", "mandag", "fredag", "adgangskode", "kodeord",
    "hemmelig", "velkommen", "danmark", "københavn", "aarhus", "odense", "aalborg", "esbjerg",
    "skole", "børnehave", "pædagog", "lærer", "tovholder", "mødeleder", "spindelvæv",
    "spindelvaev", "team", "trivsel", "mistrivsel", "barn", "børn",
)  # fmt: skip
# Danish for what zxcvbn found in the password (its own feedback is in English).
PATTERN_REASONS = {
    "dictionary": "den bygger på et almindeligt ord, et navn eller en kendt adgangskode",
    "spatial": "den følger tasterne på tastaturet",
    "repeat": "den gentager de samme tegn",
    "sequence": "den er en række som abc eller 123",
    "regex": "den bygger på et årstal",
    "date": "den bygger på en dato",
}


def hash_password(password: str) -> str:
    """An Argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether the password matches the hash (False for accounts without a password)."""
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def hash_token(token: str) -> str:
    """The stored form of a long random token (SHA-256 suffices: there is nothing to guess)."""
    return hashlib.sha256(token.encode()).hexdigest()


def password_weakness(password: str, personal: list[str]) -> str | None:
    """Why the password is too easy to guess, in Danish, or None if it is strong enough.

    `personal` holds the user's own name and e-mail, which count as easy to guess too.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Adgangskoden skal være mindst {MIN_PASSWORD_LENGTH} tegn."
    hints = [*DANISH_HINTS, *_personal_words(personal)]
    result = zxcvbn(password[:100], user_inputs=hints)
    if result["score"] >= MIN_STRENGTH:
        return None
    lowered = password.lower()
    if any(len(word) >= 3 and word in lowered for word in _personal_words(personal)):
        reason = "den indeholder dit navn eller din e-mailadresse"
    else:
        patterns = [m["pattern"] for m in result["sequence"] if m["pattern"] in PATTERN_REASONS]
        reason = PATTERN_REASONS[patterns[0]] if patterns else "den er for kort til sin slags"
    return (
        f"Adgangskoden er for let at gætte: {reason}. Brug fx fire-fem tilfældige ord "
        "med bindestreg imellem."
    )


def _personal_words(personal: list[str]) -> list[str]:
    # A name's words and an e-mail's local part (its domain is the municipality's, not personal).
    words: list[str] = []
    for text in personal:
        text = text.strip().lower()
        local = text.split("@", 1)[0]
        words += [word for word in {text, local, *local.replace(".", " ").split()} if word]
    return words
