{#-
    What dbt asks PostgreSQL about a relation's columns, asked once.

    dbt reads a relation's columns through `adapter.get_columns_in_relation`, which builds a macro
    context of its own for every call: an incremental model asked six times a build (its new
    rows' columns and the table's, twice each for the schema change check, twice for the column
    comments), a table model twice; 394 of the 1 981 statements of a 1 M build with nothing new,
    and a context each. Two of dbt's dispatched macros are replaced here for PostgreSQL (the root
    project's `postgres__*` comes before dbt's own), with dbt's behaviour:
    - `check_for_schema_changes`: the columns of the new rows and of the table in one query;
    - `persist_docs`: the table's comments as they are now, in one query with its columns, and
      only the comments that differ are written, in one statement (an incremental table keeps
      the comments of the build before; a table created anew gets them all).
    Columns come from `information_schema.columns`, as dbt's `postgres__get_columns_in_relation`
    reads them, so the types compared are the ones dbt compares.
-#}

{#- The columns of each of `relations`, a list of dbt Column objects per relation, in order. -#}
{% macro columns_of_relations(relations) -%}
    {%- set query -%}
        {%- for relation in relations %}
        select
            {{ loop.index0 }} as relation_index,
            ordinal_position,
            column_name::text,
            data_type::text,
            character_maximum_length::int,
            numeric_precision::int,
            numeric_scale::int
        from {{ relation.information_schema('columns') }}
        where table_name = '{{ relation.identifier }}'
            {%- if relation.schema %} and table_schema = '{{ relation.schema }}'{% endif %}
        {{ 'union all' if not loop.last }}
        {%- endfor %}
        order by 1, 2
    {%- endset -%}
    {%- set columns = [] -%}
    {%- for relation in relations -%}
        {%- do columns.append([]) -%}
    {%- endfor -%}
    {%- for row in run_query(query) -%}
        {%- do columns[row[0]].append(api.Column(row[2], row[3], row[4], row[5], row[6])) -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}

{#- dbt's default__check_for_schema_changes, with both relations' columns read in one query. -#}
{% macro postgres__check_for_schema_changes(source_relation, target_relation) %}
    {%- set both = columns_of_relations([source_relation, target_relation]) -%}
    {%- set source_columns = both[0] -%}
    {%- set target_columns = both[1] -%}
    {%- set source_not_in_target = diff_columns(source_columns, target_columns) -%}
    {%- set target_not_in_source = diff_columns(target_columns, source_columns) -%}
    {%- set new_target_types = diff_column_data_types(source_columns, target_columns) -%}
    {%- set schema_changed = source_not_in_target != [] or target_not_in_source != [] or new_target_types != [] -%}
    {%- set changes_dict = {
        'schema_changed': schema_changed,
        'source_not_in_target': source_not_in_target,
        'target_not_in_source': target_not_in_source,
        'source_columns': source_columns,
        'target_columns': target_columns,
        'new_target_types': new_target_types
    } -%}
    {%- if schema_changed -%}
        {%- do log('In ' ~ target_relation ~ ': source columns not in target: ' ~ source_not_in_target
            ~ '; target columns not in source: ' ~ target_not_in_source ~ '; new column types: ' ~ new_target_types) -%}
    {%- endif -%}
    {{ return(changes_dict) }}
{% endmacro %}

{#-
    dbt's default__persist_docs (a table's description and its documented columns' descriptions
    as comments; a documented column the table lacks is a warning), writing only what differs.
    PostgreSQL keeps an empty comment as none.
-#}
{% macro postgres__persist_docs(relation, model, for_relation=true, for_columns=true) -%}
    {%- set table_comment = model.description if for_relation and config.persist_relation_docs() and model.description else none -%}
    {%- set column_docs = model.columns if for_columns and config.persist_column_docs() and model.columns else {} -%}
    {%- if table_comment is not none or column_docs -%}
        {%- set query -%}
            select null::text as column_name, obj_description('{{ relation }}'::regclass, 'pg_class') as comment
            union all
            select attname::text, col_description(attrelid, attnum)
            from pg_attribute
            where attrelid = '{{ relation }}'::regclass and attnum > 0 and not attisdropped
        {%- endset -%}
        {%- set existing = {} -%}
        {%- set current_table_comment = [] -%}
        {%- for row in run_query(query) -%}
            {%- if row[0] is none -%}
                {%- do current_table_comment.append(row[1] or '') -%}
            {%- else -%}
                {%- do existing.update({row[0]: row[1] or ''}) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set statements = [] -%}
        {%- if table_comment is not none and table_comment != current_table_comment[0] -%}
            {%- do statements.append(alter_relation_comment(relation, table_comment) | trim) -%}
        {%- endif -%}
        {%- set lowered = {} -%}
        {%- for name in existing -%}
            {%- do lowered.update({name | lower: name}) -%}
        {%- endfor -%}
        {%- set missing = [] -%}
        {%- for name, column in column_docs.items() -%}
            {%- set present = name if column['quote'] else lowered.get(name | lower) -%}
            {%- if present is none or present not in existing -%}
                {%- do missing.append(name) -%}
            {%- elif (column['description'] or '') != existing[present] -%}
                {%- do statements.append(
                    'comment on column ' ~ relation ~ '.' ~ (adapter.quote(name) if column['quote'] else name)
                    ~ ' is ' ~ (postgres_escape_comment(column['description']) | trim) ~ ';'
                ) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if missing -%}
            {{ exceptions.warn("In relation " ~ relation.render() ~ ": The following columns are specified in the schema but are not present in the database: " ~ missing | join(", ")) }}
        {%- endif -%}
        {%- if statements -%}
            {%- do run_query(statements | join('\n')) -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
