from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from productops import page_cache
from productops.accounts.permissions import admin_required
from research import health, import_jobs, importing, panel_table, services, targeting
from research.account_edits import can_edit_accounts
from research.forms import (
    ImportMappingForm,
    ImportUploadForm,
    PanelFilterForm,
    ResearchRequestForm,
    RulesForm,
)
from research.models import (
    Account,
    AttributeDefinition,
    FatigueRuleSet,
    ImportBatch,
    LedgerEntry,
    Participant,
    ResearchRequest,
)

# Access helpers: one per object type, used by every view -----------------------------------------


def can_see_contacts(user) -> bool:
    return user.is_researcher or user.is_productops_admin


def can_recruit(user) -> bool:
    """File requests, draw samples, override cooldowns and import: researchers and admins."""
    return user.is_researcher or user.is_productops_admin


def _require_recruiter(request):
    if not can_recruit(request.user):
        raise PermissionDenied("Only researchers and ProductOps admins can do this.")


def get_request_for_viewer(request, pk) -> ResearchRequest:
    research_request = get_object_or_404(
        ResearchRequest.objects.select_related("team", "researcher"), pk=pk
    )
    user = request.user
    if not (
        user.is_productops_admin
        or research_request.researcher_id == user.pk
        or user.is_member_of(research_request.team)
    ):
        raise PermissionDenied(
            "Only the request's team, its researcher and ProductOps admins can open it."
        )
    return research_request


# Landing and requests -------------------------------------------------------------------------


@login_required
@page_cache.per_person
def index(request):
    user = request.user
    visible = ResearchRequest.objects.visible_to(user).select_related("team", "researcher")
    status = request.GET.get("status", "open")
    if status in ResearchRequest.Status.values:
        visible = visible.filter(status=status)
    page = Paginator(
        visible.annotate(sampled=Max("samples__created_at")).order_by("-created_at", "-id"), 25
    ).get_page(request.GET.get("page"))
    now = timezone.now()
    stats = Participant.objects.aggregate(
        total=Count("id"), eligible=Count("id", filter=Q(next_eligible_at__lte=now))
    )
    return render(
        request,
        "research/index.html",
        {
            "page": page,
            "status": status,
            "stats": stats,
            "can_recruit": can_recruit(user),
            "statuses": ResearchRequest.Status.choices,
        },
    )


@login_required
def request_new(request):
    _require_recruiter(request)
    form = ResearchRequestForm(
        request.POST or None,
        user=request.user,
        initial={"deadline": timezone.localdate() + timezone.timedelta(days=21)},
    )
    if request.method == "POST" and form.is_valid():
        research_request = form.save()
        messages.success(request, "Request filed. Draw a sample when you are ready to recruit.")
        return redirect(research_request)
    return render(request, "research/request_form.html", {"form": form, "dry": form_dry_run(form)})


@login_required
@require_POST
def request_dry_run(request):
    """The live dry run beside the form (htmx): the form's current values, nothing saved."""
    _require_recruiter(request)
    form = ResearchRequestForm(request.POST, user=request.user)
    form.is_valid()
    return render(
        request, "research/request_form.html#dry-run", {"form": form, "dry": form_dry_run(form)}
    )


def form_dry_run(form, *, exclude_pk=None) -> dict | None:
    if not form.is_bound:
        # A new request starts from anyone; an edited one from what it asks for now.
        req = form.instance
        if req.pk:
            criteria, needed, method = req.criteria, req.participants_needed, req.method
            deadline, minutes, dimensions = req.deadline, req.session_minutes, req.dimensions
        else:
            criteria, needed, method, deadline = {}, 8, "interview", None
            minutes, dimensions = 45, []
    else:
        data = getattr(form, "cleaned_data", {})
        if "criteria" not in data:
            return {
                "error": "; ".join(form.non_field_errors())
                or "Fix the criteria to see who matches."
            }
        criteria = data["criteria"]
        needed = data.get("participants_needed") or 1
        method = data.get("method") or ""
        deadline = data.get("deadline")
        minutes = data.get("session_minutes") or 0
        dimensions = data.get("dimensions") or []
    dry = targeting.dry_run(
        criteria=criteria,
        needed=needed,
        method=method,
        catalogue=form.catalogue,
        request=form.instance if form.instance.pk else None,
        session_minutes=minutes,
        dimensions=dimensions,
        deadline=deadline,
    )
    dry["overlaps"] = (
        targeting.overlapping_requests(criteria=criteria, deadline=deadline, exclude_pk=exclude_pk)
        if criteria
        else []
    )
    dry["needed"] = needed
    return dry


