"""The interface's Danish: one scale, one quotation style, one name for the facilitator."""

import ast
import re
from pathlib import Path

import pytest

from app.core.rounds import STATUS_LABELS, RoundStatus

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"
TEMPLATES = sorted((APP / "templates").glob("*.html"))
SCRIPTS = sorted((APP / "static").glob("*.js"))  # the service's own scripts (plotly is not here)
# A list of guessable words that passwords may not contain, not text anyone reads.
NOT_UI = {APP / "core" / "passwords.py"}
PYTHON = sorted(path for path in APP.rglob("*.py") if path not in NOT_UI)


def _python_strings(path: Path) -> list[str]:
    """Every string literal of a module except its docstrings (code talk, not interface)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    # An f-string counts as one text, its placeholders as "{}".
    fstrings = [node for node in ast.walk(tree) if isinstance(node, ast.JoinedStr)]
    parts = {id(part) for node in fstrings for part in node.values}
    joined = [
        "".join(p.value if isinstance(p, ast.Constant) else "{}" for p in node.values)
        for node in fstrings
    ]
    return joined + [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings | parts
    ]


def _ui_texts() -> list[tuple[str, str]]:
    """(where, text) for every template and script, and every string literal of the Python code."""
    texts = [
        (str(path.relative_to(ROOT)), path.read_text(encoding="utf-8"))
        for path in [*TEMPLATES, *SCRIPTS]
    ]
    for path in PYTHON:
        texts += [(str(path.relative_to(ROOT)), text) for text in _python_strings(path)]
    return texts


def test_the_docstring_filter_keeps_messages_and_drops_docstrings() -> None:
    strings = _python_strings(APP / "core" / "scoring.py")
    assert "Vælg et svar (eller »Ved ikke«) til din kommentar, så den kan gemmes." in strings
    assert not any(text.startswith("The scoring form's rules") for text in strings)


def test_no_interface_text_speaks_of_a_scale_from_0_to_10() -> None:
    found = [where for where, text in _ui_texts() if re.search(r"\b0\s*[-–]\s*10\b", text)]
    assert found == []


@pytest.mark.parametrize("mark", ["„", "“", "&bdquo;", "&ldquo;", "&laquo;", "&raquo;"])
def test_no_interface_text_uses_another_quotation_style(mark: str) -> None:
    assert [where for where, text in _ui_texts() if mark in text] == []


def test_every_guillemet_quotation_is_danish_pointing_inwards() -> None:
    # »…« is Danish; «…» (and a lone mark) is not.
    bad = [
        (where, text)
        for where, text in _ui_texts()
        if re.search(r"[«»]", re.sub(r"»[^«»\n]*«", "", text))
    ]
    assert bad == []


def test_the_facilitator_has_one_name_in_the_interface_and_the_readme() -> None:
    texts = [*_ui_texts(), ("README.md", (ROOT / "README.md").read_text(encoding="utf-8"))]
    # The material's "tovholder" coordinates one child's case; the catalogue may say so.
    assert [where for where, text in texts if re.search(r"tovholder", text, re.I)] == []
    assert any(re.search(r"mødeleder", text, re.I) for _, text in texts)


def test_round_status_has_one_label_table() -> None:
    assert STATUS_LABELS == {
        RoundStatus.DRAFT: "Ikke åbnet endnu",
        RoundStatus.OPEN: "Åben for svar",
        RoundStatus.CLOSED: "Lukket",
    }
    labels = set(STATUS_LABELS.values())
    for where, text in _ui_texts():
        if where == "app/core/rounds.py":
            continue
        assert text not in labels, f"{where} spells a status label of its own"
    assert not any("Kladde" in text for _, text in _ui_texts())


def test_labels_keep_their_own_case() -> None:
    lowered = [
        (path.name, line)
        for path in TEMPLATES
        for line in path.read_text(encoding="utf-8").splitlines()
        if re.search(r"label\w*\s*\|\s*lower", line)
    ]
    assert lowered == []


def test_the_meeting_says_statements_and_the_plan_says_abandoned() -> None:
    texts = [text for _, text in _ui_texts()]
    assert "Vælg 3 udsagn" in texts
    assert not any("parametre" in text for text in texts)
    assert not any("Droppet" in text for text in texts)
    assert "Opgivet" in texts
