"""Grants as rows: reading one, and writing many with one statement (one array per column)."""
from apps.access_api.domain.events import Reason, SourceType
from apps.access_api.domain.grants import Grant

# psycopg placeholders for binary arrays (outbox/arrays.py). A grant without an id gets the
# table's next one; a manual grant brings the id it was given beforehand, since that id is also
# its source id (and in its events).
ADD_GRANTS = (
    "INSERT INTO grants (id, user_id, source_type, source_id, product_id, role, starts_at, "
    "ends_at, ended_at, end_reason, note, end_note) "
    "SELECT coalesce(v.id, nextval('grants_id_seq')), v.user_id, "
    "v.source_type, v.source_id, v.product_id, v.role, v.starts_at, v.ends_at, v.ended_at, "
    "v.end_reason, v.note, v.end_note FROM unnest("
    "CAST(%(ids)b AS bigint[]), CAST(%(user_ids)b AS bigint[]), "
    "CAST(%(source_types)b AS text[]), CAST(%(source_ids)b AS text[]), "
    "CAST(%(product_ids)b AS text[]), CAST(%(roles)b AS text[]), "
    "CAST(%(starts)b AS timestamptz[]), CAST(%(ends)b AS timestamptz[]), "
    "CAST(%(ended)b AS timestamptz[]), CAST(%(reasons)b AS text[]), "
    "CAST(%(notes)b AS text[]), CAST(%(end_notes)b AS text[])) "
    "AS v(id, user_id, source_type, source_id, product_id, role, starts_at, ends_at, ended_at, "
    "end_reason, note, end_note)")
UPDATE_GRANTS = (
    "UPDATE grants g SET starts_at = v.starts_at, ends_at = v.ends_at, ended_at = v.ended_at, "
    "end_reason = v.end_reason, end_note = v.end_note FROM unnest("
    "CAST(%(ids)b AS bigint[]), CAST(%(starts)b AS timestamptz[]), "
    "CAST(%(ends)b AS timestamptz[]), CAST(%(ended)b AS timestamptz[]), "
    "CAST(%(reasons)b AS text[]), CAST(%(end_notes)b AS text[])) "
    "AS v(id, starts_at, ends_at, ended_at, end_reason, end_note) WHERE g.id = v.id")


def grant(row) -> Grant:
    return Grant(row.role, row.starts_at, row.ends_at, SourceType(row.source_type),
                 row.source_id, row.product_id, row.ended_at,
                 Reason(row.end_reason) if row.end_reason else None, row.note, row.end_note,
                 id=row.id)


def columns(rows: list[Grant], with_source: bool = False) -> dict[str, list]:
    """The grants' columns as arrays: what UPDATE_GRANTS changes, or with the source and role
    as well, all ADD_GRANTS needs but the ids."""
    values = {
        "starts": [g.starts_at for g in rows], "ends": [g.ends_at for g in rows],
        "ended": [g.ended_at for g in rows],
        "reasons": [g.end_reason.value if g.end_reason else None for g in rows],
        "end_notes": [g.end_note for g in rows]}
    if with_source:
        values.update({"source_types": [g.source_type.value for g in rows],
                       "source_ids": [g.source_id for g in rows],
                       "product_ids": [g.product_id for g in rows],
                       "roles": [g.role for g in rows], "notes": [g.note for g in rows]})
    return values
