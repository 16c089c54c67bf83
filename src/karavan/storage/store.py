"""The store of saved records: one table, written in single transactions, migrated by Alembic."""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from karavan.errors import InputError, RecordNotFoundError, StorageError

if TYPE_CHECKING:
    import sqlalchemy as sa

KINDS = ("route", "simulation", "scenario", "assignment")
"""What can be saved: a route plan, a transit-time simulation, a scenario comparison, an assignment."""

ID_BYTES = 8
"""Random bytes per record id (16 hex digits): ids are unguessable enough to share as links."""

TITLE_MAX = 200
_PG_LOCK_KEY = 0x6B617261  # advisory lock held while migrating a PostgreSQL database ("kara")


@dataclass(frozen=True, slots=True)
class DatasetStamp:
    """The dataset a result was computed on (so a reopened plan says what it came from)."""

    name: str
    version: str
    content_hash: str


@dataclass(frozen=True, slots=True)
class SavedRecord:
    """A saved query with its result.

    Attributes
    ----------
    id : str
        Random hex id.
    kind : str
        One of :data:`KINDS`.
    title : str
        Readable title (``Altynkol → Baku``).
    created_at : datetime
        When it was saved (UTC).
    dataset : DatasetStamp
        Dataset name, version and content hash of the result.
    karavan : str
        karavan version that computed the result.
    query, result : dict or None
        The query as sent and the result as answered; ``None`` in listings.
    """

    id: str
    kind: str
    title: str
    created_at: datetime
    dataset: DatasetStamp
    karavan: str
    query: dict[str, Any] | None = None
    result: dict[str, Any] | None = None

    def summary(self) -> dict[str, Any]:
        """JSON view without the query and result."""
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "created_at": self.created_at.isoformat(),
            "dataset": self.dataset.name,
            "dataset_version": self.dataset.version,
            "content_hash": self.dataset.content_hash,
            "karavan": self.karavan,
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON view with the query and result."""
        return {**self.summary(), "query": self.query, "result": self.result}


def default_url() -> str:
    """``$KARAVAN_DATABASE_URL``, else a SQLite file in the user's data directory.

    The directory is ``$XDG_DATA_HOME/karavan`` (default ``~/.local/share/karavan``).
    """
    url = os.environ.get("KARAVAN_DATABASE_URL", "").strip()
    if url:
        return url
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return f"sqlite:///{base / 'karavan' / 'karavan.sqlite'}"


def _sqlalchemy() -> Any:
    try:
        import sqlalchemy
    except ImportError:  # pragma: no cover - depends on the installation
        raise StorageError("saved plans need SQLAlchemy and Alembic: pip install 'karavan[service]'") from None
    return sqlalchemy


def safe_url(url: str) -> str:
    """The URL with its password hidden (for error messages)."""
    sa = _sqlalchemy()
    try:
        return str(sa.engine.make_url(url).render_as_string(hide_password=True))
    except Exception:  # an unparsable URL has no password we could hide
        return "<unparsable URL>"


def _json_dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _table(metadata: Any) -> Any:
    """The ``saved_records`` table (its DDL lives in the migrations; this is the query view)."""
    sa = _sqlalchemy()
    return sa.Table(
        "saved_records",
        metadata,
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.String(TITLE_MAX), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dataset", sa.String(200), nullable=False),
        sa.Column("dataset_version", sa.String(64), nullable=False),
        sa.Column("content_hash", sa.String(128), nullable=False),
        sa.Column("karavan", sa.String(32), nullable=False),
        sa.Column("query", sa.JSON, nullable=False),
        sa.Column("result", sa.JSON, nullable=False),
    )


def create_engine(url: str) -> sa.Engine:
    sqla = _sqlalchemy()
    try:
        parsed = sqla.engine.make_url(url)
    except Exception:
        raise InputError("database_url", safe_url(url), "a SQLAlchemy URL such as sqlite:///plans.sqlite") from None
    options: dict[str, Any] = {"json_serializer": _json_dumps, "pool_pre_ping": True}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:"):
            options["poolclass"] = sqla.pool.StaticPool
        else:
            folder = Path(database).expanduser().parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(f"cannot create {folder} for {safe_url(url)}: {exc.strerror}") from None
        options["connect_args"] = {"timeout": 30, "check_same_thread": False}
    elif parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3, not the psycopg2 default
    try:
        engine: sa.Engine = sqla.create_engine(parsed, **options)
    except Exception as exc:
        raise StorageError(f"cannot open the database {safe_url(url)}: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        sqla.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout = 30000")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.close()


def _alembic_config(connection: Any) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config(None)).get_current_head()
    assert head is not None
    return head


def revision_of(engine: sa.Engine) -> str | None:
    """The schema revision a database is at (``None`` if never migrated)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        rev: str | None = MigrationContext.configure(conn).get_current_revision()
        return rev


