"""Installs DuckDB's iceberg, avro and httpfs extensions from their PyPI wheels into the venv, then
checks that the readers work offline: a fresh DuckDB connection that may not download anything
loads them, and pyiceberg with its extras imports. Prints the versions on stderr.
Run by tools/stack/python.ts after `pip install -r requirements.txt`.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import sys

from lakecommon import DUCKDB_EXTENSION_NAMES, DUCKDB_EXTENSIONS, duckdb_connect, fail, run_cli


def extension_file(name: str, duckdb_version: str) -> str:
    package = importlib.import_module(f'duckdb_extension_{name}')
    folder = os.path.dirname(package.__file__ or '')
    path = os.path.join(folder, 'extensions', duckdb_version, f'{name}.duckdb_extension')
    if not os.path.isfile(path):
        fail(f'{path} is missing: duckdb-extension-{name} does not match DuckDB {duckdb_version}')
    return path


def main() -> int:
    os.makedirs(DUCKDB_EXTENSIONS, exist_ok=True)
    con = duckdb_connect()
    version: str = con.execute('PRAGMA version').fetchone()[0]
    for name in DUCKDB_EXTENSION_NAMES:
        path = extension_file(name, version).replace("'", "''")
        con.execute(f"FORCE INSTALL '{path}'")
    con.close()

    check = duckdb_connect()  # a new connection: LOAD must find them in extension_directory alone
    for name in DUCKDB_EXTENSION_NAMES:
        check.execute(f'LOAD {name}')
    loaded = {
        row[0]
        for row in check.execute('SELECT extension_name FROM duckdb_extensions() WHERE loaded').fetchall()
    }
    missing = [name for name in DUCKDB_EXTENSION_NAMES if name not in loaded]
    if missing:
        fail(f'DuckDB did not load {", ".join(missing)} from {DUCKDB_EXTENSIONS}')

    modules = (
        'pyiceberg.catalog.sql',
        'pyiceberg.catalog.rest',
        'pyiceberg.io.pyarrow',
        'pyiceberg.io.fsspec',
        'pyiceberg_core',
        's3fs',
    )
    for module in modules:
        importlib.import_module(module)
    packages = ('pyiceberg', 'pyarrow', 's3fs', 'sqlalchemy', 'duckdb')
    versions = ', '.join(f'{name} {importlib.metadata.version(name)}' for name in packages)
    print(f'python: {versions}; DuckDB extensions {", ".join(DUCKDB_EXTENSION_NAMES)}', file=sys.stderr)
    return 0


if __name__ == '__main__':
    run_cli(main)
