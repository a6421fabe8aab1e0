"""One exception hierarchy for the service, mapped to Danish pages or JSON in one place."""


class SpindelvaevError(Exception):
    """A problem the user should be told about, in Danish, with an HTTP status."""

    status_code = 400
    title = "Noget gik galt"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(SpindelvaevError):
    """The request was understood but its content is not acceptable."""

    status_code = 422
    title = "Ugyldige oplysninger"


class NotFound(SpindelvaevError):
    """The thing asked for does not exist (or the user may not know that it does)."""

    status_code = 404
    title = "Siden findes ikke"


class Forbidden(SpindelvaevError):
    """The user is known but may not do this."""

    status_code = 403
    title = "Ingen adgang"


class Conflict(SpindelvaevError):
    """The request clashes with the current state (e.g. a closed round)."""

    status_code = 409
    title = "Det kan ikke lade sig gøre nu"


class TooManyRequests(SpindelvaevError):
    """Too many attempts from one address (e.g. guessed join codes); try again later."""

    status_code = 429
    title = "For mange forsøg"


class LoginRequired(SpindelvaevError):
    """No one is logged in: pages redirect to the login page, the API answers 401."""

    status_code = 401
    title = "Log ind"


class Rejected(SpindelvaevError):
    """A form was refused and its page is shown again with the reasons; nothing of it is stored.

    Raised (not returned) so that the session dependency rolls the request's changes back.
    """

    status_code = 422

    def __init__(self, page: object) -> None:
        super().__init__("")
        self.page = page  # the response to send: the form again, with its errors
