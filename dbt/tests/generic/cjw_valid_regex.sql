{#- A working-group pattern that is not a valid regular expression fails here, not mid-build. -#}
{% test cjw_valid_regex(model, column_name) %}
select {{ column_name }} from {{ model }} where ('' ~* {{ column_name }}) is null
{% endtest %}
