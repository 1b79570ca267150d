#!/bin/sh
# Run once by the postgres image on an empty data directory (/docker-entrypoint-initdb.d), as the superuser; the
# cluster test runs it the same way. Two login roles, neither superuser nor able to create roles or databases:
# `temporal` owns Temporal's two databases, `agntix` owns this service's store (its migrations create tables there).
# Neither can connect to the other's databases.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "${POSTGRES_DB:-postgres}" \
  -v temporal_password="$TEMPORAL_DB_PASSWORD" -v agntix_password="$AGNTIX_DB_PASSWORD" <<'SQL'
CREATE ROLE temporal LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'temporal_password';
CREATE ROLE agntix LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'agntix_password';
CREATE DATABASE temporal OWNER temporal;
CREATE DATABASE temporal_visibility OWNER temporal;
CREATE DATABASE agntix OWNER agntix;
REVOKE ALL ON DATABASE temporal, temporal_visibility, agntix FROM PUBLIC;
SQL
