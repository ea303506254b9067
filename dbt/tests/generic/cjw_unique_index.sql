{#-
    The column (or `columns`, on a model) is a key the table enforces itself: it has a unique
    index on exactly those columns, so an insert that would repeat a key fails the model, and a
    `unique` test scanning the whole table every build would only repeat that (at 1 M events the staging and event keys' tests cost
    ≈ 1.4 s a build). This test reads the catalogue only: it fails when the index is missing
    (a table an earlier release created without it: `dbt build --full-refresh -s <model>`).
-#}
{% test cjw_unique_index(model, column_name=none, columns=none) %}
{%- set columns = columns or [column_name] %}
select '{{ model.schema }}.{{ model.identifier }}' as relation, '{{ columns | sort | join(", ") }}' as missing_unique_index
where not exists (
    select 1
    from pg_index as ix
    inner join pg_class as tbl on ix.indrelid = tbl.oid
    inner join pg_namespace as ns on tbl.relnamespace = ns.oid
    where ns.nspname = '{{ model.schema }}'
        and tbl.relname = '{{ model.identifier }}'
        and ix.indisunique
        and ix.indpred is null
        and ix.indexprs is null
        and (
            select array_agg(att.attname::text order by att.attname::text)
            from pg_attribute as att
            where att.attrelid = tbl.oid and att.attnum = any(ix.indkey)
        ) = array['{{ columns | sort | join("', '") }}']::text[]
)
{% endtest %}
