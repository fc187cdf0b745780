#!/bin/sh
# Stand-in for Prisma's native schema engine, which `prisma generate` does not use but every Prisma 7
# command tries to download first. It only answers the version probe. Used by apps/*/prisma.config.ts for
# `prisma generate` when PRISMA_SCHEMA_ENGINE_BINARY is unset; `prisma migrate` keeps the real engine.
echo "schema-engine-cli 0.0.0-offline-stub"
