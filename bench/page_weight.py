"""The scoring page's weight: HTML, CSS and JS as transferred (gzip), all six themes on one page.

Builds a round with every theme on a temporary SQLite database, fetches its scoring page and every
file the page references through the app, and prints bytes raw and gzip per file and in total
against the target. Exits 1 if the page references anything on another host (PRODUCT.md section 3).

    python bench/page_weight.py [--quick]

`--quick` (used by `make bench-quick` in CI) measures only the empty page; the full run also
measures the page of a phone that comes back to change a full set of answers.
"""

import argparse
import gzip
import re
import sys
import tempfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlmodel import Session

from app.config import Settings
from app.db.models import Team, Unit
from app.db.rounds import create_round
from app.main import create_app
from app.migrate import upgrade_to_head

TARGET_BYTES = 25_000
_CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)")


@dataclass
class Asset:
    """One file the scoring page loads, as measured."""

    path: str
    kind: str
    raw: int
    gzip: int


class _References(HTMLParser):
    """The addresses of every script, stylesheet, icon, image and frame on a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "link" and values.get("href"):
            self.found.append((values.get("rel") or "link", values["href"] or ""))
        elif tag in ("script", "img", "iframe", "source", "video", "audio") and values.get("src"):
            self.found.append((tag, values["src"] or ""))


def _is_other_host(address: str) -> bool:
    return address.startswith(("//", "http:", "https:")) or ":" in address.split("/")[0]


def _measure(client: TestClient, path: str, kind: str) -> Asset:
    reply = client.get(path, headers={"Accept-Encoding": "gzip"})
    reply.raise_for_status()
    body = reply.content
    # What the server sends: GZipMiddleware compresses anything over 500 bytes.
    sent = (
        reply.num_bytes_downloaded if reply.headers.get("content-encoding") == "gzip" else len(body)
    )
    return Asset(path=path, kind=kind, raw=len(body), gzip=sent or len(gzip.compress(body)))


def _page_assets(client: TestClient, page_path: str) -> tuple[list[Asset], list[str]]:
    page = _measure(client, page_path, "html")
    html = client.get(page_path).text
    parser = _References()
    parser.feed(html)
    assets, foreign = [page], []
    seen = {page_path}
    for kind, address in parser.found:
        if address in seen:  # the browser fetches a file once
            continue
        seen.add(address)
        if _is_other_host(address):
            foreign.append(address)
            continue
        asset = _measure(client, address, "css" if kind == "stylesheet" else kind)
        assets.append(asset)
        if asset.kind == "css":
            css = client.get(address).text
            foreign += [url for url in _CSS_URL.findall(css) if _is_other_host(url)]
    return assets, foreign


def _report(title: str, assets: list[Asset]) -> int:
    print(f"\n{title}")
    print(f"  {'file':<34} {'kind':<10} {'raw':>9} {'gzip':>9}")
    for asset in assets:
        print(f"  {asset.path[:34]:<34} {asset.kind:<10} {asset.raw:>9,} {asset.gzip:>9,}")
    raw, sent = sum(a.raw for a in assets), sum(a.gzip for a in assets)
    verdict = "under" if sent < TARGET_BYTES else "OVER"
    print(f"  {'total':<34} {'':<10} {raw:>9,} {sent:>9,}")
    print(
        f"  target: under {TARGET_BYTES:,} bytes gzip (25 KB) -> {verdict} ({sent / 1000:.1f} KB)"
    )
    return sent


def _build(folder: Path) -> tuple[TestClient, str, list[str]]:
    url = f"sqlite:///{folder / 'bench.db'}"
    upgrade_to_head(url)
    settings = Settings(
        database_url=url, data_dir=folder, secret_key=SecretStr("bench-" + "x" * 40)
    )
    app = create_app(settings=settings)
    catalogue = app.state.catalogue
    with Session(app.state.engine) as session:
        unit = Unit(name="Bench")
        session.add(unit)
        session.flush()
        team = Team(name="Bench-team", unit_id=unit.id or 0, expected_size=10)
        session.add(team)
        session.flush()
        round_ = create_round(
            session=session,
            catalogue=catalogue,
            team_id=team.id or 0,
            label="November 2026",
            theme_ids=[theme.id for theme in catalogue.themes],
            status="open",
        )
        session.commit()
        code = round_.join_code
    ids = [statement.id for statement in catalogue.all_statements()]
    return TestClient(app), code, ids


def main() -> int:
    """Measure, print, and fail only on a reference to another host."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the empty scoring page")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        client, code, ids = _build(Path(folder))
        with client:
            # The largest screen: every theme on one page (?tema=alle); by default a phone sees
            # one theme per screen, which weighs less.
            largest = f"/r/{code}?tema=alle"
            assets, foreign = _page_assets(client, largest)
            print(f"Scoring page for a round with all six themes ({len(ids)} statements)")
            _report("First visit (empty form):", assets)
            if not args.quick:
                token = re.search(
                    r'name="csrf_token" value="([^"]+)"', client.get(f"/r/{code}").text
                )
                form = {f"s-{sid}": str(i % 10 + 1) for i, sid in enumerate(ids)}
                form["csrf_token"] = token.group(1) if token else ""
                client.post(f"/r/{code}", data=form)
                again, more = _page_assets(client, largest)
                foreign += more
                _report("Coming back (every statement answered):", again)
    if foreign:
        print(f"\nFAIL: the page references other hosts: {sorted(set(foreign))}")
        return 1
    print("\nOK: every file comes from the service itself.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