@login_required
def request_detail(request, pk):
    research_request = get_request_for_viewer(request, pk)
    sample = research_request.samples.select_related("created_by").first()
    members = standby = []
    if sample:
        rows = list(
            sample.members.select_related("participant", "participant__account").order_by(
                "standby", "rank"
            )
        )
        members = [m for m in rows if not m.standby]
        standby = [m for m in rows if m.standby]
    dry = None
    try:
        dry = targeting.request_dry_run(research_request)
    except ValidationError as e:
        messages.error(request, "; ".join(e.messages))
    overlaps = []
    if research_request.status == ResearchRequest.Status.OPEN:
        overlaps = targeting.overlapping_requests(
            criteria=research_request.criteria,
            deadline=research_request.deadline,
            exclude_pk=research_request.pk,
        )
    stale = research_request.sample_is_stale(sample)
    no_longer_matching = 0
    if stale and members:
        no_longer_matching = len(members) - (
            targeting.matching(research_request.criteria)
            .filter(pk__in=[m.participant_id for m in members])
            .count()
        )
    return render(
        request,
        "research/request_detail.html",
        {
            "req": research_request,
            "sample": sample,
            "members": members,
            "standby": standby,
            "dry": dry,
            "overlaps": overlaps,
            "can_recruit": can_recruit(request.user),
            "can_edit": research_request.can_be_edited_by(request.user),
            "sample_stale": stale,
            "no_longer_matching": no_longer_matching,
            "show_email": can_see_contacts(request.user),
            **_labelled(research_request, sample),
        },
    )


def _labelled(research_request, sample) -> dict:
    """Criteria, dimensions and make-up under the labels people know, not the attribute keys."""
    catalogue = targeting.attribute_catalogue()

    def label(name):
        return catalogue.get(name, {}).get("label", name)

    return {
        "criteria_items": [(label(n), v) for n, v in sorted(research_request.criteria.items())],
        "dimension_labels": [label(d) for d in research_request.dimensions],
        "makeup_dimensions": [
            {**d, "label": label(d["name"])}
            for d in (sample.makeup if sample else {}).get("dimensions", [])
        ],
    }


@login_required
@require_POST
def request_sample(request, pk):
    _require_recruiter(request)
    research_request = get_request_for_viewer(request, pk)
    if research_request.status == ResearchRequest.Status.CANCELLED:
        messages.error(request, "This request was cancelled: file a new one to recruit.")
        return redirect(research_request)
    try:
        sample = targeting.sample_draw(request=research_request, by=request.user)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        if sample.size < research_request.participants_needed:
            messages.warning(
                request, sample.warnings[0] if sample.warnings else "The sample is short."
            )
        else:
            standby = sample.members.filter(standby=True).count()
            messages.success(
                request,
                f"Drew {sample.size} participants across {len(sample.makeup.get('strata', []))} strata, "
                f"plus {standby} on standby.",
            )
    return redirect(research_request)


# Panel, participants, accounts ----------------------------------------------------------------


@login_required
@page_cache.per_person
def panel(request):
    form = PanelFilterForm(
        request.GET or None, definitions=AttributeDefinition.objects.active().order_by("name")
    )
    qs = Participant.objects.all()
    show_email = can_see_contacts(request.user)
    if form.is_valid():
        qs = form.filter(qs, with_email=show_email)
    page = Paginator(qs.order_by("name", "id").panel_columns(), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "research/panel.html",
        {
            "form": form,
            "page": page,
            "rows": panel_table.panel_rows(page, now=timezone.now(), show_email=show_email),
            "show_email": show_email,
        },
    )


@login_required
def account_detail(request, pk):
    account = get_object_or_404(Account.objects.select_related("owner"), pk=pk)
    now = timezone.now()
    quarter = LedgerEntry.objects.filter(
        account=account, at__gte=now - timezone.timedelta(days=91)
    ).aggregate(
        sessions=Count("id", filter=Q(kind="session")),
        minutes=Sum("minutes"),
        touches=Count("id"),
    )
    people = Paginator(account.participants.order_by("name", "id"), 50).get_page(
        request.GET.get("page")
    )
    quarter["minutes"] = quarter["minutes"] or 0
    ledger = LedgerEntry.objects.filter(account=account).select_related("participant", "team")[:25]
    rules = services.rules_current()
    quiet_from = None
    if account.renewal_date and rules.renewal_quiet_days:
        quiet_from = account.renewal_date - timezone.timedelta(days=rules.renewal_quiet_days)
    return render(
        request,
        "research/account_detail.html",
        {
            "account": account,
            "quarter": quarter,
            "quiet_from": quiet_from,
            "in_quiet_period": quiet_from is not None
            and quiet_from <= timezone.localdate() <= account.renewal_date,
            "page": people,
            "ledger": ledger,
            "rules": rules,
            "show_email": can_see_contacts(request.user),
            "can_edit": can_edit_accounts(request.user),
            "now": now,
        },
    )


# ProductOps pages -----------------------------------------------------------------------------


@login_required
def panel_health(request):
    if not can_recruit(request.user):
        raise PermissionDenied("Panel health is for ProductOps admins and researchers.")
    return render(request, "research/health.html", {"h": health.panel_health()})


