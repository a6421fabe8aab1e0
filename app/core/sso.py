"""Single sign-on rules: whose e-mail counts, and which role a person's groups give."""

from collections.abc import Iterable, Mapping


def group_list(text: str) -> frozenset[str]:
    """A comma-separated list of group names or ids from a setting."""
    return frozenset(item.strip() for item in text.split(",") if item.strip())


def verified_email(claims: Mapping[str, object]) -> str | None:
    """The e-mail address, only when the issuer says it has verified it."""
    email = claims.get("email")
    if claims.get("email_verified") is not True or not isinstance(email, str) or "@" not in email:
        return None
    return email.strip().lower()


def groups_in(claims: Mapping[str, object], claim: str) -> list[str]:
    """The groups the named claim lists (a string or a list of strings); none without a claim."""
    value = claims.get(claim) if claim else None
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def role_for_groups(
    groups: Iterable[str], *, admin_groups: frozenset[str], facilitator_groups: frozenset[str]
) -> str | None:
    """The role the groups give: admin before facilitator; None when no group is mapped."""
    held = set(groups)
    if held & admin_groups:
        return "admin"
    if held & facilitator_groups:
        return "facilitator"
    return None
