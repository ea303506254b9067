-- Roles and databases of the production stack, run once by docker/postgres/initdb.sh on the
-- first start of the PostgreSQL container (empty data volume), as the superuser, with psql.
-- Names and passwords are psql variables (-v name=value), so the same script can be run on any
-- server (tests/test_compose.py runs it with throw-away names):
--
--   warehouse_db / warehouse_owner / warehouse_password   the warehouse (cjw), owned by cjw
--   bi_role / bi_password                                 read-only BI role (cjw_bi)
--   airflow_db / airflow_role / airflow_password          Airflow metadata and Celery results
--   superset_db / superset_role / superset_password       Superset's own metadata

\set ON_ERROR_STOP on

-- roles: one per component, none of them superuser
create role :"warehouse_owner" login password :'warehouse_password'
    nosuperuser nocreatedb nocreaterole;
create role :"airflow_role" login password :'airflow_password'
    nosuperuser nocreatedb nocreaterole;
create role :"superset_role" login password :'superset_password'
    nosuperuser nocreatedb nocreaterole;
-- the BI role sees only what every publish grants it: usage on schema marts and select on its
-- tables (include/publish.py); read-only by default even where a grant would allow more
create role :"bi_role" login password :'bi_password'
    nosuperuser nocreatedb nocreaterole noinherit connection limit 50;
alter role :"bi_role" set default_transaction_read_only = on;
alter role :"bi_role" set statement_timeout = '300s';

-- databases, each owned by its component's role
create database :"warehouse_db" owner :"warehouse_owner" encoding 'UTF8' template template0;
create database :"airflow_db" owner :"airflow_role" encoding 'UTF8' template template0;
create database :"superset_db" owner :"superset_role" encoding 'UTF8' template template0;

-- nobody connects to a database that is not theirs
revoke all on database :"warehouse_db" from public;
revoke all on database :"airflow_db" from public;
revoke all on database :"superset_db" from public;
grant connect, temporary on database :"warehouse_db" to :"warehouse_owner";
grant connect on database :"warehouse_db" to :"bi_role";

-- in the warehouse, only the owner creates anything (schemas raw, staging, intermediate,
-- config, ops, marts__build, marts are created by the loaders, dbt and the publish step)
\connect :"warehouse_db"
revoke all on schema public from public;
alter schema public owner to :"warehouse_owner";
