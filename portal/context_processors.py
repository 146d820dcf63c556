from django.utils.functional import SimpleLazyObject

from counselling.selectors import memberships_of


def portal(request):
    """The user's services for the navigation; evaluated only when a template asks."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_memberships": []}
    return {"my_memberships": SimpleLazyObject(lambda: list(memberships_of(user)))}
