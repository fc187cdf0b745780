#!/bin/sh
# Run once by the official Postgres image's entrypoint (mounted into /docker-entrypoint-initdb.d) on an
# empty data volume: one database and one login role per service, from the same bootstrap.sql that the
# embedded Postgres and the tests use. The services are the folders under apps/ that have a Prisma schema
# (apps/ is mounted read-only), so a service added later is found without editing this file; for one added
# after the volume was initialised, run this again (it skips the services that already have their role):
#   docker compose exec postgres sh /docker-entrypoint-initdb.d/10-mini-backends.sh
#
# The password of each role is the service's name: this is a local development database only.
# Production creates its own roles with real secrets and hands each service its DATABASE_URL.
set -eu

# Mounted outside /docker-entrypoint-initdb.d: the entrypoint would otherwise run it without variables.
bootstrap="${BOOTSTRAP_SQL:-/mini-backends/bootstrap.sql}"
apps="${APPS_DIR:-/mini-backends/apps}"
user="${POSTGRES_USER:-postgres}"

for schema in "$apps"/*/prisma/schema.prisma; do
  [ -f "$schema" ] || continue
  service=$(basename "$(dirname "$(dirname "$schema")")")
  exists=$(psql -v ON_ERROR_STOP=1 --username "$user" --dbname postgres -tAc \
    "SELECT 1 FROM pg_roles WHERE rolname = '$service'")
  if [ "$exists" = 1 ]; then
    echo "mini-backends: $service already has its role and database"
    continue
  fi
  psql -v ON_ERROR_STOP=1 --username "$user" --dbname postgres \
    -v role="$service" -v database="$service" -v password="$service" \
    -f "$bootstrap"
  echo "mini-backends: created role and database $service"
done
