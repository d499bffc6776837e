"""The upload → check → confirm page shared by every spreadsheet import."""
from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, request
from flask_babel import gettext as _

from crm.core.import_batches import run_batch
from crm.core.imports import ImportReport
from crm.core.spreadsheets import SpreadsheetError, Table, read_table
from crm.core.uploads import load_upload, save_upload


def import_page(*, kind: str, title: str, description: str, back_url: str, done_url: str,
                run: Callable[[Table, bool, str], ImportReport]):
    """Handle the request: a new upload is checked (dry run), a confirmation imports the stored file as a recorded
    batch of `kind` (the object type)."""
    token, report, error = request.form.get('token', ''), None, None
    if request.method == 'POST':
        upload = request.files.get('file')
        try:
            if upload and upload.filename:
                data, filename = upload.read(), upload.filename
                token = save_upload(data, filename)
            else:
                data, filename = load_upload(token)
            table = read_table(filename, data)
            if request.form.get('action') == 'confirm':
                report = run_batch(kind, filename, data, lambda: run(table, False, filename))
            else:
                report = run(table, True, filename)
        except SpreadsheetError as exc:
            error = str(exc)
        except FileNotFoundError:
            error = _('The uploaded file has expired; upload it again.')
        else:
            if not report.dry_run:
                flash(_('Import finished: %(a)s added, %(u)s updated, %(s)s unchanged, %(e)s rows with errors.',
                        a=report.imported, u=report.updated, s=report.unchanged, e=len(report.errors)), 'success')
                return redirect(done_url)
    return render_template('imports/preview.html', report=report, token=token, error=error, title=title,
                           description=description, back_url=back_url), 422 if error else 200
