"""Read-only queries of the gateway, one module per table.

Every function takes the `Reader` first and the tenant as a keyword, filters
every table it touches by that tenant, and returns asyncpg records (or plain
values).  Statements are built with SQLAlchemy Core and compiled once per
shape (see `db.reader`).
"""

from sqlalchemy import ARRAY
from sqlalchemy.dialects.postgresql import UUID

UUIDS = ARRAY(UUID(as_uuid=True))
