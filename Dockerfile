# IMG Pathway Bot: a slim, non-root image; SQLite lives on the /data volume.
# Build: docker build -t imgbot .   Run: see README ("Deploying").

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
# Dependencies first, so code changes do not reinstall them.
COPY pyproject.toml README.md requirements-model.txt ./
RUN python -m venv /venv \
    && mkdir -p bot && touch bot/__init__.py \
    && /venv/bin/pip install . \
    && /venv/bin/pip install --no-deps --require-hashes -r requirements-model.txt \
    && /venv/bin/pip uninstall -y imgbot
COPY bot ./bot
RUN /venv/bin/pip install --no-deps .

FROM python:3.11-slim
ENV PATH=/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    IMGBOT_DB=/data/imgbot.sqlite3 \
    IMGBOT_KNOWLEDGE_DIR=/app/knowledge \
    IMGBOT_CACHE_DIR=/app/cache \
    IMGBOT_WEBHOOK_LISTEN=0.0.0.0
RUN useradd --create-home --uid 10001 imgbot && mkdir -p /data /app/cache && chown imgbot /data /app/cache
COPY --from=build /venv /venv
COPY knowledge /app/knowledge
# A broken knowledge file fails the build, not the deployment. Then build the sentence
# encoder's graph from the model package's weights (90 MB) and compute the knowledge's
# vectors once, into /app/cache, so the container starts in about a second.
RUN imgbot validate /app/knowledge && imgbot ask "warm up the vector cache" > /dev/null \
    && chown -R imgbot /app/cache
USER imgbot
WORKDIR /app
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=60s --timeout=10s --start-period=20s --retries=3 \
    CMD ["imgbot", "health"]
CMD ["imgbot", "run"]
