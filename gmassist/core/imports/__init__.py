"""Imports and exports of real files: the generic machinery and the registry of entities.

An app registers an `EntitySpec` per importable entity (see `gmassist/org/importers/`): its
canonical columns, natural key, permission domain, how to plan the writes from parsed rows and
how to export. `import_file` does the rest the same way for every entity:

1. read the file (`lib.tabular`), apply the mapping (`lib.mapping`), parse every value with the
   cached parsers of `lib.normalize`, collecting every error with row, column, value and reason;
2. let the entity plan its writes against what the database holds (reads only), counting what
   would be created, updated or left unchanged;
3. unless it is a dry run or there is any error, write everything in one transaction and record
   one audit entry. Rows whose values are unchanged are not written at all. When the file has
   no error so far, step 2 already runs in that transaction and an entity may write the rows it
   has checked while it checks the next ones (`ImportContext.writing`, on PostgreSQL the server
   works meanwhile in its own process); an error found later rolls everything back.

An entity's plan uses the helpers of `plans`: `given_values` (the columns a row
gives), `merge_rows` (the generic diff of parsed rows against stored ones by natural key, with
the counts), `save_rows` (insert the new rows, update the changed ones), `CatalogueLookup` (a
catalogue row by code or unique name, or a new one to create), and the small value checks
`text_or_empty`, `out_of_range_reason`, `column_choices`, `count` and `money`.

Reasons are written in the active language (the job activates its user's): the pure modules
raise `normalize.Problem`s, message templates with named values, which `explain` translates
only when a problem is reported, never per cell.

The modules: `entities` (columns, value kinds, EntitySpec and the registry), `reports` (errors,
warnings, counts, `explain`), `context` (which column feeds which field; ImportContext), `parse`
(cells to typed values), `run` (`import_file`), `streaming` (large files chunk by chunk),
`plans` (helpers for entity plans), `export` (`export_entity`) and `job` (the "core.import"
job). Everything an app or a caller uses is importable from `gmassist.core.imports`.
"""

from __future__ import annotations

from gmassist.core.imports.context import ImportContext, ProgressCallback
from gmassist.core.imports.entities import (
    BOOL,
    CHOICE,
    DATE,
    DECIMAL,
    GENDER,
    INT,
    NAME,
    REF,
    TEXT,
    Column,
    EntitySpec,
    ParsedRow,
    Plan,
    entity_spec,
    register_entity,
    registered_entities,
)
from gmassist.core.imports.export import export_entity
from gmassist.core.imports.job import run_import_job
from gmassist.core.imports.plans import (
    CatalogueLookup,
    column_choices,
    count,
    given_values,
    merge_rows,
    money,
    out_of_range_reason,
    save_rows,
    text_or_empty,
)
from gmassist.core.imports.reports import (
    MAX_REPORTED_PROBLEMS,
    ImportFailed,
    ImportReport,
    Problems,
    RowError,
    explain,
    problem_count,
)
from gmassist.core.imports.run import import_file, import_limits
from gmassist.core.imports.streaming import ChunkPlanner, RowChunk, row_error

__all__ = [
    "BOOL",
    "CHOICE",
    "DATE",
    "DECIMAL",
    "GENDER",
    "INT",
    "MAX_REPORTED_PROBLEMS",
    "NAME",
    "REF",
    "TEXT",
    "CatalogueLookup",
    "ChunkPlanner",
    "Column",
    "EntitySpec",
    "ImportContext",
    "ImportFailed",
    "ImportReport",
    "ParsedRow",
    "Plan",
    "Problems",
    "ProgressCallback",
    "RowChunk",
    "RowError",
    "column_choices",
    "count",
    "entity_spec",
    "explain",
    "export_entity",
    "given_values",
    "import_file",
    "import_limits",
    "merge_rows",
    "money",
    "out_of_range_reason",
    "problem_count",
    "register_entity",
    "registered_entities",
    "row_error",
    "run_import_job",
    "save_rows",
    "text_or_empty",
]
