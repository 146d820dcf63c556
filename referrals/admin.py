from django.contrib import admin

from .models import Substance, Threshold, ThresholdRegulation


@admin.register(Substance)
class SubstanceAdmin(admin.ModelAdmin):
    list_display = ["code", "name_nb", "name_en", "unit"]
    list_filter = ["unit"]
    search_fields = ["code", "name_nb", "name_en"]


class ThresholdInline(admin.TabularInline):
    model = Threshold
    extra = 0
    autocomplete_fields = ["substance"]


@admin.register(ThresholdRegulation)
class ThresholdRegulationAdmin(admin.ModelAdmin):
    list_display = ["name", "valid_from", "valid_to", "max_substances"]
    list_filter = ["valid_from"]
    search_fields = ["name", "source"]
    inlines = [ThresholdInline]
