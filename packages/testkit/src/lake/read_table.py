"""Reads one Iceberg table with a reader we do not write, and prints it as JSON lines.

  read_table.py --catalog sql --uri sqlite:////abs/catalog.db --warehouse file:///abs/wh \\
      --namespace health --table health_data_raw [--engine pyiceberg|duckdb] [--sort col ...]
      [--columns col,...]
  read_table.py --catalog rest --uri http://127.0.0.1:18181 --namespace health --table t --engine duckdb
  read_table.py ... --snapshot-summary | --snapshots | --files        (pyiceberg only)

Engines:
  pyiceberg  the catalog through pyiceberg, the data through pyiceberg + pyarrow.
  duckdb     DuckDB's iceberg extension (installed from PyPI into the venv, loaded without network).
             REST: ATTACH the catalog (no auth, or --prop token=...). SQL: the table's metadata
             location is read straight from the catalog's iceberg_tables row (JDBC catalog layout),
             then iceberg_scan() reads metadata, manifests and Parquet; pyiceberg is not involved.
S3: --s3-endpoint http://127.0.0.1:17070 with keys from S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY
(or AWS_*), region from --s3-region / S3_REGION, path-style URLs unless --s3-virtual-host.

Output, one JSON object per row with the columns in schema order, rows sorted by the --sort columns,
then by all the others (nulls last, NaN after numbers), so both engines print identical lines:
  timestamp, timestamptz  epoch microseconds (int) by default; with --timestamps iso:
                          2026-01-02T03:04:05.123456 (timestamp) / ...456Z (timestamptz, UTC)
  date                    "YYYY-MM-DD";  time  "HH:MM:SS.ffffff"
  long beyond +-(2^53-1)  decimal string (JavaScript numbers are doubles)
  float, double           number; NaN, Infinity, -Infinity as those strings
  decimal                 string ("12.30");  uuid  canonical string;  binary, fixed  base64
  list / struct / map     array / object / array of [key, value] pairs
--snapshot-summary prints one object {snapshotId, parentSnapshotId, sequenceNumber, timestampMs,
operation, summary} (null when the table has no snapshot), --snapshots one per snapshot in log order;
snapshot ids are strings for the same reason as big longs; summary holds Iceberg's summary properties
as they are (strings). --files prints the current snapshot's data and delete files
{path, content, format, recordCount, fileSizeInBytes, partition}, sorted by path.
Errors: a message on stderr, exit status 1 (LAKE_DEBUG=1 adds the traceback of unexpected ones).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import sys
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import pyarrow as pa

from jsonvalues import NOT_SCALAR, scalar
from lakecommon import (
    DUCKDB_EXTENSIONS,
    LakeError,
    S3Settings,
    add_catalog_args,
    duckdb_connect,
    fail,
    open_catalog,
    require_sqlite_file,
    run_cli,
    s3_settings,
    table_identifier,
)

EPOCH = dt.datetime(1970, 1, 1)


# ---------------------------------------------------------------- values


def column_values(column: pa.ChunkedArray) -> list[Any]:
    """Python values of one column; timestamps become epoch micros (exact, time-zone free)."""
    if pa.types.is_timestamp(column.type):
        unit = column.type.unit
        as_ints: list[int | None] = column.cast(pa.int64()).to_pylist()
        scale = {'s': 1_000_000, 'ms': 1_000, 'us': 1, 'ns': None}[unit]
        if scale is None:  # nanoseconds (v3): floor to micros, as Iceberg v2 readers would
            return [None if v is None else v // 1_000 for v in as_ints]
        return [None if v is None else v * scale for v in as_ints]
    values: list[Any] = column.to_pylist()
    return values


def sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (2, 0)
    if isinstance(value, float) and math.isnan(value):
        return (1, 0)
    if isinstance(value, (list, dict, tuple)):
        return (0, json.dumps(encode(value, 'micros'), sort_keys=True))
    return (0, value)


def iso_timestamp(micros: int, utc: bool) -> str:
    text = (EPOCH + dt.timedelta(microseconds=micros)).isoformat(timespec='microseconds')
    return f'{text}Z' if utc else text


def encode(value: Any, timestamps: str) -> Any:
    """One JSON-safe value (see the module doc for the mapping)."""
    out = scalar(value)
    if out is not NOT_SCALAR:
        return out
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):  # only inside nested types; top-level ones are already ints
        utc = value.tzinfo is not None
        naive = value.astimezone(dt.timezone.utc).replace(tzinfo=None) if utc else value
        micros = (naive - EPOCH) // dt.timedelta(microseconds=1)
        return iso_timestamp(micros, utc) if timestamps == 'iso' else encode(micros, timestamps)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat(timespec='microseconds')
    if isinstance(value, dict):
        return {str(k): encode(v, timestamps) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v, timestamps) for v in value]
    fail(f'cannot print a value of type {type(value).__name__}')


def rows_of(table: pa.Table, sort: Sequence[str], timestamps: str) -> list[dict[str, Any]]:
    names = table.column_names
    missing = [name for name in sort if name not in names]
    if missing:
        fail(f'--sort column(s) {", ".join(missing)} not in the table (columns: {", ".join(names)})')
    columns = {name: column_values(table.column(name)) for name in names}
    # Map columns: pyarrow gives lists of (key, value) tuples, DuckDB may give dicts; print pairs.
    for index, field in enumerate(table.schema):
        if pa.types.is_map(field.type):
            columns[names[index]] = [
                None if v is None else [list(p) for p in (v.items() if isinstance(v, dict) else v)]
                for v in columns[names[index]]
            ]
    order = [*sort, *(name for name in names if name not in sort)]
    indices = sorted(
        range(table.num_rows), key=lambda i: tuple(sort_key(columns[name][i]) for name in order)
    )
    utc_columns = {
        field.name
        for field in table.schema
        if pa.types.is_timestamp(field.type) and field.type.tz is not None
    }
    timestamp_columns = {field.name for field in table.schema if pa.types.is_timestamp(field.type)}
    rows: list[dict[str, Any]] = []
    for i in indices:
        row: dict[str, Any] = {}
        for name in names:
            value = columns[name][i]
            if name in timestamp_columns and value is not None and timestamps == 'iso':
                row[name] = iso_timestamp(value, name in utc_columns)
            else:
                row[name] = encode(value, timestamps)
        rows.append(row)
    return rows


def print_json_lines(items: Iterable[Any]) -> None:
    out = sys.stdout
    for item in items:
        out.write(json.dumps(item, ensure_ascii=False, separators=(',', ':'), allow_nan=False))
        out.write('\n')


# ---------------------------------------------------------------- pyiceberg


def load_table(args: argparse.Namespace) -> Any:
    catalog = open_catalog(args)
    identifier = table_identifier(args)
    try:
        return catalog.load_table(identifier)
    except Exception as error:  # noqa: BLE001
        name = '.'.join(identifier)
        fail(f'cannot load table {name} from the {args.catalog} catalog at {args.uri}: {error}')


def snapshot_json(snapshot: Any) -> dict[str, Any]:
    summary = snapshot.summary
    properties: dict[str, str] = {}
    operation = None
    if summary is not None:
        operation = summary.operation.value
        properties = {'operation': operation, **summary.additional_properties}
    return {
        'snapshotId': str(snapshot.snapshot_id),
        'parentSnapshotId': None if snapshot.parent_snapshot_id is None else str(snapshot.parent_snapshot_id),
        'sequenceNumber': snapshot.sequence_number,
        'timestampMs': snapshot.timestamp_ms,
        'operation': operation,
        'summary': dict(sorted(properties.items())),
    }


def read_pyiceberg(args: argparse.Namespace) -> pa.Table:
    columns = selected_columns(args)
    scan = load_table(args).scan(selected_fields=tuple(columns)) if columns else load_table(args).scan()
    return scan.to_arrow()


def selected_columns(args: argparse.Namespace) -> list[str]:
    return [name.strip() for item in args.columns for name in item.split(',') if name.strip()]


def list_files(args: argparse.Namespace) -> list[dict[str, Any]]:
    table = load_table(args)
    if table.current_snapshot() is None:
        return []
    files = table.inspect.files()
    content_names = {0: 'data', 1: 'position-deletes', 2: 'equality-deletes'}
    result = [
        {
            'path': f['file_path'],
            'content': content_names.get(f['content'], str(f['content'])),
            'format': f['file_format'],
            'recordCount': f['record_count'],
            'fileSizeInBytes': f['file_size_in_bytes'],
            'partition': encode(f['partition'], 'micros'),
        }
        for f in files.to_pylist()
    ]
    return sorted(result, key=lambda f: f['path'])


# ---------------------------------------------------------------- DuckDB


def sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def sql_identifier(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def duckdb_connection(s3: S3Settings | None) -> Any:
    if not os.path.isdir(DUCKDB_EXTENSIONS):
        fail(f'{DUCKDB_EXTENSIONS} is missing: set up the venv with `npm run stack -- up python`')
    con = duckdb_connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute('LOAD iceberg')
    if s3 is not None:
        endpoint = s3.endpoint
        use_ssl = not endpoint.startswith('http://')
        host = endpoint.split('://', 1)[-1].rstrip('/')
        options = [
            'TYPE s3',
            f'ENDPOINT {sql_string(host)}',
            f'REGION {sql_string(s3.region)}',
            f"URL_STYLE {sql_string('path' if s3.path_style else 'vhost')}",
            f'USE_SSL {str(use_ssl).lower()}',
        ]
        if s3.access_key_id is not None and s3.secret_access_key is not None:
            options.append(f'KEY_ID {sql_string(s3.access_key_id)}')
            options.append(f'SECRET {sql_string(s3.secret_access_key)}')
        con.execute(f'CREATE SECRET lake_s3 ({", ".join(options)})')
    return con


def sql_metadata_location(args: argparse.Namespace) -> str:
    """The table's current metadata file, straight from the JDBC-layout iceberg_tables table."""
    from sqlalchemy import create_engine, text

    require_sqlite_file(args.uri)
    engine = create_engine(args.uri)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    'SELECT metadata_location FROM iceberg_tables '
                    'WHERE catalog_name = :catalog AND table_namespace = :namespace AND table_name = :table'
                ),
                {'catalog': args.catalog_name, 'namespace': args.namespace, 'table': args.table},
            ).fetchall()
    finally:
        engine.dispose()
    if not rows or rows[0][0] is None:
        fail(
            f'no table {args.namespace}.{args.table} in catalog {args.catalog_name!r} '
            f'of the SQL catalog at {args.uri}'
        )
    return str(rows[0][0])


