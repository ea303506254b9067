"""Developer and operator tools around the product: the embedded PostgreSQL, the demo, the
benchmark, the Airflow UI launcher and the identity check. They import ``include``; nothing in
``include/`` or ``dags/`` imports them (tests/test_layout.py)."""
