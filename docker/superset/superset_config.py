"""Superset configuration of the production stack (docker-compose.yml).

Secrets come from the environment (.env through docker-compose.yml); host names default to the
compose services and can be changed for another deployment.
"""

import os
from urllib.parse import quote

SECRET_KEY = os.environ["SUPERSET_SECRET_KEY"]

# Superset's own metadata: database `superset` of the stack's PostgreSQL (docker/postgres/init.sql)
SQLALCHEMY_DATABASE_URI = "postgresql+psycopg2://{user}:{password}@{host}:{port}/{db}".format(
    user=quote(os.environ.get("SUPERSET_DB_USER", "superset"), safe=""),
    password=quote(os.environ["SUPERSET_DB_PASSWORD"], safe=""),
    host=os.environ.get("SUPERSET_DB_HOST", "postgres"),
    port=os.environ.get("SUPERSET_DB_PORT", "5432"),
    db=os.environ.get("SUPERSET_DB_NAME", "superset"),
)

# caches and rate limits in the stack's Redis (databases 1 and 2; Celery uses 0)
_REDIS = "redis://:{password}@{host}:{port}".format(
    password=quote(os.environ.get("REDIS_PASSWORD", ""), safe=""),
    host=os.environ.get("REDIS_HOST", "redis"),
    port=os.environ.get("REDIS_PORT", "6379"),
)
CACHE_CONFIG = {
    "CACHE_TYPE": "RedisCache",
    "CACHE_DEFAULT_TIMEOUT": 300,
    "CACHE_KEY_PREFIX": "cjw_superset_",
    "CACHE_REDIS_URL": f"{_REDIS}/1",
}
DATA_CACHE_CONFIG = {**CACHE_CONFIG, "CACHE_KEY_PREFIX": "cjw_superset_data_"}
FILTER_STATE_CACHE_CONFIG = {**CACHE_CONFIG, "CACHE_KEY_PREFIX": "cjw_superset_filter_"}
EXPLORE_FORM_DATA_CACHE_CONFIG = {**CACHE_CONFIG, "CACHE_KEY_PREFIX": "cjw_superset_explore_"}
RATELIMIT_STORAGE_URI = f"{_REDIS}/2"

# the working group reads Russian
BABEL_DEFAULT_LOCALE = "ru"
LANGUAGES = {"ru": {"flag": "ru", "name": "Русский"}, "en": {"flag": "us", "name": "English"}}

# BI reads the published marts through the read-only role cjw_bi; no uploads, bounded results
PREVENT_UNSAFE_DB_CONNECTIONS = True
ROW_LIMIT = 50000
SUPERSET_WEBSERVER_TIMEOUT = 120
