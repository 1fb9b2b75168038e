"""Admin for platform staff: categories with their rules and hand overrides (history kept),
the member list with reasons, and a rebuild action. Account customizations are the firms' own
data and are edited in the portal, not here; staff read, across firms, which accounts' targets
each curation change recomputed (curation changes, target recomputations: read-only)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from accounts.templatetags.portal import percent
from esg import services
from esg.models import (
    CategoryMember,
    CategoryOverride,
    CategoryRule,
    CurationChange,
    ExclusionCategory,
    TargetRecomputation,
)
from esg.templatetags.esg import names_brief
from pma_portal.admin_base import ViewOnlyAdminMixin


class CategoryRuleForm(forms.ModelForm):
    class Meta:
        model = CategoryRule
        fields = ["field", "value"]

    def clean(self):
        data = super().clean()
        if data.get("field") and data.get("value"):
            try:
                data["value"] = services.rule_value_canonical(
                    field=data["field"], value=data["value"]
                )
            except ValidationError as error:
                self.add_error("value", error)
        return data


class CategoryOverrideForm(forms.ModelForm):
    class Meta:
        model = CategoryOverride
        fields = ["security", "action", "reason"]
        error_messages = {"reason": {"required": "Say why this name is added or removed by hand."}}

    def clean_reason(self):
        reason = (self.cleaned_data.get("reason") or "").strip()
        if not reason:
            raise ValidationError("Say why this name is added or removed by hand.")
        return reason


class CategoryRuleInline(admin.TabularInline):
    model = CategoryRule
    form = CategoryRuleForm
    extra = 1


class CategoryOverrideInline(admin.TabularInline):
    model = CategoryOverride
    form = CategoryOverrideForm
    extra = 1
    autocomplete_fields = ["security"]  # pick by ticker or name, never by numeric id
    readonly_fields = ["created_by", "created_at"]


@admin.register(ExclusionCategory)
class ExclusionCategoryAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "is_active", "member_count_link", "members_rebuilt_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CategoryRuleInline, CategoryOverrideInline]
    readonly_fields = ["members_link", "members_rebuilt_at", "recomputations_link"]
    actions = ["rebuild_members"]

    @admin.display(description="Targets recomputed")
    def recomputations_link(self, category: ExclusionCategory):
        if category.pk is None:
            return "—"
        url = (
            reverse("admin:esg_targetrecomputation_changelist")
            + f"?category__id__exact={category.pk}"
        )
        count = category.target_recomputations.count()
        return format_html(
            '<a href="{}">{} account targets recomputed after its curation changes</a>',
            url,
            count,
        )

    @admin.display(description="Members")
    def member_count_link(self, category: ExclusionCategory):
        return self.members_link(category)

    @admin.display(description="Member list")
    def members_link(self, category: ExclusionCategory):
        if category.pk is None:
            return "—"
        url = reverse("admin:esg_categorymember_changelist") + f"?category__id__exact={category.pk}"
        count = category.members.count()
        return format_html('<a href="{}">{} members, with the reason for each</a>', url, count)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, CategoryOverride) and not instance.created_by_id:
                instance.created_by = request.user
            instance._history_user = request.user
            instance.save()
        for deleted in formset.deleted_objects:
            deleted._history_user = request.user
            deleted.delete()
        formset.save_m2m()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        report = services.category_members_rebuild(categories=[form.instance], actor=request.user)
        self.message_user(
            request, f"{form.instance.name}: {report.members} members after the rebuild."
        )

    @admin.action(description="Rebuild the member lists of the selected categories")
    def rebuild_members(self, request, queryset):
        report = services.category_members_rebuild(categories=list(queryset), actor=request.user)
        self.message_user(
            request,
            f"Rebuilt {report.categories} categories: {report.members} members "
            f"({report.created} added, {report.deleted} removed, {report.updated} changed).",
            messages.SUCCESS,
        )


@admin.register(CategoryMember)
class CategoryMemberAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: members come from the rules and overrides of their category."""

    list_display = ["category", "ticker", "security_name", "source", "reason"]
    list_filter = ["category", "source"]
    search_fields = ["security__ticker", "security__name", "reason"]
    list_select_related = ["category", "security"]

    @admin.display(ordering="security__ticker")
    def ticker(self, member: CategoryMember) -> str:
        return member.security.ticker

    @admin.display(description="Name")
    def security_name(self, member: CategoryMember) -> str:
        return member.security.name

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CategoryRule)
class CategoryRuleAdmin(SimpleHistoryAdmin):
    list_display = ["category", "field", "value"]
    list_filter = ["category", "field"]
    form = CategoryRuleForm
    fields = ["category", "field", "value"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # a bulk delete would skip the rebuild
        return actions

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.category_members_rebuild(categories=[obj.category], actor=request.user)

    def delete_model(self, request, obj):
        category = obj.category
        super().delete_model(request, obj)
        services.category_members_rebuild(categories=[category], actor=request.user)


@admin.register(CategoryOverride)
class CategoryOverrideAdmin(SimpleHistoryAdmin):
    list_display = ["category", "security", "action", "reason", "created_by", "created_at"]
    list_filter = ["category", "action"]
    autocomplete_fields = ["security"]  # pick by ticker or name, never by numeric id
    form = CategoryOverrideForm
    fields = ["category", "security", "action", "reason"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # a bulk delete would skip the rebuild
        return actions

    def save_model(self, request, obj, form, change):
        if not obj.created_by_id:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        services.category_members_rebuild(categories=[obj.category], actor=request.user)

    def delete_model(self, request, obj):
        category = obj.category
        super().delete_model(request, obj)
        services.category_members_rebuild(categories=[category], actor=request.user)


def _te(value) -> str:
    return percent(value, 2) if value is not None else "—"


class RecomputationReadOnly(ViewOnlyAdminMixin):
    """Read-only, and the columns a recomputation is shown with wherever it is listed."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Household", ordering="account__client__name")
    def household(self, row: TargetRecomputation) -> str:
        return row.account.client.name

    @admin.display(description="Tracking error before")
    def te_before(self, row: TargetRecomputation) -> str:
        return _te(row.tracking_error_before)

    @admin.display(description="after")
    def te_after(self, row: TargetRecomputation) -> str:
        return _te(row.tracking_error_after)


class TargetRecomputationInline(RecomputationReadOnly, admin.TabularInline):
    """The accounts whose targets one curation change recomputed, across firms."""

    model = TargetRecomputation
    fk_name = "audit_event"
    extra = 0
    fields = ["created_at", "firm", "household", "account", "te_before", "te_after", "names"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("firm", "account__client")

    @admin.display(description="Names in / out")
    def names(self, row: TargetRecomputation) -> str:
        return _names(row)


def _names(row: TargetRecomputation) -> str:
    added = names_brief(row.names_added, limit=20) or "none"
    removed = names_brief(row.names_removed, limit=20) or "none"
    return f"in: {added}; out: {removed}"


@admin.register(CurationChange)
class CurationChangeAdmin(RecomputationReadOnly, admin.ModelAdmin):
    """The platform's curation history; each change lists the targets it recomputed."""

    list_display = ["created_at", "actor_name", "summary", "accounts_recomputed"]
    search_fields = ["summary", "actor_name"]
    fields = ["created_at", "actor_name", "summary"]
    readonly_fields = fields
    inlines = [TargetRecomputationInline]

    def get_queryset(self, request):
        from django.db.models import Count

        return (
            super()
            .get_queryset(request)
            .filter(kind="esg_curation", firm__isnull=True)
            .annotate(recomputed=Count("target_recomputations"))
        )

    @admin.display(description="Targets recomputed", ordering="recomputed")
    def accounts_recomputed(self, event) -> int:
        return event.recomputed


@admin.register(TargetRecomputation)
class TargetRecomputationAdmin(RecomputationReadOnly, admin.ModelAdmin):
    """Every recomputation of a customized target, across firms, with its cause."""

    list_display = [
        "created_at",
        "cause_kind",
        "cause",
        "firm",
        "household",
        "account",
        "te_before",
        "te_after",
    ]
    list_filter = ["cause_kind", "category", "firm"]
    search_fields = ["cause", "account__name", "account__client__name"]
    list_select_related = ["firm", "account__client"]
    fields = [
        "created_at",
        "cause_kind",
        "cause",
        "category",
        "audit_event",
        "job",
        "firm",
        "account",
        "names_added",
        "names_removed",
        "te_before",
        "te_after",
    ]
    readonly_fields = fields
