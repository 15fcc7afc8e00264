"""Invoicing pages: invoice list, form, page and PDF; payments; the AR and AP aging reports."""
from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from erp.invoicing import batch, pdf, rules, services
from erp.invoicing import payments as payment_services
from erp.invoicing.api import list_filters
from erp.invoicing.forms import (
    BUCKET_LABELS,
    KIND_LABELS,
    METHOD_LABELS,
    STATE_LABELS,
    STATUS_BADGES,
    STATUS_LABELS,
    InvoiceForm,
    PaymentForm,
    parse_lines,
    partner_choices,
    product_choices,
)
from erp.invoicing.reports import ap_aging, ar_aging, partner_balance
from shared.api import Page, int_arg, paginate, query_arg
from shared.dates import company_today
from shared.errors import DomainError, NotFound, ValidationError
from shared.extensions import db
from shared.http import safe_redirect
from shared.permissions import can, require
from shared.report_views import download_response
from shared.ui import HomeCard, money, pdf_response
from shared.users.forms import EmptyForm
from shared.validation import IsoDate, Number, id_or_none

bp = Blueprint("invoicing", __name__)


@bp.record_once
def _warm_pdf_fonts(state) -> None:
    """Load WeasyPrint and the fonts in the background at start-up, so the first invoice PDF
    does not pay for it (not in tests, which build many applications)."""
    if not state.app.testing:
        pdf.warm_up_in_background()


@bp.app_context_processor
def labels():
    return {"invoice_kind_labels": KIND_LABELS, "invoice_state_labels": STATE_LABELS,
            "invoice_status_labels": STATUS_LABELS, "invoice_status_badges": STATUS_BADGES,
            "payment_method_labels": METHOD_LABELS}


@bp.app_template_global("invoicing_partner_balance")
def invoicing_partner_balance(partner_id: int):
    """For the partner page: open and overdue amounts (None without invoice access)."""
    return partner_balance(partner_id) if can("invoices", "read") else None


# --------------------------------------------------------------------------- invoices


@bp.get("/invoices/")
@require("invoices", "read")
def list_invoices():
    filters = list_filters()
    stmt = services.invoice_query(**filters)
    return render_template("erp/invoicing/list.html", page=paginate(stmt),
                           totals=services.list_totals(stmt), filters=filters,
                           partners=partner_choices(), today=company_today())


def _invoice_values(form: InvoiceForm) -> dict:
    values = form.values()
    values["lines"] = parse_lines(request.form)
    return values


def _edit(form: InvoiceForm, invoice, save):
    line_errors: dict[str, str] = {}
    if form.validate_on_submit():
        try:
            saved = save(form.values())
            flash(_("Invoice saved."), "success")
            return redirect(url_for("invoicing.show_invoice", invoice_id=saved.id))
        except DomainError as exc:
            line_errors = {k: v for k, v in exc.fields.items() if k.startswith("lines")}
            form.show_errors(exc)
    lines = parse_lines(request.form) if request.method == "POST" else \
        (invoice.lines if invoice else [])
    return render_template("erp/invoicing/form.html", form=form, invoice=invoice, lines=lines,
                           line_errors=line_errors, products=product_choices(),
                           preview=services.preview_totals({"kind": form.kind.data,
                                                            "lines": _line_dicts(lines)}))


def _line_dicts(lines) -> list[dict]:
    return [line if isinstance(line, dict) else
            {"product_id": line.product_id, "description": line.description,
             "quantity": line.quantity, "unit_price": line.unit_price,
             "discount_pct": line.discount_pct, "tax_rate": line.tax_rate} for line in lines]


@bp.route("/invoices/new", methods=["GET", "POST"])
@require("invoices", "write")
def new_invoice():
    form = InvoiceForm()
    form.partner_id.choices = partner_choices()
    if request.method == "GET":
        form.kind.data = request.args.get("kind", "customer_invoice")
        form.partner_id.data = request.args.get("partner_id")
        form.invoice_date.data = company_today()
    return _edit(form, None, lambda values: services.create_invoice(
        _invoice_values(form), user_id=current_user.id))


@bp.route("/invoices/<int:invoice_id>/edit", methods=["GET", "POST"])
@require("invoices", "write")
def edit_invoice(invoice_id: int):
    invoice = services.get_invoice(invoice_id)
    form = InvoiceForm(obj=invoice)
    form.partner_id.choices = partner_choices()
    if request.method == "GET":
        form.partner_id.data = str(invoice.partner_id)
    return _edit(form, invoice, lambda values: services.update_invoice(
        invoice_id, _invoice_values(form)))


