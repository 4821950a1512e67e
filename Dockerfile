# Telehall API image: one image for the app workers, the job runner and the migration step.
# Build: docker build -t telehall:local .   (see docs/deploy.md)
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# dependencies first (a layer that survives code changes), pinned by constraints.txt
COPY pyproject.toml constraints.txt README.md ./
RUN mkdir -p server schema resolvers domain db \
    && pip install -c constraints.txt . \
    && pip uninstall -y telehall
COPY server server
COPY schema schema
COPY resolvers resolvers
COPY domain domain
COPY db db
# editable: the package data (server/static, examples, migrations) is read from /app
RUN pip install --no-deps -e .

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/venv/bin:$PATH \
    TELEHALL_ENV=prod TELEHALL_HOST=0.0.0.0 TELEHALL_PORT=8000 TELEHALL_DATA_DIR=/var/lib/telehall \
    PROMETHEUS_MULTIPROC_DIR=/tmp/telehall-metrics
RUN useradd --system --uid 10001 --home-dir /var/lib/telehall --create-home telehall
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
USER telehall
EXPOSE 8000
# /readyz: database migrated and reachable, Redis reachable, flash-sale stock loaded
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2)"
CMD ["telehall", "serve"]
