-- One service's database and login role. The single bootstrap used by docker-compose's Postgres
-- (prisma/docker-init.sh runs it with psql), by the embedded Postgres and by the test setup
-- (@mini/db's bootstrapServiceDatabase substitutes the same psql variables).
-- Variables: role, database, password. Each statement ends with a semicolon at the end of a line.

-- CREATEDB only so that `prisma migrate dev` can create its temporary shadow database; the role still
-- reaches no database it does not own.
CREATE ROLE :"role" LOGIN PASSWORD :'password' NOSUPERUSER NOCREATEROLE CREATEDB;

CREATE DATABASE :"database" OWNER :"role";

-- New databases let every role connect by default; only the owner (and superusers) may.
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