@bp.post("/invoices/totals")
@require("invoices", "write")
def live_totals():
    """htmx: the form's totals as the user types (nothing is saved)."""
    preview = services.preview_totals({"kind": request.form.get("kind"),
                                       "lines": parse_lines(request.form)})
    return render_template("erp/invoicing/_totals.html", preview=preview)


@bp.get("/invoices/<int:invoice_id>")
@require("invoices", "read")
def show_invoice(invoice_id: int):
    invoice = services.get_invoice(invoice_id)
    payments = db.session.scalars(
        payment_services.payment_query(invoice_id=invoice_id).limit(100)).all()
    return render_template(
        "erp/invoicing/show.html", invoice=invoice, today=company_today(),
        actions=rules.allowed_actions(invoice, current_user),
        payments=payments, payment_actions={
            payment.id: rules.payment_actions(payment, current_user) for payment in payments},
        credit_notes=services.credit_notes_of(invoice_id),
        original=services.get_invoice(invoice.reversed_invoice_id)
        if invoice.reversed_invoice_id else None,
        tax_rows=services.invoice_tax_summary(invoice))


def _action(invoice_id: int, run, message: str):
    """Run one invoice action (a no-argument call of its service) from a checked form."""
    if EmptyForm().validate_on_submit():
        result = run()
        flash(message, "success")
        return redirect(url_for("invoicing.show_invoice", invoice_id=result.id))
    flash(_("The form expired; please try again."), "warning")
    return redirect(url_for("invoicing.show_invoice", invoice_id=invoice_id))


@bp.post("/invoices/<int:invoice_id>/post")
@require("invoices", "write")
def post_invoice(invoice_id: int):
    return _action(invoice_id,
                   lambda: services.post_invoice(invoice_id, user_id=current_user.id),
                   _("Invoice posted."))


@bp.post("/invoices/<int:invoice_id>/cancel")
@require("invoices", "write")
def cancel_invoice(invoice_id: int):
    return _action(invoice_id, lambda: services.cancel_invoice(invoice_id),
                   _("Invoice cancelled."))


@bp.post("/invoices/<int:invoice_id>/credit-note")
@require("invoices", "write")
def credit_note(invoice_id: int):
    def credit():
        return services.create_credit_note(invoice_id, {}, user_id=current_user.id)

    try:
        return _action(invoice_id, credit, _("Credit note posted."))
    except ValidationError as exc:
        flash(" ".join(exc.fields.values()) or exc.message, "danger")
        return redirect(url_for("invoicing.show_invoice", invoice_id=invoice_id))


@bp.get("/invoices/<int:invoice_id>/pdf")
@require("invoices", "read")
def invoice_pdf(invoice_id: int):
    content, name = pdf.invoice_pdf(invoice_id)
    return pdf_response(content, name)


@bp.post("/invoices/batch-pdf")
@require("invoices", "read")
def batch_pdf():
    """The selected invoices' PDFs in one ZIP, rendered in parallel on every core."""
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("invoicing.list_invoices"))
    ids = [i for i in map(id_or_none, request.form.getlist("invoice_id")) if i][:500]
    if not ids:
        flash(_("Select at least one invoice."), "warning")
        return redirect(url_for("invoicing.list_invoices"))
    if request.headers.get("HX-Request"):  # the page follows a background job's progress
        job_id = batch.start(current_app._get_current_object(), ids, current_user.id)
        return render_template("erp/invoicing/_batch.html", job_id=job_id,
                               job=batch.get(job_id, current_user.id))
    return _zip_response(pdf.batch_zip(ids))


