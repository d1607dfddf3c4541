"""Assets: reached only as the asset a raw record became (`RawImportRecord.asset`), never by ID."""

from __future__ import annotations

from datetime import datetime

import strawberry
from asyncpg import Record

from graph.schema.rows import RowMapping

__all__ = ["Asset"]

_ASSET_ROW = RowMapping(
    name="name",
    display_name="asset_name",
    hostname="hostname",
    asset_type="asset_type",
    description="description",
    ip_address="ip_address",
    environment="environment",
    location="location",
    operating_system="operating_system",
    os_version="os_version",
    cpu_cores="cpu_cores",
    memory_gb="memory_gb",
    storage_gb="storage_gb",
    business_owner="business_owner",
    application_name="application_name",
    criticality="criticality",
    business_criticality="business_criticality",
    status="status",
    created_at="created_at",
    updated_at="updated_at",
)


@strawberry.type(description="An asset of the inventory, as the platform's inventory page shows it.")
class Asset:
    name: str = strawberry.field(description="The asset's primary name.")
    display_name: str | None = strawberry.field(description="Its friendly display name, if it has one.")
    hostname: str | None = strawberry.field(description="Its hostname.")
    asset_type: str = strawberry.field(description="What the asset is, as stored (e.g. `server`, `database`, `application`).")
    description: str | None = strawberry.field(description="What the asset does.")
    ip_address: str | None = strawberry.field(description="Its primary IP address (v4 or v6).")
    environment: str | None = strawberry.field(description="The environment it runs in (e.g. `production`).")
    location: str | None = strawberry.field(description="Where it is.")
    operating_system: str | None = strawberry.field(description="Its operating system.")
    os_version: str | None = strawberry.field(description="Its operating system's version.")
    cpu_cores: int | None = strawberry.field(description="Its CPU cores.")
    memory_gb: float | None = strawberry.field(description="Its memory, in GB.")
    storage_gb: float | None = strawberry.field(description="Its storage, in GB.")
    business_owner: str | None = strawberry.field(description="Who owns it in the business.")
    application_name: str | None = strawberry.field(description="The application it belongs to.")
    criticality: str | None = strawberry.field(description="Its technical criticality, as stored.")
    business_criticality: str | None = strawberry.field(description="Its business criticality, as stored.")
    status: str | None = strawberry.field(description="Its status in the inventory, as stored.")
    created_at: datetime | None = strawberry.field(description="When it entered the inventory; null where the platform did not record it.")
    updated_at: datetime | None = strawberry.field(description="When it last changed, if it has.")

    @classmethod
    def from_row(cls, row: Record) -> Asset:
        return _ASSET_ROW.instance(cls, row)
