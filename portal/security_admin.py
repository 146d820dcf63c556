"""Admin for the security rules: the two-factor reset on users, break-the-glass accesses.

Lockouts are django-axes' own admin (Access attempts: delete one to unlock). The secrets of
the second factors (app keys, backup codes) are not shown in the admin at all: an administrator
resets a user's second factor, and the user enrols again.
"""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .two_factor import two_factor_reset

User = get_user_model()

for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.action(description=_("Reset two-factor login (the user enrols again at the next login)"))
def reset_two_factor(modeladmin, request, queryset):
    for user in queryset:
        two_factor_reset(actor=request.user, user=user)
    count = queryset.count()
    modeladmin.message_user(
        request,
        ngettext(
            "Two-factor login is reset for %(count)d user.", "Two-factor login is reset for %(count)d users.", count
        )
        % {"count": count},
        messages.SUCCESS,
    )


base_user_admin = admin.site._registry.get(User).__class__ if admin.site.is_registered(User) else UserAdmin
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(base_user_admin):
    actions = [*(base_user_admin.actions or []), reset_two_factor]
