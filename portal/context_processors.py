from django.utils.functional import SimpleLazyObject

from .selectors import memberships_of


def portal(request):
    """The current service and role (set by service_view) and the user's services, for the navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_memberships": []}
    return {
        "service": getattr(request, "service", None),
        "membership": getattr(request, "membership", None),
        "my_memberships": SimpleLazyObject(lambda: list(memberships_of(user))),
    }
