# Pushback: a multi-stage build on a slim Python base; the final stage has no compilers and runs as non-root.
#   docker build -t pushback .            (or deploy/build-image.sh where only buildah is available)
# BASE_IMAGE must provide python3 with venv; deploy/build-image.sh passes a locally made Debian base.
ARG BASE_IMAGE=python:3.11-slim

FROM ${BASE_IMAGE} AS build
# How pip reaches the package index, used only in this stage: PIP_INDEX_URL / PIP_EXTRA_INDEX_URL /
# PIP_TRUSTED_HOST for a mirror, and, where a TLS-intercepting proxy sits in between, PIP_CERT: the path of its CA
# bundle mounted into the build (deploy/build-image.sh passes what this machine uses). pip ignores empty ones.
ARG PIP_INDEX_URL=
ARG PIP_EXTRA_INDEX_URL=
ARG PIP_TRUSTED_HOST=
ARG PIP_CERT=
WORKDIR /app
COPY pyproject.toml README.md manifest.json requirements.lock ./
COPY bot ./bot
COPY handlers ./handlers
COPY data ./data
# The dependencies at the versions in requirements.lock (those CI tested), then a plain install of the project
# alone: the code and the shipped knowledge (package data) go into the virtual environment, so the final stage
# needs nothing from /app.
RUN python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir --upgrade pip \
 && /opt/venv/bin/pip install --no-cache-dir -r requirements.lock \
 && /opt/venv/bin/pip install --no-cache-dir --no-deps .

FROM ${BASE_IMAGE}
RUN (getent group pushback || groupadd --system --gid 10001 pushback) \
 && (getent passwd pushback || useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/pushback --shell /usr/sbin/nologin pushback) \
 && mkdir -p /var/lib/pushback && chown pushback:pushback /var/lib/pushback
COPY --from=build /opt/venv /opt/venv
WORKDIR /var/lib/pushback
ENV PATH=/opt/venv/bin:$PATH \
    PUSHBACK_DATA_DIR=/var/lib/pushback \
    PORT=3000 \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
USER 10001:10001
EXPOSE 3000
VOLUME ["/var/lib/pushback"]
# HTTP mode answers /healthz while the database does; in Socket Mode nothing listens, so the check is skipped.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python3", "-c", "import os,sys,urllib.request; sys.exit(0) if os.environ.get('SLACK_APP_TOKEN') else urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"]
# `pushback run` applies migrations itself; `pushback db upgrade` runs them alone (a Kubernetes Job does).
CMD ["pushback", "run"]
