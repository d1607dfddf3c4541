"""Synthetic CMDB records: server rows as a CMDB export holds them.

Every value is drawn from a caller's `random.Random`, so a seeded generator
yields the same records on every run.  The demo and the benchmark datasets
both fill `raw_import_records.raw_data` from here.
"""

from __future__ import annotations

import random

from db.seed.rows import Row

__all__ = ["DATACENTERS", "PEOPLE", "cleanse_record", "cmdb_record", "corrupt_record"]

DATACENTERS = ("FRA-DC1", "AMS-DC2", "DAL-DC1", "SIN-DC3")
PEOPLE = ("anna.keller", "raj.patel", "lena.vogel", "tom.becker", "mei.lin", "omar.haddad")
"""User names for owners and flow creators; callers append `@example.com`."""

_APPLICATIONS = (
    ("Order Management", "ord"),
    ("Payments Gateway", "pay"),
    ("HR Portal", "hrp"),
    ("Data Warehouse", "dwh"),
    ("Customer Portal", "cus"),
    ("Inventory Service", "inv"),
    ("Identity Provider", "idp"),
    ("Reporting", "rpt"),
    ("Logistics Tracker", "lgx"),
    ("Email Relay", "mta"),
)
_ROLES = ("app", "db", "web", "batch", "cache")
_OPERATING_SYSTEMS = (
    ("Windows Server", ("2012 R2", "2016", "2019", "2022")),
    ("Red Hat Enterprise Linux", ("7.9", "8.8", "9.2")),
    ("Ubuntu", ("18.04", "20.04", "22.04")),
    ("SUSE Linux Enterprise Server", ("12 SP5", "15 SP4")),
    ("Oracle Linux", ("7.9", "8.8")),
)
_ENVIRONMENTS = ("Production", "Production", "Staging", "Development", "Test", "DR")
_CRITICALITIES = ("low", "medium", "high", "mission_critical")
_DEFECTS = (
    ("ip", "10.256.0.12", "The IP address '10.256.0.12' is not a valid IPv4 address."),
    ("hostname", "", "The hostname is missing."),
    ("memory_gb", -8, "The memory size must be a positive number of GB."),
    ("os", "Unknwon", "The operating system 'Unknwon' is not recognised."),
)


def cmdb_record(rng: random.Random, row_number: int, *, datacenter: str | None = None) -> Row:
    """One server row as a CMDB export holds it, drawn from `rng` (same state, same row).

    The hostname embeds `row_number`, so it is unique within an import.
    """
    datacenter = datacenter or rng.choice(DATACENTERS)
    application, code = rng.choice(_APPLICATIONS)
    os_name, versions = rng.choice(_OPERATING_SYSTEMS)
    cores = rng.choice((2, 4, 4, 8, 8, 16, 32))
    hostname = f"{datacenter[:3].lower()}-{code}-{rng.choice(_ROLES)}{row_number:04d}"
    return {
        "hostname": hostname.upper() if rng.random() < 0.15 else hostname,
        "ip": f"10.{rng.randint(1, 254)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        "os": os_name,
        "os_version": rng.choice(versions),
        "cpu_cores": cores,
        "memory_gb": cores * rng.choice((2, 4, 8)),
        "storage_gb": rng.choice((80, 120, 250, 500, 1000, 2000)),
        "application": application,
        "environment": rng.choice(_ENVIRONMENTS),
        "owner": f"{rng.choice(PEOPLE)}@example.com",
        "datacenter": datacenter,
        "criticality": rng.choices(_CRITICALITIES, weights=(3, 4, 2, 1))[0],
    }


def corrupt_record(rng: random.Random, raw: Row) -> list[Row]:
    """Corrupt one or two fields of `raw` in place; return the validation errors.

    Each error is `{"field": …, "message": …}`, the message a whole sentence.
    """
    defects = rng.sample(_DEFECTS, k=rng.choice((1, 1, 2)))
    for field, value, _ in defects:
        raw[field] = value
    return [{"field": field, "message": message} for field, _, message in defects]


def cleanse_record(raw: Row) -> Row:
    """`raw` as data cleansing leaves it: hostname and environment lower-cased, typed a server."""
    return {
        **raw,
        "hostname": raw["hostname"].lower(),
        "environment": raw["environment"].lower(),
        "asset_type": "server",
    }
