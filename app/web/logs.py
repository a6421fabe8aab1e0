"""The logs never show the secret tokens that some paths carry."""

import logging
import re

ACCESS_LOGGER = "uvicorn.access"
# An invitation link and a round's long link work like passwords; the log keeps the route only.
_TOKEN_PATH = re.compile(r"^(/invitation/|/s/)[^/?#]+")


def redact(path: str) -> str:
    """The path with the token of an invitation link or a round's long link replaced by "…"."""
    return _TOKEN_PATH.sub(r"\1…", path)


class RedactTokens(logging.Filter):
    """Replaces the token in a logged request path with "…"."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True


def redact_access_log() -> None:
    """Put the filter on uvicorn's access log (once, however many apps a process creates)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(existing, RedactTokens) for existing in logger.filters):
        logger.addFilter(RedactTokens())
