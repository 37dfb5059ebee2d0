"""Runs Spark SQL on our Iceberg tables: one local Spark (pyspark + the Iceberg runtime) that serves
many statements, so the JVM starts once.

  spark_sql.py --jars a.jar,b.jar                                   (JSON lines on stdin, see below)
  spark_sql.py --jars ... --catalog sql --uri sqlite:////abs/catalog.db --warehouse file:///abs/wh \\
      -e "SELECT count(*) FROM health.health_data_raw"              (prints the rows, then exits)

Runs in the Spark venv `npm run stack -- up spark` builds (LAKE_SPARK_PYTHON), on the Java of
LAKE_SPARK_JAVA_HOME (17 or 21; else JAVA_HOME) with the jars of LAKE_SPARK_JARS (default of --jars).
Spark downloads nothing.

Requests, one JSON object per line on stdin; one response per request on stdout, in order:
  {"id": 1, "op": "open", "session": "s", "catalog": CATALOG}  -> {"id": 1, "ok": true, "ms": ...}
      a new Spark session (same JVM, own settings) with CATALOG as its default catalog
  {"id": 2, "session": "s", "sql": "SELECT ..."}              -> {"id": 2, "columns": [...], "rows": [...], "ms": ...}
      "op" defaults to "sql"; "session" defaults to the one the command line configured
  {"id": 3, "op": "close", "session": "s"}                     -> {"id": 3, "ok": true}
  any failure                                                  -> {"id": n, "error": "Spark's message"}
CATALOG: {"type": "sql" | "rest", "uri": ..., "warehouse": ..., "name": "healthstream",
          "s3": {"endpoint", "region", "accessKeyId", "secretAccessKey", "pathStyle"}, "properties": {...}}
  sql  uri sqlite:////abs/catalog.db, postgresql[+driver]://user:password@host:port/db or jdbc:...;
       Iceberg's JdbcCatalog on the same iceberg_tables rows as pyiceberg and our SqlCatalog. The catalog
       name selects the rows (catalog_name), so it is also the Spark catalog's name.
  rest uri http://127.0.0.1:18181
The first line on stdout is {"ready": true, "spark": "3.5.x", "ms": ...} once Spark has started.
Values as read_table.py prints them: timestamps as epoch micros, longs beyond 2^53 - 1 as strings,
binary as base64, NaN / Infinity as strings, dates ISO, structs as objects, maps as [key, value] pairs.
Catalogs are opened with cache-enabled=false, so every statement sees the latest commit of any writer.
Everything else (Spark's log, warnings) goes to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import tempfile
import time
from typing import Any, TextIO
from urllib.parse import unquote, urlsplit

from jsonvalues import NOT_SCALAR, scalar

EPOCH = dt.datetime(1970, 1, 1)
EXTENSIONS = 'org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions'
# Spark's log on stderr at WARN (LAKE_SPARK_LOG_LEVEL to change), without the native-Hadoop notice.
LOG4J2 = '''rootLogger.level = {level}
rootLogger.appenderRef.console.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{{HH:mm:ss.SSS}} %p %c{{1}}: %m%n%ex
logger.native.name = org.apache.hadoop.util.NativeCodeLoader
logger.native.level = error
'''


class RequestError(Exception):
    """A bad request or catalog setting: reported as the response's error."""


# ---------------------------------------------------------------- catalog settings


def jdbc_settings(uri: str) -> dict[str, str]:
    """The JDBC URI and credentials for a SQLAlchemy-style (or JDBC) catalog URI."""
    if uri.startswith('jdbc:'):
        return {'uri': uri}
    if uri.startswith('sqlite:///'):
        path = uri.removeprefix('sqlite:///')
        if not path or not os.path.exists(path):
            # SQLite would quietly create an empty catalog; a reader wants the error instead.
            raise RequestError(f'SQL catalog database {path or uri} does not exist')
        return {'uri': f'jdbc:sqlite:{path}'}
    parts = urlsplit(uri)
    if parts.scheme.split('+')[0] in ('postgresql', 'postgres'):
        port = f':{parts.port}' if parts.port else ''
        settings = {'uri': f'jdbc:postgresql://{parts.hostname}{port}{parts.path}'}
        if parts.username:
            settings['jdbc.user'] = unquote(parts.username)
        if parts.password:
            settings['jdbc.password'] = unquote(parts.password)
        return settings
    raise RequestError(f'unsupported SQL catalog URI {uri!r} (sqlite:///..., postgresql://... or jdbc:...)')


