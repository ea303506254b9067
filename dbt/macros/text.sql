{#-
    Text in lower case, Cyrillic included, whatever the server's locale. Under the C locale (the
    embedded warehouse; a production server may use it too) neither lower() nor `~*` folds
    Cyrillic, so "Пособие" did not match the keyword "пособи" there while it did on a server with
    a UTF-8 locale. Match the folded text against the seeds' lower-case keywords with `~*` (which
    still folds Latin letters of a pattern).
-#}
{% macro fold_case(expression) -%}
    translate(
        lower({{ expression }}),
        'АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ',
        'абвгдеёжзийклмнопрстуфхцчшщъыьэюя'
    )
{%- endmacro %}
