#!/bin/sh
# PostgreSQL first-start script for docker-compose.yml, mounted into /docker-entrypoint-initdb.d/. The postgres
# image runs it once, on an empty data volume, against a temporary server that listens on the Unix socket only
# (so the compose healthcheck, which asks over TCP, stays red until this has finished).
#
# Creates the three Missive databases and the application login `missive_app`: not a superuser and without
# BYPASSRLS, so row-level security applies to it (R-T1). The databases stay owned by the postgres superuser,
# which the one-shot `migrate` service uses (DATABASE_ADMIN_URL_*); the migrations grant missive_app exactly
# what the app may do. The password comes from MISSIVE_APP_DB_PASSWORD (compose default: missive_app).
#
# No `set -u`: the entrypoint sources this file when it is not executable, and the option would stay on in it.
set -e

psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
  --set app_password="${MISSIVE_APP_DB_PASSWORD:-missive_app}" <<'SQL'
CREATE ROLE missive_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'app_password';
CREATE DATABASE missive_global;
CREATE DATABASE missive_na;
CREATE DATABASE missive_eea;
SQL