def read_duckdb(args: argparse.Namespace) -> pa.Table:
    con = duckdb_connection(s3_settings(args))
    if args.catalog == 'rest':
        props = dict(item.partition('=')[::2] for item in args.prop)
        options = ['TYPE iceberg', f'ENDPOINT {sql_string(args.uri)}']
        if 'token' in props:
            con.execute(f"CREATE SECRET lake_rest (TYPE iceberg, TOKEN {sql_string(props['token'])})")
            options.append('SECRET lake_rest')
        else:
            options.append("AUTHORIZATION_TYPE 'none'")
        try:
            con.execute(f'ATTACH {sql_string(args.warehouse or "")} AS lake ({", ".join(options)})')
        except Exception as error:  # noqa: BLE001
            fail(f'DuckDB cannot attach the REST catalog at {args.uri}: {error}')
        source = '.'.join(sql_identifier(part) for part in ('lake', *table_identifier(args)))
    else:
        source = f'iceberg_scan({sql_string(sql_metadata_location(args))})'
    columns = selected_columns(args)
    projection = ', '.join(sql_identifier(name) for name in columns) if columns else '*'
    result = con.execute(f'SELECT {projection} FROM {source}')
    arrow = result.arrow()
    return arrow.read_all() if isinstance(arrow, pa.RecordBatchReader) else arrow


