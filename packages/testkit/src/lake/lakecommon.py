"""Shared by the lake CLIs: catalog options, catalog loading, S3 settings, errors.

Runs in the venv `npm run stack -- up` creates (LAKE_PYTHON); needs nothing outside it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

from pyiceberg.catalog import Catalog, load_catalog

# DuckDB extensions come from PyPI wheels (duckdb-extension-*) and are installed into the venv by
# install_duckdb_extensions.py, so DuckDB never downloads anything (CI may have no route to
# extensions.duckdb.org) and nothing is written to ~/.duckdb.
DUCKDB_EXTENSIONS = os.path.join(sys.prefix, 'duckdb-extensions')
DUCKDB_EXTENSION_NAMES = ('iceberg', 'avro', 'httpfs')


class LakeError(Exception):
    """An error the CLI reports as a message on stderr (exit status 1), without a traceback."""


def fail(message: str) -> NoReturn:
    raise LakeError(message)


@dataclass(frozen=True)
class S3Settings:
    endpoint: str  # http://127.0.0.1:17070 (scheme decides TLS)
    region: str
    access_key_id: str | None
    secret_access_key: str | None
    path_style: bool


def add_catalog_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--catalog', choices=['sql', 'rest'], required=True, help='catalog type')
    parser.add_argument(
        '--uri',
        required=True,
        help='sql: SQLAlchemy URI (sqlite:////abs/path/catalog.db, postgresql+psycopg2://...); '
        'rest: base URL (http://127.0.0.1:18181)',
    )
    parser.add_argument('--warehouse', help='warehouse location (file:///abs/path or s3://bucket/prefix)')
    parser.add_argument(
        '--catalog-name',
        default='healthstream',
        help="the catalog's name; for SQL catalogs it selects the rows of iceberg_tables "
        '(default: %(default)s)',
    )
    parser.add_argument('--namespace', required=True, help='namespace, dotted for nested ones (health)')
    parser.add_argument('--table', required=True, help='table name')
    parser.add_argument(
        '--s3-endpoint', help='S3 endpoint URL; keys come from S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY'
    )
    parser.add_argument('--s3-region', default=None, help='S3 region (default: S3_REGION or us-east-1)')
    parser.add_argument(
        '--s3-virtual-host',
        action='store_true',
        help='virtual-host-style S3 URLs (default: path style, which local gateways need)',
    )
    parser.add_argument(
        '--prop',
        action='append',
        default=[],
        metavar='KEY=VALUE',
        help='extra pyiceberg catalog property (repeatable), e.g. token=... or py-io-impl=...',
    )


def s3_settings(args: argparse.Namespace) -> S3Settings | None:
    if args.s3_endpoint is None:
        return None
    return S3Settings(
        endpoint=args.s3_endpoint,
        region=args.s3_region or os.environ.get('S3_REGION') or 'us-east-1',
        access_key_id=os.environ.get('S3_ACCESS_KEY_ID') or os.environ.get('AWS_ACCESS_KEY_ID'),
        secret_access_key=os.environ.get('S3_SECRET_ACCESS_KEY') or os.environ.get('AWS_SECRET_ACCESS_KEY'),
        path_style=not args.s3_virtual_host,
    )


def catalog_properties(args: argparse.Namespace) -> dict[str, str]:
    props: dict[str, str] = {'type': args.catalog, 'uri': args.uri}
    if args.warehouse is not None:
        props['warehouse'] = args.warehouse
    s3 = s3_settings(args)
    if s3 is not None:
        props['s3.endpoint'] = s3.endpoint
        props['s3.region'] = s3.region
        props['s3.force-virtual-addressing'] = 'false' if s3.path_style else 'true'
        if s3.access_key_id is not None:
            props['s3.access-key-id'] = s3.access_key_id
        if s3.secret_access_key is not None:
            props['s3.secret-access-key'] = s3.secret_access_key
    for item in args.prop:
        key, sep, value = item.partition('=')
        if not sep or not key:
            fail(f'--prop wants KEY=VALUE, got {item!r}')
        props[key] = value
    return props


def require_sqlite_file(uri: str) -> None:
    """SQLite would quietly create a missing database file; a reader wants the error instead."""
    if uri.startswith('sqlite:///'):
        path = uri.removeprefix('sqlite:///')
        if path and not os.path.exists(path):
            fail(f'SQL catalog database {path} does not exist')


def open_catalog(args: argparse.Namespace, create: bool = False) -> Catalog:
    if args.catalog == 'sql' and not create:
        require_sqlite_file(args.uri)
    try:
        return load_catalog(args.catalog_name, **catalog_properties(args))
    except LakeError:
        raise
    except Exception as error:  # noqa: BLE001 - reported as one line
        fail(f'cannot open the {args.catalog} catalog at {args.uri}: {describe(error)}')


def table_identifier(args: argparse.Namespace) -> tuple[str, ...]:
    return (*args.namespace.split('.'), args.table)


def duckdb_connect() -> Any:
    """A DuckDB connection that loads extensions only from the venv, never from the network."""
    import duckdb

    return duckdb.connect(
        config={
            'extension_directory': DUCKDB_EXTENSIONS,
            'autoinstall_known_extensions': False,
            'autoload_known_extensions': True,
        }
    )


def describe(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    first = text[0] if text else ''
    return f'{type(error).__name__}: {first}' if first else type(error).__name__


def run_cli(main: Callable[[], int]) -> None:
    """Runs `main`, turning every error into a message on stderr and exit status 1."""
    try:
        code = main()
    except LakeError as error:
        print(f'{os.path.basename(sys.argv[0])}: {error}', file=sys.stderr)
        code = 1
    except Exception as error:  # noqa: BLE001 - one line, not a traceback, for the tests' messages
        if os.environ.get('LAKE_DEBUG'):
            raise
        name = os.path.basename(sys.argv[0])
        print(f'{name}: {describe(error)} (LAKE_DEBUG=1 for a traceback)', file=sys.stderr)
        code = 1
    sys.stdout.flush()
    sys.exit(code)
