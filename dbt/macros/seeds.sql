{#-
    Seeds are reloaded only when they changed. dbt's seed materialization parses the CSV and
    drops, creates and fills the table on every build (the project reloads seeds whole: the
    working group may add or rename columns); 22 seeds cost 2–3 thread-seconds of a 1 M build
    with nothing new, every day, for files that change a few times a year.

    The version of a loaded seed — its file's checksum, its column types, the materialization's
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
        {%- set found = run_query(
            "select to_regclass('" ~ seed_versions_relation() | trim ~ "') is not null"
        ).columns[0].values()[0] -%}
        {%- if found -%}
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

{#- dbt's seed materialization (dbt-core 1.11), but a seed whose table is current is left as it is. -#}
{% materialization seed, default %}

  {%- set identifier = model['alias'] -%}
  {%- set full_refresh_mode = (should_full_refresh()) -%}

  {%- set old_relation = adapter.get_relation(database=database, schema=schema, identifier=identifier) -%}

  {%- if seed_is_current(old_relation) | trim == 'true' -%}
    {#- no statement: the result dbt reports for the seed ("CURRENT 0") and an empty table for its agate result -#}
    {%- do store_result('agate_table', response='OK', agate_table=run_query('select 1 as current where false')) -%}
    {% call noop_statement('main', 'CURRENT 0', 'CURRENT', 0) %}
      select 1
    {% endcall %}
    {{ return({'relations': [old_relation]}) }}
  {%- endif -%}

  {%- set exists_as_table = (old_relation is not none and old_relation.is_table) -%}
  {%- set exists_as_view = (old_relation is not none and old_relation.is_view) -%}

  {%- set grant_config = config.get('grants') -%}
  {%- set agate_table = load_agate_table() -%}
  -- grab current tables grants config for comparison later on

  {%- do store_result('agate_table', response='OK', agate_table=agate_table) -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}

  -- `BEGIN` happens here:
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  -- build model
  {% set create_table_sql = "" %}
  {% if exists_as_view %}
    {{ exceptions.raise_compiler_error("Cannot seed to '{}', it is a view".format(old_relation.render())) }}
  {% elif exists_as_table %}
    {% set create_table_sql = reset_csv_table(model, full_refresh_mode, old_relation, agate_table) %}
  {% else %}
    {% set create_table_sql = create_csv_table(model, agate_table) %}
  {% endif %}

  {% set code = 'CREATE' if full_refresh_mode else 'INSERT' %}
  {% set rows_affected = (agate_table.rows | length) %}
  {% set sql = "" %}
  {% if rows_affected > 0 %}
    {% set sql = load_csv_rows(model, agate_table) %}
  {% endif %}

  {% call noop_statement('main', code ~ ' ' ~ rows_affected, code, rows_affected) %}
    {{ get_csv_sql(create_table_sql, sql) }};
  {% endcall %}

  {% set target_relation = this.incorporate(type='table') %}

  {% set should_revoke = should_revoke(old_relation, full_refresh_mode) %}
  {% do apply_grants(target_relation, grant_config, should_revoke=should_revoke) %}

  {% do persist_docs(target_relation, model) %}

  {% if full_refresh_mode or not exists_as_table %}
    {% do create_indexes(target_relation) %}
  {% endif %}

  {{ run_hooks(post_hooks, inside_transaction=True) }}

  -- `COMMIT` happens here
  {{ adapter.commit() }}

  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target_relation]}) }}

{% endmaterialization %}