def current_revision(url: str | None = None) -> str | None:
    """The schema revision of the database at ``url`` (default :func:`default_url`); ``None`` if never migrated.

    Raises
    ------
    karavan.errors.StorageError
        If the database cannot be reached.
    """
    target = url or default_url()
    engine = create_engine(target)
    try:
        return revision_of(engine)
    except Exception as exc:
        raise StorageError(f"cannot read the database {safe_url(target)}: {_first_line(exc)}") from None
    finally:
        engine.dispose()


def upgrade(url: str | sa.Engine | None = None, revision: str = "head") -> str:
    """Migrate a database to ``revision`` (default the newest); returns the revision reached.

    Safe to call from several processes at once: PostgreSQL migrates under an advisory lock;
    SQLite retries once another process's migration has finished.

    Raises
    ------
    karavan.errors.StorageError
        If the database cannot be reached or migrated.
    """
    from alembic import command

    engine = url if url is not None and not isinstance(url, str) else create_engine(url or default_url())
    try:
        for attempt in range(5):
            try:
                with engine.begin() as conn:
                    if conn.dialect.name == "postgresql":
                        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})")
                    command.upgrade(_alembic_config(conn), revision)
                break
            except Exception:
                if revision == "head" and revision_of(engine) == head_revision():
                    break  # another process migrated it meanwhile
                if attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))
        reached = revision_of(engine)
    except StorageError:
        raise
    except Exception as exc:
        raise StorageError(f"cannot migrate the database {engine.url!r}: {_first_line(exc)}") from None
    finally:
        if isinstance(url, str) or url is None:
            engine.dispose()
    return reached or ""


def downgrade(url: str | None, revision: str) -> str | None:
    """Migrate a database back to ``revision`` (``"base"``: drop karavan's tables); returns the revision reached."""
    from alembic import command

    target = url or default_url()
    engine = create_engine(target)
    try:
        with engine.begin() as conn:
            command.downgrade(_alembic_config(conn), revision)
        return revision_of(engine)
    except Exception as exc:
        raise StorageError(f"cannot migrate the database {safe_url(target)}: {_first_line(exc)}") from None
    finally:
        engine.dispose()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


