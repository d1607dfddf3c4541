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
    "Vocabulary",
    "by_value",
]

E = TypeVar("E", bound=Enum)


class Vocabulary(Enum):
    """The base of Flowgate's enums: members hash by identity.

    Enum members are singletons, equal only to themselves, but `Enum.__hash__`
    is Python code (it hashes the member's name); a response maps hundreds of
    members to their names through dicts, and identity hashing keeps that in C.
    """

    __hash__ = object.__hash__


_UNKNOWN = strawberry.enum_value("unknown", description="A value outside the documented list; the `...Raw` field holds it.")


@strawberry.enum(description="What a master flow does.")
class FlowType(Vocabulary):
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
class MasterFlowStatus(Vocabulary):
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
class DiscoveryFlowStatus(Vocabulary):
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
class DiscoveryPhase(Vocabulary):
    DATA_IMPORT = "data_import"
    DATA_VALIDATION = "data_validation"
    FIELD_MAPPING = "field_mapping"
    DATA_CLEANSING = "data_cleansing"
    ASSET_INVENTORY = "asset_inventory"


@strawberry.enum(description="What kind of data an import holds.")
class ImportType(Vocabulary):
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
class ImportStatus(Vocabulary):
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
class FieldMappingStatus(Vocabulary):
    SUGGESTED = "suggested"
    APPROVED = "approved"
    REJECTED = "rejected"
    PENDING = "pending"
    UNMAPPED = "unmapped"
    UNKNOWN = _UNKNOWN


@strawberry.enum(description="What kind of improvement a cleansing recommendation is.")
class CleansingCategory(Vocabulary):
    STANDARDIZATION = "standardization"
    VALIDATION = "validation"
    ENRICHMENT = "enrichment"
    DEDUPLICATION = "deduplication"
    UNKNOWN = _UNKNOWN


@strawberry.enum(description="How urgent a cleansing recommendation is.")
class CleansingPriority(Vocabulary):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    UNKNOWN = _UNKNOWN


@strawberry.enum(description="What became of a cleansing recommendation.")
class CleansingStatus(Vocabulary):
    PENDING = "pending"
    APPLIED = "applied"
    REJECTED = "rejected"
    UNKNOWN = _UNKNOWN


@strawberry.enum(description="What an imported asset collides with an existing one on.")
class AssetConflictType(Vocabulary):
    HOSTNAME = "hostname"
    IP_ADDRESS = "ip_address"
    NAME = "name"
    ENVIRONMENT = "environment"
    UNKNOWN = _UNKNOWN


@strawberry.enum(description="Where the resolution of an asset conflict is.")
class AssetConflictStatus(Vocabulary):
    PENDING = "pending"
    RESOLVED = "resolved"
    SKIPPED = "skipped"
    SYSTEM_MERGED = "system_merged"
    UNKNOWN = _UNKNOWN


@strawberry.enum(description="How an asset conflict was resolved.")
class ConflictResolutionAction(Vocabulary):
    KEEP_EXISTING = "keep_existing"
    REPLACE_WITH_NEW = "replace_with_new"
    MERGE = "merge"
    UNKNOWN = _UNKNOWN


@cache
def by_value(enum: type[E]) -> dict[str, E]:
    """The members of `enum` by the value the platform stores; a value not in it means `enum.UNKNOWN`.

    >>> by_value(FlowType)["discovery"], by_value(FlowType).get("legacy", FlowType.UNKNOWN)
    (<FlowType.DISCOVERY: 'discovery'>, <FlowType.UNKNOWN: 'unknown'>)
    """
    return {member.value: member for member in enum}
