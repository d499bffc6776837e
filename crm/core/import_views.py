"""The upload → check → confirm page shared by every spreadsheet import, the record of each confirmed import (with
the rows that had errors, as a file to fix) and undoing one."""
from __future__ import annotations

from collections.abc import Callable
from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.auth.models import User
from crm.core.access import Perm, deny, requires
from crm.core.exports import _attachment
from crm.core.import_batches import ImportBatch, RevertRefused, can_revert, revert_batch, run_batch
from crm.core.imports import ImportReport, error_rows_file
from crm.core.spreadsheets import SpreadsheetError, Table, read_table
from crm.core.uploads import load_upload, save_upload
from crm.db import db

bp = Blueprint('imports', __name__, url_prefix='/imports')

# Each kind of import: its upload page and the list its records end up on (the record page links to both).
KIND_PAGES = {'firm': ('firms.import_firms_page', 'firms.index'),
              'contact': ('firms.import_contacts_page', 'firms.index'),
              'unit': ('platforms.units_import', 'platforms.vacancies'),
              'project_actual': ('projects.actuals_import', 'projects.unfinished')}
MIMETYPES = {'csv': 'text/csv; charset=utf-8',
             'xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'}


def _save_error_file(table: Table, report: ImportReport, filename: str) -> str | None:
    made = error_rows_file(table, report, filename)
    return save_upload(made[0], made[1], owner=current_user.id) if made else None


def last_batch(kind: str) -> ImportBatch | None:
    """The current user's latest import of `kind` (what the import page offers to undo)."""
    return db.session.scalar(select(ImportBatch).where(ImportBatch.object_type == kind,
                                                       ImportBatch.started_by_id == current_user.id)
                             .order_by(ImportBatch.id.desc()).limit(1))


def import_page(*, kind: str, title: str, description: str, back_url: str, done_url: str,
                run: Callable[[Table, bool, str], ImportReport]):
    """Handle the request: a new upload is checked (dry run), a confirmation imports the stored file as a recorded
    batch of `kind` (the object type) and shows its record, which links to `done_url` (the kind's list, as in
    KIND_PAGES)."""
    token, report, error, error_file = request.form.get('token', ''), None, None, None
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
                report = run_batch(kind, filename, data, lambda: run(table, False, filename),
                                   checkpoint=db.session.commit)
            else:
                report = run(table, True, filename)
        except SpreadsheetError as exc:
            error = str(exc)
        except FileNotFoundError:
            error = _('The uploaded file has expired; upload it again.')
        else:
            error_file = _save_error_file(table, report, filename)
            if not report.dry_run:
                batch = db.session.get(ImportBatch, report.batch_id)
                batch.error_file = error_file
                db.session.commit()
                flash(_('Import finished: %(a)s added, %(u)s updated, %(s)s unchanged, %(e)s rows with errors.',
                        a=report.imported, u=report.updated, s=report.unchanged, e=len(report.errors)), 'success')
                return redirect(url_for('imports.batch', batch_id=report.batch_id))
    return render_template('imports/preview.html', report=report, token=token, error=error, title=title,
                           description=description, back_url=back_url, error_file=error_file,
                           last=last_batch(kind)), 422 if error else 200


def _visible_batch(batch_id: int) -> ImportBatch:
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None:
        abort(404)
    if batch.started_by_id != current_user.id and current_user.role_code != 'admin':
        deny(404, 'import_batch', batch_id)
    return batch


@bp.get('/<int:batch_id>')
@requires(Perm.ACCOUNT)
def batch(batch_id: int):
    """One confirmed import: who ran it, when, the file, what it did; its rows with errors; undoing it."""
    item = _visible_batch(batch_id)

    people = {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_([i for i in (item.started_by_id, item.reverted_by_id) if i])))}
    upload, listing = KIND_PAGES.get(item.object_type, (None, None))
    return render_template('imports/batch.html', batch=item, people=people, revertible=can_revert(item, current_user),
                           upload_url=url_for(upload) if upload else None, list_url=url_for(listing) if listing else None)


@bp.post('/<int:batch_id>/revert')
@requires(Perm.ACCOUNT)
def revert(batch_id: int):
    """Undo the import (its runner or an administrator): added records go, changed ones get their values back."""
    item = _visible_batch(batch_id)
    if not can_revert(item, current_user):
        flash(_('Only the person who ran this import, or an administrator, can undo it, once.'), 'error')
        return redirect(url_for('imports.batch', batch_id=batch_id))
    try:
        outcome = revert_batch(item, actor_id=current_user.id)
    except RevertRefused as exc:
        db.session.rollback()
        flash(str(exc), 'error')
        return redirect(url_for('imports.batch', batch_id=batch_id))
    db.session.commit()
    flash(_('Import undone: %(r)s records removed, %(u)s records restored to their earlier values.',
            r=outcome['removed'], u=outcome['restored']), 'success')
    return redirect(url_for('imports.batch', batch_id=batch_id))


@bp.get('/error-rows/<token>')
@requires(Perm.ACCOUNT)
def error_rows(token: str):
    """The rows of a checked or imported file that had errors, with the reasons, to fix and upload again."""
    try:
        data, filename = load_upload(token, owner=current_user.id)
    except FileNotFoundError:
        abort(404)

    fmt = 'xlsx' if filename.endswith('.xlsx') else 'csv'

    response = send_file(BytesIO(data), mimetype=MIMETYPES[fmt], as_attachment=False)
    return _attachment(response, filename)
