"""The Dockerfile, Makefile and CI script keep their essentials."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_dockerfile_runs_serve_as_a_non_root_user_with_a_healthcheck() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.\d+-slim", dockerfile, re.M)
    user = re.search(r"^USER (\S+)", dockerfile, re.M)
    assert user and user.group(1) not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*", dockerfile, re.M) and "/healthz" in dockerfile
    assert re.search(r"^EXPOSE 8000", dockerfile, re.M)
    assert 'ENTRYPOINT ["spindelvaev"]' in dockerfile
    assert re.search(
        r'^CMD \["serve", "--host", "0\.0\.0\.0", "--port", "8000"\]', dockerfile, re.M
    )
    assert re.search(r"^VOLUME", dockerfile, re.M) and "SPINDELVAEV_DATA_DIR=/data" in dockerfile


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^run:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
