"""The respondent's phone: the cookie that holds its key for one round."""


def key_cookie_name(round_id: int) -> str:
    """The cookie holding this phone's respondent key for one round (never shared by rounds)."""
    return f"sv_r{round_id}"
