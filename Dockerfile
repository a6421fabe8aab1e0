# Spindelvæv: one container running the web service. Data (SQLite file, generated secret) lives in /data.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    SPINDELVAEV_DATA_DIR=/data

WORKDIR /srv/spindelvaev
COPY pyproject.toml README.md ./
COPY app ./app
# app/data/statements.yaml is a symlink into data/; the wheel pip builds holds a copy of the file.
COPY data ./data
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /srv/spindelvaev spindelvaev \
    && mkdir -p /data && chown spindelvaev /data

USER spindelvaev
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
ENTRYPOINT ["spindelvaev"]
# `serve` applies the migrations before it starts.
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
