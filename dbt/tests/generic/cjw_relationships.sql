{#-
    dbt's `relationships` (every non-null value of the column is a `field` of `to`), reading on a
    staging model whose rows keep their batch (meta `cjw_rows_by_batch`) only the rows of the batches
    taken in since the test last passed with the same logic on both sides; the whole table
    otherwise (macros/tested_rows.sql). Rows returned = values the parent lacks.
-#}
{% test cjw_relationships(model, column_name, to, field) %}
with

child as (
    select {{ column_name }} as from_field
    from {{ model }}
    where {{ column_name }} is not null and {{ rows_not_yet_tested(model, column_name, to, field) }}
),

parent as (
    select {{ field }} as to_field
    from {{ to }}
)

select child.from_field as {{ column_name }}
from child
left join parent on child.from_field = parent.to_field
where parent.to_field is null
{% endtest %}
