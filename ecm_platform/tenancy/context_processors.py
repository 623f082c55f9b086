def current_plan(request):
    return {
        "current_plan": getattr(request, "plan", None),
        "current_membership": getattr(request, "membership", None),
        "user_memberships": getattr(request, "memberships", []),
    }
