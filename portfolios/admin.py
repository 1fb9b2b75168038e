"""Admin for platform staff: the security master, prices, strategies with versioned weights,
and risk models (read-only, with a button that builds a new one as a job)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from jobs.models import Job, JobStatus
from jobs.services import job_create
from pma_engine.securities import SUPPORTED_INDICES
from pma_portal.admin_base import ViewOnlyAdminMixin
from portfolios.imports import ImportRejected
from portfolios.models import ModelWeight, Price, RiskModel, Security, Strategy, StrategyVersion
from portfolios.services import prices_import, strategy_weights_import


class IndexFilter(admin.SimpleListFilter):
    title = "index"
    parameter_name = "index"

    def lookups(self, request, model_admin):
        return [(name, name) for name in SUPPORTED_INDICES] + [("none", "None (legacy)")]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(indices="")
        if self.value():
            return queryset.filter(indices__contains=self.value())
        return queryset


@admin.register(Security)
class SecurityAdmin(admin.ModelAdmin):
    list_display = [
        "ticker",
        "name",
        "sector",
        "industry",
        "country",
        "indices",
        "is_active",
        "firm",
    ]
    list_filter = ["is_active", IndexFilter, "sector", ("firm", admin.EmptyFieldListFilter)]
    search_fields = ["ticker", "name", "isin", "industry"]
    list_select_related = ["firm"]

    def get_search_results(self, request, queryset, search_term):
        """Autocomplete for an ESG category member offers active master names only."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.GET.get("app_label") == "esg" and request.GET.get("field_name") == "security":
            queryset = queryset.filter(firm__isnull=True, is_active=True)
        return queryset, may_have_duplicates

    readonly_fields = ["created_at", "updated_at"]
    list_per_page = 100


class PriceImportForm(forms.Form):
    file = forms.FileField(
        help_text="CSV with columns date,ticker,close (YYYY-MM-DD, master ticker, close > 0)."
    )


@admin.register(Price)
class PriceAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """Read-only list: prices come from CSV imports (here, or `import_prices`) or the
    synthetic history; a close is corrected by importing it again."""

    list_display = ["security", "date", "close", "source"]
    list_filter = ["source", ("date", admin.DateFieldListFilter)]
    search_fields = ["security__ticker"]
    list_select_related = ["security"]
    ordering = ["-date"]
    show_full_result_count = False  # millions of rows: no COUNT(*) on every page
    raw_id_fields = ["security"]
    change_list_template = "admin/portfolios/price/change_list.html"

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_prices_view),
                name="portfolios_price_import",
            ),
            *super().get_urls(),
        ]

    def import_prices_view(self, request):
        """Upload a `date,ticker,close` CSV: checked whole, all or nothing (as the command)."""
        if not request.user.has_perm("portfolios.add_price"):
            raise PermissionDenied
        form = PriceImportForm(request.POST or None, request.FILES or None)
        problems: list[str] = []
        if request.method == "POST" and form.is_valid():
            try:
                result = prices_import(source=form.cleaned_data["file"].read())
            except ImportRejected as error:
                problems = error.messages
            else:
                self.message_user(request, f"Imported {result}.", messages.SUCCESS)
                return redirect("admin:portfolios_price_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import prices",
            "form": form,
            "problems": problems,
        }
        return TemplateResponse(request, "admin/portfolios/price/import_prices.html", context)


