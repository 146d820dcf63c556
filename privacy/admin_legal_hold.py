"""Admin actions on referrals: an administrator places or lifts a legal hold, with the reason, through
privacy.retention.legal_hold_set (the timeline and the audit log as for a lead)."""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .retention import legal_hold_set


class LegalHoldReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason for the legal hold"), max_length=500)


@admin.action(description=gettext_lazy("Place on legal hold (kept out of retention)"))
def legal_hold_place(modeladmin, request, queryset):
    form = LegalHoldReasonForm(request.POST if "reason" in request.POST else None)
    if form.is_valid():
        for referral in queryset:
            legal_hold_set(actor=request.user, referral=referral, hold=True, reason=form.cleaned_data["reason"])
        modeladmin.message_user(request, _("%(count)d cases are on legal hold.") % {"count": len(queryset)})
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Place on legal hold"),
        "form": form,
        "referrals": queryset,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        "opts": modeladmin.model._meta,
    }
    return TemplateResponse(request, "admin/legal_hold.html", context)


@admin.action(description=gettext_lazy("Lift legal hold"))
def legal_hold_lift(modeladmin, request, queryset):
    for referral in queryset:
        legal_hold_set(actor=request.user, referral=referral, hold=False)
    modeladmin.message_user(request, _("The legal hold is lifted."), messages.SUCCESS)
