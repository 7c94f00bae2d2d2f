# Pushback: multi-stage build, slim runtime, non-root.
ARG BASE_IMAGE=python:3.11-slim
FROM ${BASE_IMAGE} AS build
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
RUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir '.[postgres]'

FROM ${BASE_IMAGE}
RUN useradd --create-home --uid 10001 pushback
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY data ./data
ENV PATH=/opt/venv/bin:$PATH PUSHBACK_DATA_DIR=/var/lib/pushback PORT=3000 PYTHONUNBUFFERED=1
RUN mkdir -p /var/lib/pushback && chown pushback /var/lib/pushback
USER pushback
EXPOSE 3000
CMD ["pushback", "run"]
