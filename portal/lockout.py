"""What a locked-out user sees (django-axes' AXES_LOCKOUT_CALLABLE): the login page, with why, in their language."""

from django.shortcuts import render

from .forms import LoginForm


def lockout_response(request, original_response=None, credentials=None):
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = LoginForm(request, initial={"username": username})
    context = {"form": form, "locked_out": True, "next": request.POST.get("next", "")}
    return render(request, "registration/login.html", context, status=429)
