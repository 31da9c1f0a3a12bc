-- Dorp's two PostgreSQL roles. Run once as a superuser, then `flask init-db` as dorp_owner.
-- dorp_owner owns the tables and runs migrations; dorp_app is what the web and workers use:
-- it owns nothing and cannot bypass row-level security.
CREATE ROLE dorp_owner LOGIN PASSWORD 'change-me-owner';
CREATE ROLE dorp_app LOGIN PASSWORD 'change-me-app' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
CREATE DATABASE dorp OWNER dorp_owner;
\connect dorp
ALTER SCHEMA public OWNER TO dorp_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
