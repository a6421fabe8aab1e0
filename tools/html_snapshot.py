"""A pytest plugin that keeps the HTML of every page the tests render: a refactor changes none.

Run the same tests at two commits and compare what they rendered:

    .venv/bin/pytest -p tools.html_snapshot --html-snapshot=/tmp/before.jsonl -p no:xdist \
        --ignore=tests/browser tests
    (check out the other commit, same command with /tmp/after.jsonl)
    .venv/bin/python -m tools.html_snapshot /tmp/before.jsonl /tmp/after.jsonl

Every HTML answer a test client receives is kept under (test id, its number within the test,
method, path). The randomness that reaches a page (join codes, tokens, ids) is made repeatable:
each test seeds its own generator from its id, and `secrets` draws from it. Clock times, dates,
CSRF tokens and database ids are masked (the runs happen minutes apart; threads draw tokens in
no fixed order; a test added earlier shifts PostgreSQL's ids),
and whitespace is collapsed. Tests that draw their own random data (Hypothesis) render different
pages on every run: leave them out of both runs. The report gives the pages found in one run only
apart from the pages that differ, with the first difference of each test.
"""

import hashlib
import json
import random
import re
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

try:  # Starlette's TestClient is built on httpx2 since Starlette 1.x, on httpx before
    import httpx2 as httpx
except ImportError:  # pragma: no cover
    import httpx  # type: ignore[no-redef]

_rng = random.Random(0)
_kept: list[dict[str, Any]] = []
_test_id = ""
_number = 0


def _token_bytes(nbytes: int | None = None) -> bytes:
    return _rng.randbytes(32 if nbytes is None else nbytes)


secrets.token_bytes = _token_bytes
secrets.token_hex = lambda nbytes=None: _token_bytes(nbytes).hex()  # type: ignore[assignment]
secrets.token_urlsafe = lambda nbytes=None: (  # type: ignore[assignment]
    __import__("base64").urlsafe_b64encode(_token_bytes(nbytes)).rstrip(b"=").decode("ascii")
)
secrets.choice = lambda seq: seq[_rng.randrange(len(seq))]  # type: ignore[assignment]
secrets.randbelow = lambda n: _rng.randrange(n)  # type: ignore[assignment]

_MASKS = [
    # a test that submits from several threads draws its tokens in no fixed order
    (re.compile(r'(name="csrf_token" value=")[0-9a-f]+'), r"\1TOKEN"),
    # database ids: on PostgreSQL a sequence moves on with every test before, so one test more
    # earlier in the run shifts them
    (re.compile(r'(/|value="|=|-)\d+(?=[/"&#?\s<]|$)'), r"\1ID"),
    (re.compile(r"\b\d{1,2}[:.]\d{2}(?::\d{2})?\b"), "HH:MM"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ][\d:.+]+)?"), "YYYY-MM-DD"),
    (
        re.compile(
            r"\b\d{1,2}\.\s*(?:jan|feb|mar|apr|maj|jun|jul|aug|sep|okt|nov|dec)\w*\.?\s*\d{4}\b"
        ),
        "D. MMM YYYY",
    ),
    (re.compile(r"\s+"), " "),
]


def normalise(html: str) -> str:
    for pattern, mask in _MASKS:
        html = pattern.sub(mask, html)
    return html.strip()


_send = httpx.Client.send


def _keeping_send(self: httpx.Client, request: httpx.Request, **kwargs: Any) -> httpx.Response:
    global _number
    response = _send(self, request, **kwargs)
    if "text/html" in response.headers.get("content-type", ""):
        _number += 1
        response.read()
        _kept.append(
            {
                "key": [_test_id, _number, request.method, request.url.raw_path.decode()],
                "status": response.status_code,
                "html": normalise(response.text),
            }
        )
    return response


httpx.Client.send = _keeping_send  # type: ignore[method-assign]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--html-snapshot", help="File (JSON Lines) for every HTML page rendered.")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    global _test_id, _number
    _test_id, _number = item.nodeid, 0
    _rng.seed(int.from_bytes(hashlib.sha256(item.nodeid.encode()).digest()[:8], "big"))
    yield


def pytest_sessionfinish(session: pytest.Session) -> None:
    target = session.config.getoption("--html-snapshot")
    if target:
        with open(target, "w", encoding="utf-8") as out:
            for page in _kept:
                out.write(json.dumps(page, ensure_ascii=False) + "\n")


def compare(before: Path, after: Path) -> int:
    """Print how the two runs' pages differ; 0 when every page both rendered is the same."""

    def load(path: Path) -> dict[tuple[Any, ...], dict[str, Any]]:
        lines = path.read_text(encoding="utf-8").splitlines()
        pages = {tuple(page["key"]): page for page in map(json.loads, lines)}
        for page in pages.values():
            page["html"] = normalise(page["html"])
        return pages

    old, new = load(before), load(after)
    both = old.keys() & new.keys()
    differ = sorted(key for key in both if old[key] != new[key])
    print(f"{len(old)} pages before, {len(new)} after, {len(both)} in both")
    only_before, only_after = len(old.keys() - new.keys()), len(new.keys() - old.keys())
    print(f"only before: {only_before}, only after: {only_after}")
    print(f"identical: {len(both) - len(differ)}, different: {len(differ)}")
    by_test: dict[str, list[tuple[Any, ...]]] = {}
    for key in differ:
        by_test.setdefault(key[0], []).append(key)
    for test, keys in by_test.items():
        key = keys[0]
        a, b = old[key]["html"], new[key]["html"]
        start = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), 0)
        print(f"\n{test}: {len(keys)} pages differ; the first, {key[1:]}:")
        print(f"  before: …{a[max(0, start - 80) : start + 120]}…")
        print(f"  after:  …{b[max(0, start - 80) : start + 120]}…")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(compare(Path(sys.argv[1]), Path(sys.argv[2])))
