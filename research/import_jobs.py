"""Panel imports as background jobs: store the upload, queue the import, report progress, and
delete the file (it holds personal data) once imported or, at the latest, after a day.

The web request only stores the file and queues research.tasks.run_import; any file within the
limits (research/importing.py) then completes, however long it takes, in a worker.
"""

import contextlib
import os
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from research import importing
from research.models import ImportBatch

KEEP_FILES = timedelta(days=1)
# Files up to this size are checked within the request (a second or two); larger ones by a job,
# like the import, so no file within the limits can outlast a web worker's timeout.
INLINE_CHECK_BYTES = 2 * 1024 * 1024
_PROGRESS_KEY = "research:import:{}:progress"


def import_dir() -> str:
    folder = os.path.join(settings.MEDIA_ROOT, "research-imports")
    os.makedirs(folder, exist_ok=True)
    return folder


def batch_create(*, data: bytes, file_name: str, by, sheet: str = "") -> ImportBatch:
    """Check the file can be read (and which sheet), store it and record the upload."""
    sheets = importing.sheet_names(data, file_name)
    if not sheet and len(sheets) == 1:
        sheet = sheets[0]
    headers, _rows = importing.read_table(data, file_name, sheet)
    ext = ".xlsx" if file_name.lower().endswith(".xlsx") else ".csv"
    path = os.path.join(import_dir(), f"{uuid.uuid4().hex}{ext}")
    with open(path, "wb") as fh:
        fh.write(data)
    return ImportBatch.objects.create(
        file_name=file_name[:200], stored_path=path, sheet=sheet, headers=headers, uploaded_by=by
    )


def batch_read(batch: ImportBatch):
    if not batch.stored_path or not os.path.exists(batch.stored_path):
        raise ValidationError(
            {"file": "The uploaded file is gone (files are deleted after a day); upload it again."}
        )
    with open(batch.stored_path, "rb") as fh:
        return importing.read_table(fh.read(), batch.stored_path, batch.sheet)


def check_inline(batch: ImportBatch) -> bool:
    """Small files are checked at once; big ones by a job."""
    try:
        return os.path.getsize(batch.stored_path) <= INLINE_CHECK_BYTES
    except OSError:
        return True  # batch_read then says the file is gone


def import_queue(*, batch: ImportBatch, mapping: dict, by, check_only: bool = False) -> ImportBatch:
    """Queue the import (or only the dry run) of a file; the page and the API follow it."""
    from research import tasks

    if batch.status in (ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING):
        return batch
    if batch.status == ImportBatch.Status.IMPORTED:
        raise ValidationError({"file": "This file is already imported."})
    batch.mapping = mapping
    batch.status = ImportBatch.Status.QUEUED
    batch.progress, batch.stage = 0, "waiting for a worker"
    batch.save(update_fields=["mapping", "status", "progress", "stage"])
    cache.delete(_PROGRESS_KEY.format(batch.pk))
    tasks.run_import.delay_on_commit(batch.pk, check_only)
    return batch


def import_run(*, batch_id: int, check_only: bool = False) -> ImportBatch | None:
    """Run a queued import or dry run (the task). A second run of the same job does nothing."""
    claimed = ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.QUEUED).update(
        status=ImportBatch.Status.RUNNING, stage="reading the file", progress=0.01
    )
    if not claimed:
        return None
    batch = ImportBatch.objects.select_related("uploaded_by").get(pk=batch_id)

    def progress(fraction, stage):
        # The writing runs in one transaction nobody else can see into: the cache carries it.
        cache.set(_PROGRESS_KEY.format(batch.pk), (fraction, stage), 3600)
        if not transaction.get_connection().in_atomic_block:
            ImportBatch.objects.filter(pk=batch.pk).update(progress=fraction, stage=stage)

    if check_only:
        return _check_run(batch, progress)
    headers = rows = None
    try:
        headers, rows = batch_read(batch)
        report = importing.import_commit(
            headers=headers,
            rows=rows,
            mapping=batch.mapping,
            by=batch.uploaded_by,
            progress=progress,
        )
    except ValidationError as error:
        report = None
        if headers is not None:
            # The rows that stopped it, as the dry run shows them.
            report = importing.public(
                importing.import_check(headers=headers, rows=rows, mapping=batch.mapping)
            )
        if not report or not (report.get("error_count") or report.get("file_errors")):
            report = {**(report or {}), "file_errors": error.messages}
        batch.status = ImportBatch.Status.FAILED
        batch.stage = "nothing was imported"
    else:
        batch.status = ImportBatch.Status.IMPORTED
        batch.stage = "done"
        file_delete(batch)
    batch.report = report
    batch.progress = 1.0
    batch.finished_at = timezone.now()
    batch.save(
        update_fields=["status", "stage", "report", "progress", "finished_at", "stored_path"]
    )
    cache.delete(_PROGRESS_KEY.format(batch.pk))
    return batch


def _check_run(batch: ImportBatch, progress) -> ImportBatch:
    progress(0.1, "reading the file")
    try:
        headers, rows = batch_read(batch)
        progress(0.3, "checking rows")
        report = importing.public(
            importing.import_check(headers=headers, rows=rows, mapping=batch.mapping)
        )
    except ValidationError as error:
        report = {"file_errors": error.messages, "error_count": 0, "errors": []}
    batch.status = ImportBatch.Status.CHECKED
    batch.stage = "dry run done"
    batch.report = report
    batch.progress = 1.0
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "stage", "report", "progress", "finished_at"])
    cache.delete(_PROGRESS_KEY.format(batch.pk))
    return batch


def progress_of(batch: ImportBatch) -> dict:
    fraction, stage = batch.progress, batch.stage
    if batch.status == ImportBatch.Status.RUNNING:
        cached = cache.get(_PROGRESS_KEY.format(batch.pk))
        if cached:
            fraction, stage = cached
    return {
        "status": batch.status,
        "progress": round(float(fraction), 3),
        "percent": round(float(fraction) * 100),
        "stage": stage,
        "finished": batch.status
        in (ImportBatch.Status.IMPORTED, ImportBatch.Status.FAILED, ImportBatch.Status.CHECKED),
    }


def file_delete(batch: ImportBatch) -> None:
    if batch.stored_path:
        with contextlib.suppress(FileNotFoundError):
            os.remove(batch.stored_path)
        batch.stored_path = ""


def files_sweep(*, now=None) -> int:
    """Delete uploaded files older than a day, recorded or not (the daily beat task)."""
    now = now or timezone.now()
    cutoff = now - KEEP_FILES
    deleted = 0
    for batch in (
        ImportBatch.objects.exclude(stored_path="")
        .filter(created_at__lt=cutoff)
        .exclude(status__in=[ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING])
    ):
        file_delete(batch)
        batch.save(update_fields=["stored_path"])
        deleted += 1
    # Files no batch points to any more (a crash between writing and recording).
    known = set(ImportBatch.objects.exclude(stored_path="").values_list("stored_path", flat=True))
    folder = import_dir()
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        if path in known or not os.path.isfile(path):
            continue
        if os.path.getmtime(path) < cutoff.timestamp():
            os.remove(path)
            deleted += 1
    return deleted
