"""The access log: never the secret tokens that some paths carry, and no respondent's address.

uvicorn logs every request with the client's address. Together with the day of an answer that
could tie a phone to a person, so the address is left out: always for the respondents' routes,
and for the others too unless SPINDELVAEV_LOG_ADDRESSES is on.
"""

import logging
import re

ACCESS_LOGGER = "uvicorn.access"
# An invitation link and a round's long link work like passwords; the log keeps the route only.
_TOKEN_PATH = re.compile(r"^(/invitation/|/s/)[^/?#]+")
# The routes a respondent's phone uses: joining, scoring, thanks, the released radar.
_RESPONDENT_PATH = re.compile(r"^/(r|s)(/|\?|$)|^/\?kode=")
NO_ADDRESS = "-"


def redact(path: str) -> str:
    """The path with the token of an invitation link or a round's long link replaced by "…"."""
    return _TOKEN_PATH.sub(r"\1…", path)


def is_respondent_path(path: str) -> bool:
    """Whether a request path is one of the respondents' routes."""
    return bool(_RESPONDENT_PATH.match(path))


class RedactTokens(logging.Filter):
    """Replaces the token in a logged request path with "…", and the client's address with "-"."""

    def __init__(self, log_addresses: bool) -> None:
        super().__init__()
        self.log_addresses = log_addresses

    def filter(self, record: logging.LogRecord) -> bool:
        # uvicorn's access record: (client address, method, path, HTTP version, status).
        if isinstance(record.args, tuple) and len(record.args) >= 3:
            address, method, path, *rest = record.args
            path = str(path)
            if not self.log_addresses or is_respondent_path(path):
                address = NO_ADDRESS
            record.args = (address, method, redact(path), *rest)
        return True


def redact_access_log(*, log_addresses: bool = False) -> None:
    """Put the filter on uvicorn's access log (once per process; the last app's setting holds)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    for existing in logger.filters:
        if isinstance(existing, RedactTokens):
            existing.log_addresses = log_addresses
            return
    logger.addFilter(RedactTokens(log_addresses))
