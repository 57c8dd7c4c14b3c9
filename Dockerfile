# One image for api, web, worker and beat; docker-compose.yml changes only the command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=albumvote.settings.production \
    DATA_DIR=/data \
    MEDIA_ROOT=/data/media

# FluidR3_GM (MIT): with SOUNDFONT_PATH unset, tracks are rendered with it when it is installed,
# else with the TimGM6mb that pretty_midi ships (generation/audio/soundfont.py). It sounds
# better and costs about 300 MB more RSS per worker process (figures in docs/generation.md).
RUN apt-get update \
 && apt-get install -y --no-install-recommends fluid-soundfont-gm \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY albumvote ./albumvote
COPY generation ./generation
COPY curation ./curation
RUN pip install --no-cache-dir . \
 && pip install --no-cache-dir --no-deps "tinysoundfont>=0.3.7,<0.4"
COPY . .
# Static files are collected at build time; collectstatic needs no secrets beyond a placeholder.
RUN SECRET_KEY=build-only-placeholder-build-only-placeholder-build-only \
    DATABASE_URL=postgres://build@localhost/build \
    python manage.py collectstatic --noinput

RUN useradd --create-home albumvote && mkdir -p /data && chown albumvote /data
USER albumvote
EXPOSE 8000
CMD ["uvicorn", "albumvote.asgi:application", "--host", "0.0.0.0", "--port", "8000"]
