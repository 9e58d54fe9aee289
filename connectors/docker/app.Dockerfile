# The Python apps (both APIs, the consumers, migrations, connector registration).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml ./
COPY apps ./apps
COPY outbox ./outbox
COPY connectors ./connectors
COPY schemas ./schemas
RUN pip install --no-cache-dir .
