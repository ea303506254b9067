{#-
    A text column as integer when it holds a plausible non-negative integer (at most 9 digits),
    else null. The connector rejects anything else (include/connectors/limits.py); this keeps a raw
    row of an older load — a 30-digit or negative talk time — from failing the whole build.
-#}
{% macro safe_int(column) -%}
    case when {{ column }} ~ '^[0-9]{1,9}$' then {{ column }}::int end
{%- endmacro %}
