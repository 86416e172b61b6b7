FROM python:3.11-slim

# Production settings: the image listens on every interface, so it must never run the dev
# defaults (a demo token secret published in the code). It refuses to start until it is given
# FAMILYHUB_AUTH_HS256_SECRET (32+ characters) or the identity provider's JWKS.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    FAMILYHUB_ENV=production \
    FAMILYHUB_HOST=0.0.0.0 \
    FAMILYHUB_PORT=8000

WORKDIR /srv/familyhub
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY demo ./demo
COPY migrations ./migrations
# `familyhub serve` first runs the migrations, and app/db/migrations_state.py finds alembic.ini
# and migrations/ beside the imported `app` package. A plain `pip install .` would import `app`
# from a copy in site-packages, where neither exists, and the container would stop at start-up
# ("Path doesn't exist: .../site-packages/migrations"). So the package is installed in editable
# mode, which points `app` at this tree (runtime dependencies only, no [dev] extra), and compiled
# ahead of time because the non-root user cannot write bytecode here.
RUN pip install -e . \
    && python -m compileall -q app demo migrations \
    && useradd --system --create-home --uid 10001 familyhub \
    && mkdir -p /srv/familyhub/var && chown familyhub /srv/familyhub/var

USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2).status == 200 else 1)"
CMD ["familyhub", "serve"]
