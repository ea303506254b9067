{#-
    Seeds are reloaded only when they changed. dbt's seed materialization parses the CSV and
    drops, creates and fills the table on every build (the project reloads seeds whole: the
    working group may add or rename columns); 22 seeds cost 2–3 thread-seconds of a 1 M build
    with nothing new, every day, for files that change a few times a year.

    The materialization is in macros/materializations/seed.sql. The version of a loaded seed — its file's checksum, its column types, the materialization's
    own version — is written beside it, in `<seed schema>.seed_versions`, by the seed's post-hook,
    in the transaction that loaded it. A build loads a seed when that version differs, the table
    is missing, or the command asked for `--full-refresh`; otherwise it leaves the table as it is.
    The seed's data tests run in every build either way, so a seed that fails them keeps failing
    the build until its file is fixed.
-#}

{% macro seed_version() -%}
    {{ local_md5(model.checksum.checksum ~ '|' ~ (config.get('column_types') or {}) | tojson ~ '|seeds 1') }}
{%- endmacro %}

{% macro seed_versions_relation() -%}
    {{ this.schema }}.seed_versions
{%- endmacro %}

{#- true when the seed's table holds the current version of its file -#}
{% macro seed_is_current(old_relation) -%}
    {%- if old_relation is none or not old_relation.is_table or flags.FULL_REFRESH -%}
        false
    {%- else -%}
        {%- if relation_exists(seed_versions_relation() | trim) | trim == 'true' -%}
            {%- set held = run_query(
                "select count(*) from " ~ seed_versions_relation() | trim
                ~ " where seed = '" ~ this.identifier ~ "' and version = '" ~ seed_version() | trim ~ "'"
            ).columns[0].values()[0] -%}
            {{ 'true' if held > 0 else 'false' }}
        {%- else -%}
            false
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- The seeds' post-hook: the version just loaded. Seeds load on several threads: the lock keeps two `create table if not exists` apart. -#}
{% macro record_seed_version() -%}
    select pg_advisory_xact_lock(hashtext('cjw_seed_versions'));
    create table if not exists {{ seed_versions_relation() }} (
        seed text primary key,
        version text not null,
        loaded_at timestamptz not null default now()
    );
    insert into {{ seed_versions_relation() }} (seed, version)
    values ('{{ this.identifier }}', '{{ seed_version() | trim }}')
    on conflict (seed) do update set version = excluded.version, loaded_at = now()
{%- endmacro %}