class Store:
    """Saved records in one database; thread-safe (one connection pool, one transaction per write).

    Parameters
    ----------
    url : str, optional
        SQLAlchemy URL; default :func:`default_url`. ``postgresql://`` uses psycopg 3.
    migrate : bool
        Bring the schema to the newest revision first (default). Without it, a database
        that is not at the newest revision is refused.
    """

    def __init__(self, url: str | None = None, *, migrate: bool = True) -> None:
        sa = _sqlalchemy()
        self.url = url or default_url()
        self._engine = create_engine(self.url)
        self._table = _table(sa.MetaData())
        try:
            if migrate:
                upgrade(self._engine)
            elif revision_of(self._engine) != head_revision():
                where, head = safe_url(self.url), head_revision()
                raise StorageError(f"the database {where} is not at schema revision {head}: run `karavan db upgrade`")
        except Exception:
            self._engine.dispose()
            raise

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return str(self._engine.dialect.name)

    def close(self) -> None:
        """Release the connections."""
        self._engine.dispose()

    @contextmanager
    def _errors(self, what: str) -> Iterator[None]:
        try:
            yield
        except (InputError, RecordNotFoundError, StorageError):
            raise
        except Exception as exc:
            raise StorageError(f"cannot {what} in {safe_url(self.url)}: {_first_line(exc)}") from None

    def save(
        self,
        kind: str,
        title: str,
        *,
        query: Mapping[str, Any],
        result: Mapping[str, Any],
        dataset: DatasetStamp,
        karavan: str,
    ) -> SavedRecord:
        """Store a query and its result in one transaction; a failure stores nothing.

        Raises
        ------
        karavan.errors.InputError
            Unknown ``kind``, empty title, or a query/result that is not JSON (e.g. NaN).
        karavan.errors.StorageError
            If the database refuses the write.
        """
        if kind not in KINDS:
            raise InputError("kind", kind, "one of " + ", ".join(KINDS))
        title = " ".join(str(title).split())[:TITLE_MAX]
        if not title:
            raise InputError("title", title, "a non-empty title")
        q, r = _plain(query, "query"), _plain(result, "result")
        rec = SavedRecord(
            id=secrets.token_hex(ID_BYTES),
            kind=kind,
            title=title,
            created_at=datetime.now(UTC),
            dataset=dataset,
            karavan=karavan,
            query=q,
            result=r,
        )
        row = {
            "id": rec.id,
            "kind": kind,
            "title": title,
            "created_at": rec.created_at,
            "dataset": dataset.name,
            "dataset_version": dataset.version,
            "content_hash": dataset.content_hash,
            "karavan": karavan,
            "query": q,
            "result": r,
        }
        with self._errors("save a record"), self._engine.begin() as conn:
            conn.execute(self._table.insert().values(**row))
        return rec

    def get(self, record_id: str) -> SavedRecord:
        """The record with ``record_id``, or :class:`~karavan.errors.RecordNotFoundError`."""
        sa = _sqlalchemy()
        t = self._table
        with self._errors("read a record"), self._engine.connect() as conn:
            row = conn.execute(sa.select(t).where(t.c.id == record_id)).mappings().first()
        if row is None:
            raise RecordNotFoundError(record_id)
        return _record(row, full=True)

    def list(self, *, kind: str | None = None, limit: int = 50, offset: int = 0) -> tuple[list[SavedRecord], int]:
        """Records (without query and result), newest first, and the total count."""
        sa = _sqlalchemy()
        if kind is not None and kind not in KINDS:
            raise InputError("kind", kind, "one of " + ", ".join(KINDS))
        if not 1 <= limit <= 1000:
            raise InputError("limit", limit, "an integer from 1 to 1000")
        if offset < 0:
            raise InputError("offset", offset, "an integer >= 0")
        t = self._table
        cols = [c for c in t.c if c.name not in ("query", "result")]
        where = [t.c.kind == kind] if kind else []
        stmt = sa.select(*cols).where(*where).order_by(t.c.created_at.desc(), t.c.id).limit(limit).offset(offset)
        count = sa.select(sa.func.count()).select_from(t).where(*where)
        with self._errors("list records"), self._engine.connect() as conn:
            rows = conn.execute(stmt).mappings().all()
            total = int(conn.execute(count).scalar_one())
        return [_record(r, full=False) for r in rows], total


def _plain(value: Mapping[str, Any], field: str) -> dict[str, Any]:
    """A JSON round trip: refuses NaN/infinity and non-JSON values before the transaction starts."""
    try:
        out: dict[str, Any] = json.loads(_json_dumps(dict(value)))
    except (TypeError, ValueError) as exc:
        raise InputError(field, type(value).__name__, f"a JSON object without NaN or infinity ({exc})") from None
    return out


def _record(row: Any, *, full: bool) -> SavedRecord:
    created = row["created_at"]
    if created.tzinfo is None:  # SQLite keeps no offset; every value was written in UTC
        created = created.replace(tzinfo=UTC)
    return SavedRecord(
        id=row["id"],
        kind=row["kind"],
        title=row["title"],
        created_at=created.astimezone(UTC),
        dataset=DatasetStamp(row["dataset"], row["dataset_version"], row["content_hash"]),
        karavan=row["karavan"],
        query=row["query"] if full else None,
        result=row["result"] if full else None,
    )


def open_store(url: str | None = None, *, migrate: bool = True) -> Store:
    """Open (and by default migrate) the store at ``url`` (default :func:`default_url`)."""
    return Store(url, migrate=migrate)
