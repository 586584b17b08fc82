# Relais production image: gunicorn by default; the same image runs the Celery worker and beat
# (see docker-compose.yml). Two stages: everything is built in `build` (uv, the locked virtual
# environment, static files), and the runtime stage receives only /app, so it carries no uv.
# No gettext anywhere: the compiled catalogues (locale/*/LC_MESSAGES/django.mo) are committed, and
# CI checks that they match the .po files.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build ---------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONUNBUFFERED=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=python3.11 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1

RUN pip install uv==0.13.9

WORKDIR /app

# Dependencies first, from the committed lock only, so that this layer survives source changes.
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-dev --no-install-project

ENV PATH=/app/.venv/bin:$PATH

# The source (.dockerignore keeps .venv, var, .git, caches and secrets out).
COPY . .

# Static files. Settings refuse to load with DEBUG off and no SECRET_KEY or ALLOWED_HOSTS, so
# these RUN-only values are throwaway: they are not kept in the image and nothing signed with
# them survives. DEBUG is off, as at run time, so collectstatic writes the
# hashed manifest that whitenoise's CompressedManifestStaticFilesStorage serves.
RUN export SECRET_KEY=build-only-throwaway-not-a-secret-0123456789 \
           ALLOWED_HOSTS=build.invalid \
           DEBUG=0 \
    && python manage.py collectstatic --noinput -v 0 \
    && python -m compileall -q -x '/\.venv/' /app

# --- runtime -------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

ENV PATH=/app/.venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings

RUN groupadd --system --gid 10001 relais \
    && useradd --system --uid 10001 --gid relais --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin relais

WORKDIR /app

# Code, virtual environment, compiled catalogues and collected static files, owned by root and
# read-only for the service user. Only var/ (MEDIA_ROOT defaults to var/media) is writable.
COPY --from=build /app /app
RUN mkdir -p /app/var/media \
    && chown relais:relais /app/var /app/var/media

USER relais

EXPOSE 8000

# sh -c only to expand WEB_CONCURRENCY; exec makes gunicorn PID 1 so that it receives SIGTERM and
# shuts down gracefully. --no-control-socket: gunicorn >= 25.1 otherwise tries to create
# $HOME/.gunicorn/gunicorn.ctl, and HOME (/app) is read-only for the service user.
CMD ["sh", "-c", "exec gunicorn config.wsgi:application --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-3} --access-logfile - --no-control-socket"]
