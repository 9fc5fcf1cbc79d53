from buurtbalans.core.permissions import actions_of, membership_of


def membership(request):
    """The signed-in user's corporation and rights, for the navigation."""
    user = getattr(request, "user", None)
    member = membership_of(user)
    return {
        "membership": member,
        "corporation": member.corporation if member else None,
        "allowed": {action.value for action in actions_of(user)},
    }