def _zip_response(content: bytes) -> Response:
    return Response(content, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{pdf.batch_filename()}"'})


@bp.get("/invoices/batch-pdf/<job_id>")
@require("invoices", "read")
def batch_progress(job_id: str):
    """htmx: the job's progress bar, polled until the ZIP is ready."""
    job = batch.follow(current_app._get_current_object(), job_id, current_user.id)
    if job is None:
        raise NotFound(_("This download has expired."))
    return render_template("erp/invoicing/_batch.html", job_id=job_id, job=job)


@bp.get("/invoices/batch-pdf/<job_id>/zip")
@require("invoices", "read")
def batch_download(job_id: str):
    content = batch.content(job_id, current_user.id)
    if content is None:
        raise NotFound(_("This download has expired."))
    return _zip_response(content)


# --------------------------------------------------------------------------- payments


@bp.route("/payments/new", methods=["GET", "POST"])
@require("invoices", "write")
def new_payment():
    form = PaymentForm()
    form.partner_id.choices = partner_choices()
    partner_id = request.values.get("partner_id", type=int)
    if request.method == "GET":
        form.partner_id.data = str(partner_id or "")
        form.date.data = company_today()
    open_invoices = payment_services.open_invoices(partner_id) if partner_id else []

    def record(values: dict):
        values["allocations"] = [
            {"invoice_id": invoice_id, "amount": amount}
            for invoice_id, amount in zip(request.form.getlist("alloc-invoice_id"),
                                          request.form.getlist("alloc-amount"), strict=False)
            if amount.strip()]
        return payment_services.record_payment(values, user_id=current_user.id)

    if form.validate_on_submit():
        try:
            payment = record(form.values())
        except DomainError as exc:
            form.show_errors(exc)
            # allocation rows are not form fields: say what is wrong with them on the form
            form.form_errors.extend(message for key, message in exc.fields.items()
                                    if key.startswith("allocations"))
        else:
            flash(_("Payment recorded."), "success")
            first = payment.allocations[0].invoice_id if payment.allocations else None
            return redirect(url_for("invoicing.show_invoice", invoice_id=first) if first
                            else url_for("invoicing.list_invoices"))
    amount = query_arg("amount", Number(places=2, positive=True))
    suggested = {invoice.id: share for invoice, share in
                 payment_services.suggest_allocations(partner_id, amount)} if partner_id else {}
    return render_template("erp/invoicing/payment_form.html", form=form,
                           open_invoices=open_invoices, suggested=suggested,
                           partner_id=partner_id, today=company_today())


@bp.post("/payments/<int:payment_id>/reverse")
@require("invoices", "write")
def reverse_payment(payment_id: int):
    if EmptyForm().validate_on_submit():
        payment_services.reverse_payment(payment_id, user_id=current_user.id)
        flash(_("Payment reversed; its invoices are open again."), "success")
    return safe_redirect(request.form.get("next"), url_for("invoicing.list_invoices"))


# --------------------------------------------------------------------------- reports


@bp.get("/reports/ar-aging")
@require("invoices", "read")
def aging_report():
    return _aging_page(ar_aging, payable=False)


@bp.get("/reports/ap-aging")
@require("payables", "read")
def ap_aging_report():
    """What we owe suppliers by how late it is, beside AR aging."""
    return _aging_page(ap_aging, payable=True)


def _aging_page(report, payable: bool):
    download = download_response("ap-aging" if payable else "ar-aging")
    if download is not None:  # ?format=csv|xlsx: the registered report's file
        return download
    try:
        as_of = query_arg("as_of", IsoDate()) or company_today()
    except DomainError:
        as_of = company_today()
    rows, totals = report(as_of)
    biggest = max(totals.buckets.values(), default=0) or 1
    # The table pages through the customers (formatting thousands of rows is what is slow);
    # the chart and the totals row cover them all.
    number = int_arg("page") or 1
    per_page = current_app.config["PER_PAGE_DEFAULT"]
    page = Page(rows[(number - 1) * per_page:number * per_page], len(rows), number, per_page)
    return render_template("erp/invoicing/aging.html", page=page, totals=totals, as_of=as_of,
                           bucket_labels=BUCKET_LABELS, biggest=biggest, payable=payable,
                           kind="vendor_bill" if payable else "customer_invoice",
                           endpoint="invoicing.ap_aging_report" if payable
                           else "invoicing.aging_report")


def home_cards() -> list[HomeCard]:
    """Receivables and what is overdue of them, for those who may read invoices."""
    if not can("invoices", "read"):
        return []
    balance = partner_balance(None)
    overdue = balance["receivable_overdue"]
    return [HomeCard(_("Receivables"), money(balance["receivable"]),
                     url_for("invoicing.aging_report")),
            HomeCard(_("Overdue receivables"), money(overdue),
                     url_for("invoicing.list_invoices", kind="customer_invoice",
                             state="overdue"), attention=overdue > 0)]

