"""Pydantic models of the kehoach record (SPEC §4)."""

from schemas.record import (
    SCHEMA_VERSION,
    Agency,
    Deadline,
    DocumentInfo,
    ErrorItem,
    Indicator,
    Mention,
    Page,
    Quality,
    Record,
    Reference,
    Section,
    Signer,
    Source,
    Task,
)

__all__ = [
    "SCHEMA_VERSION", "Agency", "Deadline", "DocumentInfo", "ErrorItem", "Indicator", "Mention", "Page",
    "Quality", "Record", "Reference", "Section", "Signer", "Source", "Task",
]
