"""The platform's vocabularies as GraphQL enums, each with an UNKNOWN fallback.

Real data holds values outside the documented lists; they map to `UNKNOWN`
instead of failing the response, and every enum field has a `...Raw`
sibling that carries the stored string.
"""

from __future__ import annotations

from enum import Enum
from functools import cache
from typing import TypeVar

import strawberry

__all__ = [
    "AssetConflictStatus",
    "AssetConflictType",
    "CleansingCategory",
    "CleansingPriority",
    "CleansingStatus",
    "ConflictResolutionAction",
    "DiscoveryFlowStatus",
    "DiscoveryPhase",
    "FieldMappingStatus",
    "FlowType",
    "ImportStatus",
    "ImportType",
    "MasterFlowStatus",
    "from_raw",
]

E = TypeVar("E", bound=Enum)

_UNKNOWN = strawberry.enum_value("unknown", description="A value outside the documented list; the `...Raw` field holds it.")


@strawberry.enum(description="What a master flow does.")
class FlowType(Enum):
    DISCOVERY = "discovery"
    ASSESSMENT = "assessment"
    COLLECTION = "collection"
    PLANNING = "planning"
    EXECUTION = "execution"
    MODERNIZE = "modernize"
    FINOPS = "finops"
    OBSERVABILITY = "observability"
    DECOMMISSION = "decommission"
    UNKNOWN = _UNKNOWN


@strawberry.enum(description="Where a master flow is in its life cycle.")
class MasterFlowStatus(Enum):
    INITIALIZED = "initialized"
    ACTIVE = "active"
    PROCESSING = "processing"
    PAUSED = "paused"
    WAITING_FOR_APPROVAL = "waiting_for_approval"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    RUNNING = "running"
    ERROR = "error"
    DELETED = strawberry.enum_value("deleted", description="Soft-deleted: left out of `masterFlows` unless its filter names DELETED.")
    CHILD_FLOWS_DELETED = "child_flows_deleted"
    UNKNOWN = _UNKNOWN


@strawberry.enum(description="Where a discovery flow is in its life cycle.")
class DiscoveryFlowStatus(Enum):
    ACTIVE = "active"
    INITIALIZED = "initialized"
    RUNNING = "running"
    PROCESSING = "processing"
    WAITING_FOR_APPROVAL = "waiting_for_approval"
    PAUSED = "paused"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    DELETED = "deleted"
    ARCHIVED = "archived"
    UNKNOWN = _UNKNOWN


@strawberry.enum(description="The phases of a discovery flow, in the order they run.")
class DiscoveryPhase(Enum):
    DATA_IMPORT = "data_import"
    DATA_VALIDATION = "data_validation"
    FIELD_MAPPING = "field_mapping"
    DATA_CLEANSING = "data_cleansing"
    ASSET_INVENTORY = "asset_inventory"


@strawberry.enum(description="What kind of data an import holds.")
class ImportType(Enum):
    CMDB = "cmdb"
    ASSET_INVENTORY = "asset_inventory"
    NETWORK_DATA = "network_data"
    BUSINESS_APPS = "business_apps"
    USER_DATA = "user_data"
    OTHER = "other"
    DIRECT_RAW_DATA = "direct_raw_data"
    DISCOVERY_FLOW = "discovery_flow"
    APP_DISCOVERY = strawberry.enum_value("app-discovery", description="Stored as `app-discovery` (the upload page).")
    INFRASTRUCTURE = "infrastructure"
    SENSITIVE = "sensitive"
    UNKNOWN = _UNKNOWN


@strawberry.enum(description="Where a data import is in its life cycle.")
class ImportStatus(Enum):
    PENDING = "pending"
    UPLOADING = "uploading"
    UPLOADED = "uploaded"
    PROCESSING = "processing"
    VALIDATING = "validating"
    PROCESSED = "processed"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    ARCHIVED = "archived"
    DISCOVERY_INITIATED = "discovery_initiated"
    DISCOVERY_FAILED = "discovery_failed"
    UNKNOWN = _UNKNOWN


@strawberry.enum(description="Where a field mapping is in review.")
class FieldMappingStatus(Enum):
    SUGGESTED = "suggested"
    APPROVED = "approved"
    REJECTED = "rejected"
    PENDING = "pending"
    UNMAPPED = "unmapped"
    UNKNOWN = _UNKNOWN


@strawberry.enum(description="What kind of improvement a cleansing recommendation is.")
class CleansingCategory(Enum):
    STANDARDIZATION = "standardization"
    VALIDATION = "validation"
    ENRICHMENT = "enrichment"
    DEDUPLICATION = "deduplication"
    UNKNOWN = _UNKNOWN


@strawberry.enum(description="How urgent a cleansing recommendation is.")
class CleansingPriority(Enum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    UNKNOWN = _UNKNOWN


@strawberry.enum(description="What became of a cleansing recommendation.")
class CleansingStatus(Enum):
    PENDING = "pending"
    APPLIED = "applied"
    REJECTED = "rejected"
    UNKNOWN = _UNKNOWN


@strawberry.enum(description="What an imported asset collides with an existing one on.")
class AssetConflictType(Enum):
    HOSTNAME = "hostname"
    IP_ADDRESS = "ip_address"
    NAME = "name"
    ENVIRONMENT = "environment"
    UNKNOWN = _UNKNOWN


@strawberry.enum(description="Where the resolution of an asset conflict is.")
class AssetConflictStatus(Enum):
    PENDING = "pending"
    RESOLVED = "resolved"
    SKIPPED = "skipped"
    SYSTEM_MERGED = "system_merged"
    UNKNOWN = _UNKNOWN


@strawberry.enum(description="How an asset conflict was resolved.")
class ConflictResolutionAction(Enum):
    KEEP_EXISTING = "keep_existing"
    REPLACE_WITH_NEW = "replace_with_new"
    MERGE = "merge"
    UNKNOWN = _UNKNOWN


@cache
def _members(enum: type[E]) -> dict[str | None, E]:
    return {member.value: member for member in enum}


def from_raw(enum: type[E], value: str | None) -> E:
    """The member of `enum` stored as `value`, or `enum.UNKNOWN`.

    A dict lookup: this runs for every status and type of every row.

    >>> from_raw(FlowType, "discovery"), from_raw(FlowType, "legacy")
    (<FlowType.DISCOVERY: 'discovery'>, <FlowType.UNKNOWN: 'unknown'>)
    """
    member = _members(enum).get(value)
    return member if member is not None else enum["UNKNOWN"]