# ---------------------------------------------------------------- CLI


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_catalog_args(parser)
    parser.add_argument('--engine', choices=['pyiceberg', 'duckdb'], default='pyiceberg')
    parser.add_argument(
        '--sort', action='append', default=[], help='sort by this column first (repeatable; comma lists too)'
    )
    parser.add_argument('--timestamps', choices=['micros', 'iso'], default='micros')
    parser.add_argument(
        '--columns', action='append', default=[], help='read only these columns (repeatable; comma lists too)'
    )
    what = parser.add_mutually_exclusive_group()
    what.add_argument('--snapshot-summary', action='store_true', help="the current snapshot's summary")
    what.add_argument('--snapshots', action='store_true', help='every snapshot in log order')
    what.add_argument('--files', action='store_true', help="the current snapshot's data and delete files")
    args = parser.parse_args()
    sys.stdout.reconfigure(encoding='utf-8')  # type: ignore[union-attr]

    if (args.snapshot_summary or args.snapshots or args.files) and args.engine != 'pyiceberg':
        fail('--snapshot-summary, --snapshots and --files need --engine pyiceberg')
    if args.snapshot_summary:
        snapshot = load_table(args).current_snapshot()
        print_json_lines([None if snapshot is None else snapshot_json(snapshot)])
        return 0
    if args.snapshots:
        print_json_lines(snapshot_json(s) for s in load_table(args).snapshots())
        return 0
    if args.files:
        print_json_lines(list_files(args))
        return 0

    sort = [name.strip() for item in args.sort for name in item.split(',') if name.strip()]
    try:
        table = read_duckdb(args) if args.engine == 'duckdb' else read_pyiceberg(args)
    except LakeError:
        raise
    except Exception as error:  # noqa: BLE001
        fail(f'{args.engine} could not read {".".join(table_identifier(args))}: {error}')
    print_json_lines(rows_of(table, sort, args.timestamps))
    return 0


if __name__ == '__main__':
    run_cli(main)
