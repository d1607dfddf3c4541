"""The bench's plan check: a record page must be an index scan on the page key, whatever else the plan reads."""

from __future__ import annotations

import pytest

from tests.bench.plans import Plan, RecordPageNotIndexed, check_record_pages

INDEXED = Plan(("Seq Scan on data_imports", "Index Scan using ix_flowgate_raw_records_page on raw_import_records"))
AFTER_A_BULK_LOAD = Plan(("Seq Scan on data_imports", "Bitmap Heap Scan on raw_import_records", "Bitmap Index Scan on raw_import_records"))


def test_a_record_page_read_through_the_page_index_passes():
    check_record_pages({"(a)": [Plan(("Seq Scan on crewai_flow_state_extensions",)), INDEXED]})


def test_a_record_page_read_by_a_bitmap_heap_scan_stops_the_bench_naming_the_query():
    with pytest.raises(RecordPageNotIndexed, match=r"^\(b\): the record page is read by .*Bitmap Heap Scan on raw_import_records"):
        check_record_pages({"(a)": [INDEXED], "(b)": [AFTER_A_BULK_LOAD]})


def test_statements_that_read_no_records_are_not_checked():
    check_record_pages({"(c)": [Plan(("Seq Scan on crewai_flow_state_extensions",)), Plan(("Seq Scan on discovery_flows",))]})
