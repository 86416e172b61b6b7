FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    FAMILYHUB_HOST=0.0.0.0 \
    FAMILYHUB_PORT=8000

WORKDIR /srv/familyhub
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
RUN pip install . && useradd --system --create-home --uid 10001 familyhub \
    && mkdir -p /srv/familyhub/var && chown familyhub /srv/familyhub/var

USER familyhub
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2).status == 200 else 1)"
CMD ["familyhub", "serve"]
