"""``python -m benchmarks.database URL``: create the PostgreSQL database URL names, unless it
exists (the benchmarks' load databases are made once and reused)."""

from __future__ import annotations

import sys
from urllib.parse import urlsplit, urlunsplit


def ensure(url: str) -> bool:
    """Create the database of ``url``; False when it was there already."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return True


if __name__ == "__main__":
    for url in sys.argv[1:]:
        if ensure(url):
            print(f"Created the database {urlsplit(url).path.lstrip('/')}")
