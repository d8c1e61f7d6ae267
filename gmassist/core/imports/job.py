"""The "core.import" job: an import run by the worker, its file deleted when it ends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

from gmassist.core.imports.reports import ImportFailed, ImportReport, RowError, explain
from gmassist.core.imports.run import import_file
from gmassist.core.jobs import JobContext, JobError, JobLost, WorkerStopping, job_handler
from gmassist.lib.mapping import MappingError, parse_mapping


@job_handler("core.import")
def run_import_job(
    ctx: JobContext,
    *,
    entity: str,
    path: str,
    mapping: str | None = None,
    dry_run: bool = False,
    keep_for_confirm: bool = False,
) -> dict[str, Any]:
    """The "core.import" job: `mapping` is the mapping's TOML text (None: identity mapping).

    The file at `path` must be readable where the job runs (a shared folder with Celery). An
    uploaded file (`uploads.upload_save`) is deleted when the job ends, whatever the outcome,
    except after a dry run without errors that asked to `keep_for_confirm` (the import page's:
    the confirmation imports the same file; `uploads.uploads_sweep` deletes it if nobody
    does). A file named on the command line is the user's own and is left alone.
    """
    from gmassist.core.uploads import upload_delete

    file_name = Path(path).name
    kept = False
    try:
        try:
            parsed = parse_mapping(mapping) if mapping else None
        except MappingError as exc:
            report = ImportReport(entity=entity, dry_run=dry_run, file_name=file_name)
            reason = explain(exc)
            report.errors.append(
                RowError(None, exc.key, "", gettext("mapping: %(reason)s") % {"reason": reason})
            )
            message = gettext("the mapping is not valid: %(reason)s") % {"reason": reason}
            raise JobError(message, result=report.as_dict()) from None
        try:
            report = import_file(
                entity=entity,
                path=Path(path),
                mapping=parsed,
                by=ctx.actor,
                dry_run=dry_run,
                progress=ctx.progress,
            )
        except ImportFailed as exc:
            raise JobError(str(exc), result=exc.report.as_dict()) from None
        except (PermissionDenied, ValueError) as exc:
            raise JobError(str(exc)) from None
        kept = dry_run and keep_for_confirm
        return report.as_dict()
    except (JobLost, WorkerStopping):
        # not the job's end: it runs again (taken over, or queued again) and needs its file
        kept = True
        raise
    finally:
        if not kept:
            upload_delete(path)