def catalog_conf(catalog: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """The Spark catalog's name and its spark.sql.catalog.<name>.* settings."""
    name = str(catalog.get('name') or 'healthstream')
    kind = catalog.get('type')
    uri = catalog.get('uri')
    if not isinstance(uri, str) or uri == '':
        raise RequestError('the catalog needs a uri')
    props: dict[str, str] = {'cache-enabled': 'false'}
    if kind == 'sql':
        if not catalog.get('warehouse'):
            raise RequestError("Iceberg's JdbcCatalog needs a warehouse location")
        # V1: the iceberg_type column our SqlCatalog and pyiceberg create (Java detects it too; V1
        # also keeps the view warning out of the log).
        props.update({'type': 'jdbc', 'jdbc.schema-version': 'V1', **jdbc_settings(uri)})
        if props['uri'].startswith('jdbc:sqlite:'):
            # Iceberg's JdbcCatalog leaves the ResultSet of its "do the catalog tables exist" check
            # open; on SQLite that holds a shared lock for the connection's life, and every other
            # writer (our lake-writer, pyiceberg, Spark's own second catalog in rewrite_data_files)
            # fails with SQLITE_BUSY. The file must exist with its tables anyway (jdbc_settings).
            props['jdbc.init-catalog-tables'] = 'false'
    elif kind == 'rest':
        props.update({'type': 'rest', 'uri': uri})
    else:
        raise RequestError(f"catalog type must be 'sql' or 'rest', not {kind!r}")
    if catalog.get('warehouse'):
        props['warehouse'] = str(catalog['warehouse'])
    s3 = catalog.get('s3')
    if s3:
        props.update(
            {
                'io-impl': 'org.apache.iceberg.aws.s3.S3FileIO',
                's3.endpoint': s3['endpoint'],
                'client.region': s3.get('region') or os.environ.get('S3_REGION') or 'us-east-1',
                's3.path-style-access': 'false' if s3.get('pathStyle') is False else 'true',
            }
        )
        key = s3.get('accessKeyId') or os.environ.get('S3_ACCESS_KEY_ID') or os.environ.get('AWS_ACCESS_KEY_ID')
        secret = (
            s3.get('secretAccessKey')
            or os.environ.get('S3_SECRET_ACCESS_KEY')
            or os.environ.get('AWS_SECRET_ACCESS_KEY')
        )
        if key and secret:
            props['s3.access-key-id'] = key
            props['s3.secret-access-key'] = secret
    for key, value in (catalog.get('properties') or {}).items():
        props[str(key)] = str(value)
    prefix = f'spark.sql.catalog.{name}'
    conf = {prefix: 'org.apache.iceberg.spark.SparkCatalog'}
    conf.update({f'{prefix}.{key}': value for key, value in props.items()})
    conf['spark.sql.defaultCatalog'] = name
    return name, conf


# ---------------------------------------------------------------- values


def encode(value: Any) -> Any:
    """One JSON-safe value, as read_table.py prints it."""
    from pyspark.sql import Row

    out = scalar(value)
    if out is not NOT_SCALAR:
        return out
    if isinstance(value, dt.datetime):
        # pyspark makes naive local datetimes; the process runs in UTC, so this is exact.
        naive = value.astimezone(dt.timezone.utc).replace(tzinfo=None) if value.tzinfo else value
        return encode((naive - EPOCH) // dt.timedelta(microseconds=1))
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Row):  # a struct (a tuple, so before lists)
        return {str(k): encode(v) for k, v in value.asDict(recursive=False).items()}
    if isinstance(value, dict):  # a map
        return [[encode(k), encode(v)] for k, v in value.items()]
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    return str(value)


def describe(error: BaseException) -> str:
    """Spark's message without the JVM stack trace; Java errors with their causes."""
    from py4j.protocol import Py4JJavaError

    if isinstance(error, Py4JJavaError):
        parts: list[str] = []
        java = error.java_exception
        while java is not None and len(parts) < 5:
            parts.append(str(java.toString()))
            java = java.getCause()
        return '\ncaused by: '.join(parts)
    text = str(error).strip()
    return f'{type(error).__name__}: {text}' if text else type(error).__name__


# ---------------------------------------------------------------- Spark


def start_spark(jars: str, memory: str, threads: int, scratch: str) -> Any:
    from pyspark.sql import SparkSession

    os.chdir(scratch)  # Spark may create spark-warehouse/ or derby.log in the working directory
    os.environ['SPARK_LOCAL_DIRS'] = scratch  # (spark.local.dir would log a warning about YARN)
    log_config = os.path.join(scratch, 'log4j2.properties')
    with open(log_config, 'w', encoding='utf-8') as file:
        file.write(LOG4J2.format(level=os.environ.get('LAKE_SPARK_LOG_LEVEL', 'warn')))
    java_options = f'-Dlog4j2.configurationFile=file:{log_config} -Duser.timezone=UTC -Djava.io.tmpdir={scratch}'
    builder = (
        SparkSession.builder.master(f'local[{threads}]')
        .appName('healthstream-spark-sql')
        .config('spark.driver.memory', memory)
        .config('spark.driver.extraJavaOptions', java_options)
        .config('spark.jars', jars)
        .config('spark.sql.extensions', EXTENSIONS)
        .config('spark.sql.catalogImplementation', 'in-memory')
        .config('spark.sql.session.timeZone', 'UTC')
        .config('spark.driver.host', '127.0.0.1')
        .config('spark.driver.bindAddress', '127.0.0.1')
        .config('spark.ui.enabled', 'false')
        .config('spark.ui.showConsoleProgress', 'false')
        .config('spark.sql.shuffle.partitions', str(threads))
        .config('spark.default.parallelism', str(threads))
        .config('spark.sql.warehouse.dir', os.path.join(scratch, 'spark-warehouse'))
        .config('spark.sql.debug.maxToStringFields', '1000')  # else a warning for wide CALL plans
    )
    return builder.getOrCreate()


def open_session(root: Any, catalog: dict[str, Any]) -> Any:
    name, conf = catalog_conf(catalog)
    session = root.newSession()
    for key, value in conf.items():
        session.conf.set(key, value)
    # Load the catalog now, so a wrong URI or password fails the open instead of the first query.
    session.sql(f'SHOW NAMESPACES IN `{name}`').collect()
    return session


def run_sql(session: Any, query: str) -> dict[str, Any]:
    frame = session.sql(query)
    columns = list(frame.columns)
    rows = [{c: encode(v) for c, v in zip(columns, row)} for row in frame.collect()]
    return {'columns': columns, 'rows': rows}


def serve(root: Any, default: Any, out: TextIO) -> None:
    sessions: dict[str, Any] = {'': default}
    for line in sys.stdin:  # until stdin closes
        if line.strip() == '':
            continue
        request_id: Any = None
        t0 = time.monotonic()
        try:
            request = json.loads(line)
            request_id = request.get('id')
            op = request.get('op', 'sql')
            key = str(request.get('session') or '')
            if op == 'open':
                sessions[key] = open_session(root, request.get('catalog') or {})
                response: dict[str, Any] = {'ok': True}
            elif op == 'close':
                sessions.pop(key, None)
                response = {'ok': True}
            elif op == 'sql':
                if key not in sessions:
                    raise RequestError(f'no session {key!r}: open it first')
                response = run_sql(sessions[key], str(request['sql']))
            else:
                raise RequestError(f'unknown op {op!r}')
        except Exception as error:  # noqa: BLE001 - every failure is an answer, the server goes on
            response = {'error': describe(error)}
        response = {'id': request_id, **response, 'ms': round((time.monotonic() - t0) * 1000)}
        out.write(json.dumps(response, ensure_ascii=False, separators=(',', ':'), allow_nan=False) + '\n')
        out.flush()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--jars', default=os.environ.get('LAKE_SPARK_JARS', ''), help='comma-separated jars')
    parser.add_argument('--driver-memory', default='1g')
    parser.add_argument('--threads', type=int, default=2, help='local[N] (default: %(default)s)')
    parser.add_argument('--catalog', choices=['sql', 'rest'], help="the default session's catalog type")
    parser.add_argument('--uri')
    parser.add_argument('--warehouse')
    parser.add_argument('--catalog-name', default='healthstream')
    parser.add_argument('-e', '--execute', action='append', default=[], help='run, print the rows, exit')
    args = parser.parse_args()

    # The protocol owns the real stdout; fd 1 becomes stderr, so nothing the JVM prints gets in.
    out = os.fdopen(os.dup(1), 'w', encoding='utf-8')
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    # pyspark turns timestamps into naive local datetimes: in UTC they map back to micros exactly.
    os.environ['TZ'] = 'UTC'
    time.tzset()
    if os.environ.get('LAKE_SPARK_JAVA_HOME'):  # a Java Spark 3.5 runs on (17 or 21)
        os.environ['JAVA_HOME'] = os.environ['LAKE_SPARK_JAVA_HOME']
    os.environ.setdefault('SPARK_LOCAL_IP', '127.0.0.1')  # loopback only, and no warning about it
    os.environ.pop('SPARK_HOME', None)  # always the Spark inside this venv's pyspark
    os.environ.pop('PYSPARK_SUBMIT_ARGS', None)

    t0 = time.monotonic()
    scratch = tempfile.mkdtemp(prefix='healthstream-spark-')  # Spark's local dirs, logs config
    try:
        return run(args, out, scratch, t0)
    finally:
        os.chdir('/')
        shutil.rmtree(scratch, ignore_errors=True)


def run(args: argparse.Namespace, out: TextIO, scratch: str, t0: float) -> int:
    try:
        root = start_spark(args.jars, args.driver_memory, args.threads, scratch)
        default = root
        if args.catalog is not None:
            catalog = {'type': args.catalog, 'uri': args.uri, 'warehouse': args.warehouse, 'name': args.catalog_name}
            default = open_session(root, catalog)
    except Exception as error:  # noqa: BLE001
        print(f'spark_sql.py: Spark did not start: {describe(error)}', file=sys.stderr)
        return 1
    try:
        if args.execute:
            for query in args.execute:
                for row in run_sql(default, query)['rows']:
                    out.write(json.dumps(row, ensure_ascii=False, separators=(',', ':'), allow_nan=False) + '\n')
            out.flush()
            return 0
        ready = {'ready': True, 'spark': root.version, 'ms': round((time.monotonic() - t0) * 1000)}
        out.write(json.dumps(ready) + '\n')
        out.flush()
        serve(root, default, out)
        return 0
    except Exception as error:  # noqa: BLE001
        print(f'spark_sql.py: {describe(error)}', file=sys.stderr)
        return 1
    finally:
        root.stop()


if __name__ == '__main__':
    sys.exit(main())
