# The production image: gunicorn serves the portal; the same image runs the Celery worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY productops ./productops
COPY telemetry ./telemetry
COPY strategy ./strategy
COPY research ./research
RUN pip install .

COPY . .
# collectstatic needs settings but no database: a throwaway key is enough at build time.
RUN DEBUG=false SECRET_KEY=build-only-key python manage.py collectstatic --noinput \
    && useradd --create-home portal && mkdir -p /app/var && chown -R portal /app/var
USER portal

EXPOSE 8000
CMD ["gunicorn", "productops.wsgi:application", "-c", "python:productops.gunicorn_conf"]
