"""Whether a platform user may act for a tenant (AUTH_MODE=platform), in one statement.

The platform's rule: `user_account_associations` links the user to the
client account, and `engagements` puts the engagement under that client.
The answer is one boolean, whichever part fails, so nothing tells whether a
client account or an engagement exists.
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import and_, bindparam, exists, select
from sqlalchemy.dialects.postgresql import UUID as PG_UUID

from db.reader import CompiledQuery, Reader
from db.tables import engagements
from db.tables import user_account_associations as associations
from db.tenancy import Tenant

__all__ = ["may_act_for"]

_CLIENT = bindparam("client_account_id", type_=PG_UUID(as_uuid=True))

_MAY_ACT_FOR = CompiledQuery(
    select(
        and_(
            exists().where(
                associations.c.user_id == bindparam("user_id", type_=PG_UUID(as_uuid=True)),
                associations.c.client_account_id == _CLIENT,
            ),
            exists().where(
                engagements.c.id == bindparam("engagement_id", type_=PG_UUID(as_uuid=True)),
                engagements.c.client_account_id == _CLIENT,
            ),
        )
    )
)


async def may_act_for(reader: Reader, *, user_id: UUID, tenant: Tenant) -> bool:
    """Whether user `user_id` may act for `tenant`'s client account and engagement."""
    return bool(await reader.fetchval(_MAY_ACT_FOR, user_id=user_id, **tenant.columns()))
