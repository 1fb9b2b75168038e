def portal(request):
    """Role flags for the layout's navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"portal_role": None}
    return {
        "portal_role": getattr(user, "role", "") or ("staff" if user.is_staff else None),
        "portal_firm": getattr(user, "firm", None),
    }
