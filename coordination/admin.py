from django.contrib import admin

from coordination.models import CoordinationGroup


@admin.register(CoordinationGroup)
class CoordinationGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "convening_organisation"]
    filter_horizontal = ["members", "coordinators"]
    search_fields = ["name"]
