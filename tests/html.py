"""Helpers for asserting on rendered HTML with a real parser."""

from bs4 import BeautifulSoup


def parse(html: str) -> BeautifulSoup:
    """The page as a parsed document."""
    return BeautifulSoup(html, "html.parser")


def text_of(html: str) -> str:
    """The visible text of a page, whitespace folded."""
    return " ".join(parse(html).get_text(" ").split())
