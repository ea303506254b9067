{#-
    The column (or `columns`, on a model) is a key the table enforces itself: it has a unique
    index on exactly those columns, so an insert that would repeat a key fails the model, and a
    `unique` test scanning the whole table every build would only repeat that (at 1 M events the
    staging and event keys' tests cost ≈ 1.4 s a build). This test reads the catalogue only: it
    fails when the index is missing (a table an earlier release created without it:
    `dbt build --full-refresh -s <model>`). A key with a nullable column says
    `nulls_not_distinct: true`: its index must count nulls as equal, as the `group by` of
    cjw_unique_combination does.
-#}
{% test cjw_unique_index(model, column_name=none, columns=none, nulls_not_distinct=false) %}
{%- set columns = columns or [column_name] %}
select '{{ model.schema }}.{{ model.identifier }}' as relation, '{{ columns | sort | join(", ") }}' as missing_unique_index
where not {{ index_exists("to_regclass('" ~ model ~ "')", columns, unique=true, ordered=false, nulls_not_distinct=nulls_not_distinct) }}
{% endtest %}
