"""Per-request DataLoaders, one class per access path (saleor's layout)."""

from __future__ import annotations

from db.reader import Reader
from db.tenancy import Tenant
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
