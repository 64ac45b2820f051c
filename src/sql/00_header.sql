/* scim--0.1.0.sql: generated from src/sql/*.sql by the Makefile; do not edit */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION scim CASCADE" to load this file. \quit

CREATE SCHEMA scim_api;
COMMENT ON SCHEMA scim_api IS 'The one entry point PostgREST exposes: scim_api.handle(bytea)';
