#!/bin/sh
# Run once by the official Postgres image's entrypoint (mounted into /docker-entrypoint-initdb.d) on an
# empty data volume: one database and one login role per service, from the same bootstrap.sql that the
# embedded Postgres and the tests use.
#
# The password of each role is the service's name: this is a local development database only.
# Production creates its own roles with real secrets and hands each service its DATABASE_URL.
set -eu

# Mounted outside /docker-entrypoint-initdb.d: the entrypoint would otherwise run it without variables.
bootstrap="${BOOTSTRAP_SQL:-/mini-backends/bootstrap.sql}"

for service in auth tasks blog inventory chat; do
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v role="$service" -v database="$service" -v password="$service" \
    -f "$bootstrap"
done
