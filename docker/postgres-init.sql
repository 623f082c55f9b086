-- Two roles, neither a superuser nor able to bypass row-level security (ARCHITECTURE.md, Tenancy).
-- ecm_owner owns the database and every table and runs the migrations. ecm_app, the role of the
-- web, worker and beat processes, owns nothing: it reads and writes rows, and cannot alter a table,
-- drop a row-level security policy or disable the triggers that make the audit tables append-only.
-- The image's POSTGRES_USER stays the administrator.
CREATE ROLE ecm_owner LOGIN PASSWORD 'ecm_owner' NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB;
CREATE ROLE ecm_app LOGIN PASSWORD 'ecm_app' NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB;
CREATE DATABASE ecm OWNER ecm_owner;

\connect ecm
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO ecm_app;
-- Every table and sequence the owner's migrations create, now and later.
ALTER DEFAULT PRIVILEGES FOR ROLE ecm_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ecm_app;
ALTER DEFAULT PRIVILEGES FOR ROLE ecm_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO ecm_app;
-- The owner's SECURITY DEFINER functions (ecm_platform.db.owner_function_install: the PHI access
-- log's months, ANALYZE after a claims load), which PUBLIC may not call.
ALTER DEFAULT PRIVILEGES FOR ROLE ecm_owner IN SCHEMA public
    GRANT EXECUTE ON FUNCTIONS TO ecm_app;
