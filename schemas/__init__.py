"""Pydantic models of the kehoach record (SPEC §4)."""

from schemas.record import (
    SCHEMA_VERSION,
    Agency,
    Attached,
    Deadline,
    DocumentInfo,
    ErrorItem,
    Indicator,
    Located,
    Mention,
    Page,
    Quality,
    Record,
    Restored,
    Reference,
    Section,
    Signer,
    Source,
    Table,
    Task,
)

__all__ = [
    "SCHEMA_VERSION", "Agency", "Attached", "Located", "Restored", "Table", "Deadline", "DocumentInfo", "ErrorItem", "Indicator", "Mention", "Page",
    "Quality", "Record", "Reference", "Section", "Signer", "Source", "Task",
]