@login_required
@admin_required
def rules_edit(request):
    current = services.rules_current()
    form = RulesForm(request.POST or None, rules=current)
    if request.method == "POST" and form.is_valid():
        try:
            new = form.rules()
        except ValueError as e:
            form.add_error(None, str(e))
        else:
            services.rules_update(rules=new, by=request.user, note=form.cleaned_data["note"])
            messages.success(
                request, "Rules saved as a new version. The panel is being re-evaluated."
            )
            return redirect("research:rules")
    versions = FatigueRuleSet.objects.select_related("created_by")[:10]
    return render(request, "research/rules.html", {"form": form, "versions": versions})


# Import ---------------------------------------------------------------------------------------


@csrf_exempt
@login_required
def import_upload(request):
    # Refuse an oversize upload from its declared length, before Django spools it to disk;
    # the CSRF check (which reads the body) runs only after that.
    if (
        request.method == "POST"
        and int(request.META.get("CONTENT_LENGTH") or 0) > importing.MAX_BYTES + 65536
    ):
        _require_recruiter(request)
        return render(
            request,
            "research/import.html",
            {
                "form": ImportUploadForm(),
                "too_big": f"The file is larger than {importing.limit_text()}. Split it into parts.",
            },
            status=413,
        )
    return _import_upload(request)


@csrf_protect
def _import_upload(request):
    _require_recruiter(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > importing.MAX_BYTES:
                raise ValidationError(
                    {"file": f"The file is larger than {importing.limit_text()}."}
                )
            batch = import_jobs.batch_create(
                data=upload.read(),
                file_name=upload.name,
                by=request.user,
                sheet=form.cleaned_data["sheet"],
            )
        except ValidationError as e:
            for field, errs in e.message_dict.items():
                form.add_error("sheet" if field == "sheet" else "file", errs)
        else:
            return redirect("research:import_map", pk=batch.pk)
    recent = ImportBatch.objects.select_related("uploaded_by")[:5]
    return render(
        request,
        "research/import.html",
        {"form": form, "recent": recent, "empty_cells": importing.EMPTY_CELL_MEANING},
    )


def _get_batch_for_uploader(request, pk) -> ImportBatch:
    _require_recruiter(request)
    batch = get_object_or_404(ImportBatch, pk=pk)
    if batch.uploaded_by_id != request.user.pk and not request.user.is_productops_admin:
        raise PermissionDenied("Only the person who uploaded this file can import it.")
    return batch


@login_required
def import_map(request, pk):
    batch = _get_batch_for_uploader(request, pk)
    all_targets = importing.targets()
    guessed = batch.mapping or importing.guess_mapping(batch.headers, all_targets)
    form = ImportMappingForm(
        request.POST or None, headers=batch.headers, targets=all_targets, guessed=guessed
    )
    report = None
    busy = batch.status in (
        ImportBatch.Status.QUEUED,
        ImportBatch.Status.RUNNING,
        ImportBatch.Status.IMPORTED,
    )
    if request.method == "POST" and not busy and form.is_valid():
        mapping = form.mapping()
        if not import_jobs.check_inline(batch):
            # A big file: the dry run (or the import, which checks first) runs as a job.
            check_only = request.POST.get("action") != "import"
            batch.mapping = mapping
            batch.save(update_fields=["mapping"])
            import_jobs.import_queue(
                batch=batch, mapping=mapping, by=request.user, check_only=check_only
            )
            messages.info(
                request, "A big file: this runs in the background and the page follows it."
            )
            return redirect("research:import_map", pk=batch.pk)
        try:
            headers, rows = import_jobs.batch_read(batch)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
            return redirect("research:import")
        report = importing.public(
            importing.import_check(headers=headers, rows=rows, mapping=mapping)
        )
        batch.mapping = mapping
        batch.report = report
        if request.POST.get("action") == "import" and not (
            report["error_count"] or report["file_errors"]
        ):
            batch.save(update_fields=["mapping", "report"])
            import_jobs.import_queue(batch=batch, mapping=mapping, by=request.user)
            messages.info(request, "Importing in the background; this page follows it.")
            return redirect("research:import_map", pk=batch.pk)
        if request.POST.get("action") == "import":
            messages.error(request, "Nothing was imported: fix the rows below and upload again.")
        batch.status = ImportBatch.Status.CHECKED
        batch.save(update_fields=["mapping", "report", "status"])
    return render(
        request,
        "research/import_map.html",
        {
            "batch": batch,
            "form": form,
            "report": report or batch.report,
            "job": import_jobs.progress_of(batch),
            "empty_cells": importing.EMPTY_CELL_MEANING,
        },
    )


@login_required
def import_progress(request, pk):
    """The progress bar fragment the import page polls while the job runs."""
    batch = _get_batch_for_uploader(request, pk)
    job = import_jobs.progress_of(batch)
    response = render(
        request,
        "research/import_map.html#progress",
        {"batch": batch, "job": job, "report": batch.report},
    )
    if job["finished"] and request.htmx:
        # Done: reload the whole page, which shows the full report.
        response["HX-Refresh"] = "true"
    return response
