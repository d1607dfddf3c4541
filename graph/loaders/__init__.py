"""Per-request DataLoaders, one class per access path (saleor's layout)."""

from __future__ import annotations

from functools import cached_property

from db.queries.discovery_findings import ASSET_CONFLICTS, CLEANSING_RECOMMENDATIONS
from db.queries.field_mappings import FIELD_MAPPINGS, MAPPING_STATUS
from db.reader import Reader
from db.tenancy import Tenant
from graph.loaders.assets import AssetByRecordLoader
from graph.loaders.child_pages import ChildListLoaders, ValueCountsLoader
from graph.loaders.data_imports import (
    DataImportByIdLoader,
    RawRecordCountByPageKeyLoader,
    RawRecordsByPageKeyLoader,
)
from graph.loaders.discovery_flows import DiscoveryFlowByMasterFlowIdLoader
from graph.loaders.master_flows import ChildFlowsByParentFlowIdLoader, MasterFlowByFlowIdLoader

__all__ = ["Loaders"]


class Loaders:
    """One instance of every loader, for one request of one tenant.

    Never share an instance between requests: its caches hold that tenant's rows.
    """

    def __init__(self, reader: Reader, tenant: Tenant) -> None:
        self.master_flow_by_flow_id = MasterFlowByFlowIdLoader(reader, tenant)
        self.child_flows_by_parent_flow_id = ChildFlowsByParentFlowIdLoader(reader, tenant)
        self.discovery_flow_by_master_flow_id = DiscoveryFlowByMasterFlowIdLoader(reader, tenant)
        self.data_import_by_id = DataImportByIdLoader(reader, tenant)
        self.raw_records_by_page_key = RawRecordsByPageKeyLoader(reader, tenant)
        self.raw_record_count_by_page_key = RawRecordCountByPageKeyLoader(reader, tenant)
        self._reader, self._tenant = reader, tenant

    # The discovery pages' loaders, made when first used: most requests never need them.

    @cached_property
    def asset_by_record(self) -> AssetByRecordLoader:
        return AssetByRecordLoader(self._reader, self._tenant)

    @cached_property
    def field_mappings(self) -> ChildListLoaders:
        return ChildListLoaders(self._reader, self._tenant, FIELD_MAPPINGS)

    @cached_property
    def field_mapping_status_counts(self) -> ValueCountsLoader:
        return ValueCountsLoader(self._reader, self._tenant, FIELD_MAPPINGS, MAPPING_STATUS)

    @cached_property
    def cleansing_recommendations(self) -> ChildListLoaders:
        return ChildListLoaders(self._reader, self._tenant, CLEANSING_RECOMMENDATIONS)

    @cached_property
    def asset_conflicts(self) -> ChildListLoaders:
        return ChildListLoaders(self._reader, self._tenant, ASSET_CONFLICTS)
