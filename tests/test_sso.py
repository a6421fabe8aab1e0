"""The pure single sign-on rules of app/core/sso.py."""

from app.core.sso import group_list, groups_in, role_for_groups, verified_email


def test_only_a_verified_e_mail_counts_and_it_is_compared_in_lower_case() -> None:
    assert verified_email({"email": " Anna@Kommune.DK ", "email_verified": True}) == (
        "anna@kommune.dk"
    )
    assert verified_email({"email": "anna@kommune.dk", "email_verified": False}) is None
    assert verified_email({"email": "anna@kommune.dk", "email_verified": "true"}) is None
    assert verified_email({"email": "anna@kommune.dk"}) is None
    assert verified_email({"email_verified": True}) is None


def test_groups_are_read_from_the_named_claim_as_a_list_or_one_string() -> None:
    claims: dict[str, object] = {"groups": ["a", 7, "b"], "roles": "Spindelvaev.Admin"}
    assert groups_in(claims, "groups") == ["a", "b"]
    assert groups_in(claims, "roles") == ["Spindelvaev.Admin"]
    assert groups_in(claims, "") == [] and groups_in(claims, "mangler") == []


def test_admin_groups_win_over_facilitator_groups_and_unmapped_groups_give_no_role() -> None:
    admins, facilitators = group_list(" forvaltning , ,it "), group_list("team-ledere")
    assert admins == {"forvaltning", "it"}
    mapping = {"admin_groups": admins, "facilitator_groups": facilitators}
    assert role_for_groups(["team-ledere", "it"], **mapping) == "admin"
    assert role_for_groups(["team-ledere"], **mapping) == "facilitator"
    assert role_for_groups(["andet"], **mapping) is None
    assert role_for_groups([], admin_groups=frozenset(), facilitator_groups=frozenset()) is None
