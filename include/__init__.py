"""Client journey warehouse: connectors, loading, quality gates and pages (no Airflow imports)."""
