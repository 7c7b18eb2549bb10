"""DBStorage: the models in MariaDB/MySQL through SQLAlchemy 2 and PyMySQL.

The engine's pool checks a connection before lending it and retires old
ones (``pool_recycle``), so a database restart costs the requests made while
it is down, not the process.  The check is the write counter's read (one
round trip for both; see ``_check_out``).  Sessions are scoped to the
thread and removed by ``close()`` at the end of every request: no session, and
no transaction, outlives a request.
"""
import functools
import logging
import os
import weakref

from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    MetaData,
    Table,
    create_engine,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import URL
from sqlalchemy.exc import (
    DisconnectionError,
    OperationalError,
    ProgrammingError,
)
from sqlalchemy.orm import scoped_session, sessionmaker

from models.base_model import Base
from models.classes import CLASSES, resolve

log = logging.getLogger(__name__)

# BaseModel is abstract in the database: only the mapped classes are stored.
MAPPED = tuple(cls for cls in CLASSES.values() if hasattr(cls, "__table__"))

# One row counting the writes: every transaction that writes through a session
# adds one in the same transaction, so a reader that sees a value has the data
# of exactly that value (the API's response cache relies on it).  Its own
# metadata: emptying or dropping the models' tables leaves it alone.
GENERATION_METADATA = MetaData()
GENERATION = Table(
    "hbnb_generation", GENERATION_METADATA,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("value", BigInteger, nullable=False),
    mysql_charset="utf8mb4",
)
_BUMP = (update(GENERATION).where(GENERATION.c.id == 1)
         .values(value=GENERATION.c.value + 1))


def _forget_pool_after_fork(engine_ref):
    """In a forked child: a new pool, the parent's connections left alone.

    A server that imports the application once and forks its workers
    (Gunicorn's preload_app) would otherwise give every worker the socket
    the import opened (the schema check), and their queries would interleave
    on it.  SQLAlchemy's documented way: ``dispose(close=False)``.
    """
    engine = engine_ref()
    if engine is not None:
        engine.dispose(close=False)


# The counter as read when the connection was lent, until generation()
# takes it.
_CHECKOUT_KEY = "hbnb_generation_at_checkout"
_NOT_READ = object()
_READ_GENERATION = "SELECT value FROM hbnb_generation WHERE id = 1"


def _check_out(dialect, dbapi_connection, connection_record,
               _connection_proxy):
    """Pool checkout: is the connection alive?  Asked by reading the counter.

    This replaces ``pool_pre_ping``'s separate ping: the read is the first
    statement of the transaction the request then uses, so its value belongs
    to the same snapshot as everything the request reads (REPEATABLE READ),
    and the check and the read cost one round trip instead of two.  A dropped
    connection raises DisconnectionError: the pool then discards it and lends
    a new one, as pre-ping does.
    """
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(_READ_GENERATION)
        row = cursor.fetchone()
    except dialect.loaded_dbapi.Error as error:
        if dialect.is_disconnect(error, dbapi_connection, cursor):
            raise DisconnectionError(str(error)) from error
        row = None  # no counter table yet: nothing is cached
    finally:
        cursor.close()
    connection_record.info[_CHECKOUT_KEY] = row[0] if row else None


def _note_flush(session, _flush_context):
    """A flush wrote rows."""
    session.info["hbnb_wrote"] = True


def _note_statement(state):
    """An INSERT, UPDATE or DELETE run through the session (not a flush)."""
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info["hbnb_wrote"] = True


def _count_write(session):
    """Before COMMIT: count the transaction's writes in it.  Last, so that the
    counter's row is locked only for the commit itself: a transaction waiting
    for it holds nothing the committing one still needs."""
    session.flush()
    if session.info.pop("hbnb_wrote", False):
        try:
            session.connection().execute(_BUMP)
        except ProgrammingError:
            # No counter table (the database was away when every process
            # started): then no process caches anything, and the write stands.
            log.warning("no write counter table: responses are not cached")


def _forget_writes(session):
    """Rolled back: nothing was written."""
    session.info.pop("hbnb_wrote", None)


def database_url():
    """The connection URL from the HBNB_MYSQL_* environment variables."""
    return URL.create(
        "mysql+pymysql",
        username=os.getenv("HBNB_MYSQL_USER"),
        password=os.getenv("HBNB_MYSQL_PWD"),
        host=os.getenv("HBNB_MYSQL_HOST", "localhost"),
        port=int(os.getenv("HBNB_MYSQL_PORT", "3306")),
        database=os.getenv("HBNB_MYSQL_DB"),
        query={"charset": "utf8mb4"},
    )


