"""Exit 0 when PostgreSQL answers at the URL given (used by `make test`)."""

import sys

import dj_database_url
import psycopg


def main(url: str) -> int:
    cfg = dj_database_url.parse(url)
    try:
        with psycopg.connect(
            host=cfg["HOST"] or "127.0.0.1",
            port=cfg["PORT"] or 5432,
            user=cfg["USER"] or "postgres",
            password=cfg["PASSWORD"] or None,
            dbname="postgres",
            connect_timeout=3,
        ):
            return 0
    except psycopg.Error:
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
