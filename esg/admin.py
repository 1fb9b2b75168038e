"""Admin for platform staff: categories with their rules and hand overrides (history kept),
the member list with reasons, and a rebuild action. Account customizations are the firms' own
data and are edited in the portal, not here."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from esg import services
from esg.models import CategoryMember, CategoryOverride, CategoryRule, ExclusionCategory
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
    readonly_fields = ["members_link", "members_rebuilt_at"]
    actions = ["rebuild_members"]

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
        report = services.category_members_rebuild(categories=[form.instance])
        self.message_user(
            request, f"{form.instance.name}: {report.members} members after the rebuild."
        )

    @admin.action(description="Rebuild the member lists of the selected categories")
    def rebuild_members(self, request, queryset):
        report = services.category_members_rebuild(categories=list(queryset))
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
        services.category_members_rebuild(categories=[obj.category])

    def delete_model(self, request, obj):
        category = obj.category
        super().delete_model(request, obj)
        services.category_members_rebuild(categories=[category])


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
        services.category_members_rebuild(categories=[obj.category])

    def delete_model(self, request, obj):
        category = obj.category
        super().delete_model(request, obj)
        services.category_members_rebuild(categories=[category])