class StrategyVersionInline(admin.TabularInline):
    model = StrategyVersion
    fields = ["version", "effective_date", "is_synthetic", "note", "created_by", "created_at"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class WeightImportForm(forms.Form):
    file = forms.FileField(help_text="CSV with columns ticker,weight; weights sum to 1.")
    effective_date = forms.DateField(
        initial=timezone.localdate, help_text="YYYY-MM-DD; the version applies from this day."
    )
    note = forms.CharField(max_length=300, required=False)


@admin.register(Strategy)
class StrategyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "benchmark", "is_active", "version_count"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [StrategyVersionInline]
    change_form_template = "admin/portfolios/strategy/change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(version_count=Count("versions"))

    @admin.display(description="versions", ordering="version_count")
    def version_count(self, obj):
        return obj.version_count

    def get_urls(self):
        return [
            path(
                "<int:object_id>/import-weights/",
                self.admin_site.admin_view(self.import_weights_view),
                name="portfolios_strategy_import_weights",
            ),
            *super().get_urls(),
        ]

    def import_weights_view(self, request, object_id):
        strategy = get_object_or_404(Strategy, pk=object_id)
        if not self.has_change_permission(request, strategy):
            raise PermissionDenied
        form = WeightImportForm(request.POST or None, request.FILES or None)
        problems: list[str] = []
        if request.method == "POST" and form.is_valid():
            try:
                version = strategy_weights_import(
                    strategy=strategy,
                    source=form.cleaned_data["file"].read(),
                    effective_date=form.cleaned_data["effective_date"],
                    note=form.cleaned_data["note"],
                    created_by=request.user,
                )
            except ImportRejected as error:
                problems = error.messages
            else:
                self.message_user(
                    request,
                    f"{version} imported with {version.weights.count()} names.",
                    messages.SUCCESS,
                )
                return redirect("admin:portfolios_strategy_change", strategy.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": strategy,
            "title": f"Import model weights for {strategy}",
            "form": form,
            "problems": problems,
        }
        return TemplateResponse(request, "admin/portfolios/strategy/import_weights.html", context)


class ModelWeightInline(admin.TabularInline):
    """Weights of a version are fixed once saved: a change is a new version (import a CSV)."""

    model = ModelWeight
    fields = ["security", "weight"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-weight"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("security")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(StrategyVersion)
class StrategyVersionAdmin(admin.ModelAdmin):
    list_display = ["strategy", "version", "effective_date", "is_synthetic", "name_count"]
    list_filter = ["strategy", "is_synthetic"]
    readonly_fields = ["strategy", "version", "effective_date", "is_synthetic", "created_by"]
    fields = [*readonly_fields, "note"]
    inlines = [ModelWeightInline]
    list_select_related = ["strategy"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(name_count=Count("weights"))

    @admin.display(description="names", ordering="name_count")
    def name_count(self, obj):
        return obj.name_count

    def has_add_permission(self, request):
        return False


@admin.register(RiskModel)
class RiskModelAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """Read-only; "Build a risk model now" runs the estimation as a job with a progress bar."""

    list_display = [
        "as_of",
        "method",
        "n_securities",
        "n_factors",
        "n_days",
        "is_synthetic",
        "created_at",
    ]
    list_filter = ["is_synthetic"]
    fields = list_display
    readonly_fields = list_display
    change_list_template = "admin/portfolios/riskmodel/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).defer("payload")

    def get_urls(self):
        return [
            path(
                "build/",
                self.admin_site.admin_view(self.build_view),
                name="portfolios_riskmodel_build",
            ),
            path(
                "job/<uuid:public_id>/",
                self.admin_site.admin_view(self.job_view),
                name="portfolios_riskmodel_job",
            ),
            path(
                "job/<uuid:public_id>/status/",
                self.admin_site.admin_view(self.job_status_view),
                name="portfolios_riskmodel_job_status",
            ),
            *super().get_urls(),
        ]

    def _check_staff(self, request):
        if not (request.user.is_staff and request.user.has_perm("portfolios.add_riskmodel")):
            raise PermissionDenied

    def build_view(self, request):
        self._check_staff(request)
        if request.method != "POST":
            return redirect("admin:portfolios_riskmodel_changelist")
        job = job_create(
            kind="risk_model_build",
            title="Risk model build",
            firm=None,
            created_by=request.user,
        )
        return redirect("admin:portfolios_riskmodel_job", job.public_id)

    def _platform_job(self, public_id):
        return get_object_or_404(
            Job, public_id=public_id, firm__isnull=True, kind="risk_model_build"
        )

    def job_view(self, request, public_id):
        self._check_staff(request)
        job = self._platform_job(public_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Risk model build",
            "job": job,
            "status_url": reverse("admin:portfolios_riskmodel_job_status", args=[job.public_id]),
        }
        return TemplateResponse(request, "admin/portfolios/riskmodel/job.html", context)

    def job_status_view(self, request, public_id):
        self._check_staff(request)
        job = self._platform_job(public_id)
        return JsonResponse(
            {
                "id": str(job.public_id),
                "status": job.status,
                "progress": job.progress,
                "message": job.message,
                "error": job.error if job.status == JobStatus.FAILED else "",
                "result_url": job.result.get("url", ""),
                "download_url": "",
            }
        )