class DBStorage:
    """Stores the models in a MySQL-compatible database."""

    __engine = None
    __session = None

    def __init__(self):
        """The engine for HBNB_MYSQL_*; HBNB_ENV=test drops every table."""
        self.__engine = create_engine(
            database_url(),
            pool_recycle=3600,
            # Fail fast instead of hanging past the proxy's timeout when the
            # database is unreachable or hung: a request may wait twice
            # (the checkout's check, then a new connection's handshake), and
            # 2 x 10 s stays below Gunicorn's 30 s worker timeout, so the
            # client gets a 503 rather than a killed worker's 502.
            connect_args={"connect_timeout": 5, "read_timeout": 10,
                          "write_timeout": 10},
        )
        # A weak reference: a storage thrown away (tests, a reload of the
        # application) does not keep its engine alive.
        os.register_at_fork(after_in_child=functools.partial(
            _forget_pool_after_fork, weakref.ref(self.__engine)))
        event.listen(self.__engine, "checkout",
                     functools.partial(_check_out, self.__engine.dialect))
        if os.getenv("HBNB_ENV") == "test":
            Base.metadata.drop_all(self.__engine)
            # Rows went away outside any session: other processes' caches.
            self.create_generation()
            self.invalidate()

    def all(self, cls=None):
        """Objects by "<Class>.<id>", optionally of one class only."""
        cls = resolve(cls) if cls is not None else None
        if cls is not None and cls not in MAPPED:
            return {}
        classes = (cls,) if cls is not None else MAPPED
        objects = {}
        for model in classes:
            for obj in self.__session.scalars(select(model)):
                objects["{}.{}".format(model.__name__, obj.id)] = obj
        return objects

    def new(self, obj):
        """Add an object to the current session."""
        self.__session.add(obj)

    def save(self):
        """Commit the current session (rolled back if the commit fails)."""
        try:
            self.__session.commit()
        except Exception:
            self.__session.rollback()
            raise

    def delete(self, obj=None):
        """Mark an object for deletion at the next ``save``."""
        if obj is not None:
            self.__session.delete(obj)

    def reload(self):
        """Create missing tables and a fresh session factory.

        An unreachable database is not fatal here: the application starts,
        answers 503 while the database is away and recovers on its own.
        """
        try:
            Base.metadata.create_all(self.__engine)
            self.create_generation()
        except OperationalError as error:
            log.warning("database unreachable, tables not checked: %s",
                        error.orig)
        factory = sessionmaker(bind=self.__engine, expire_on_commit=False)
        event.listen(factory, "after_flush", _note_flush)
        event.listen(factory, "do_orm_execute", _note_statement)
        event.listen(factory, "before_commit", _count_write)
        event.listen(factory, "after_rollback", _forget_writes)
        self.__session = scoped_session(factory)

    def create_generation(self):
        """The write counter's table and row, if missing."""
        GENERATION_METADATA.create_all(self.__engine)
        with self.__engine.begin() as connection:
            connection.execute(insert(GENERATION).prefix_with("IGNORE")
                               .values(id=1, value=0))

    def invalidate(self):
        """Count one write made outside the sessions (SQL loaded by hand or
        by the deployment): every process then builds its answers again."""
        with self.__engine.begin() as connection:
            connection.execute(_BUMP)

    def generation(self):
        """The write counter, read in the current transaction (so in the
        same snapshot as what the request reads next); None if unknown."""
        try:
            # Read when the connection was lent, if this transaction took it
            # from the pool just now: the first statement of the transaction.
            value = self.__session.connection().info.pop(_CHECKOUT_KEY,
                                                         _NOT_READ)
            if value is not _NOT_READ:
                return value
            return self.__session.scalar(
                select(GENERATION.c.value).where(GENERATION.c.id == 1))
        except ProgrammingError:
            # No such table yet (the database was away at start-up).
            self.__session.rollback()
            return None

    def close(self):
        """End of a request: give the connection back to the pool.

        A connection the server has already dropped cannot be rolled back
        cleanly; that must not turn a finished reply into a 500.
        """
        try:
            self.__session.remove()
        except Exception:
            log.warning("closing the session failed", exc_info=True)

    def get(self, cls, id):
        """The object of class ``cls`` with this id, or None."""
        cls = resolve(cls)
        if cls not in MAPPED or not isinstance(id, str):
            return None
        obj = self.__session.get(cls, id)
        # MariaDB's default collations compare ids without case and ignore
        # trailing spaces; the file engine does neither, and neither does this.
        return obj if obj is not None and obj.id == id else None

    def count(self, cls=None):
        """How many objects (of one class, or of every class) are stored."""
        cls = resolve(cls) if cls is not None else None
        if cls is not None and cls not in MAPPED:
            return 0
        classes = (cls,) if cls is not None else MAPPED
        return sum(
            self.__session.scalar(select(func.count()).select_from(model))
            for model in classes)

    def session(self):
        """The current session, for queries the generic interface lacks."""
        return self.__session()
