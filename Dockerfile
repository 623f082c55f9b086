# One image for web, worker and beat.
FROM python:3.11-slim AS app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_ENV=production

# WeasyPrint's system libraries (PDF letters).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements/runtime.txt requirements/runtime.txt
RUN pip install -r requirements/runtime.txt
COPY . .

# collectstatic needs settings that load; the real secret comes from the environment at run time.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --home /app ecm \
    && chown -R ecm /app/staticfiles

USER ecm
EXPOSE 8000
# Two database roles: `python manage.py migrate` connects as the role that owns the tables; this
# command, the Celery worker and beat as a role that owns nothing (docker-compose.yml, README).
# The access log leaves out query strings and referrers: member searches carry PHI in them.
CMD ["gunicorn", "ecm_platform.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--access-logfile", "-", "--access-logformat", "%(h)s %(t)s \"%(m)s %(U)s\" %(s)s %(b)s %(L)s"]
