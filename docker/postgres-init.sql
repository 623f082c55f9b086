-- The application connects as a role that is neither superuser nor able to bypass row-level
-- security (ARCHITECTURE.md, Tenancy). The image's POSTGRES_USER stays the administrator.
CREATE ROLE ecm_app LOGIN PASSWORD 'ecm_app' NOSUPERUSER NOBYPASSRLS NOCREATEROLE;
CREATE DATABASE ecm OWNER ecm_app;
