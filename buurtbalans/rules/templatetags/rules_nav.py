"""Whether the main menu shows the legal rules (compliance, parameters, agreements) to the signed-in user."""

from django import template

from buurtbalans.rules.permissions import RulesRight, has_right

register = template.Library()


@register.filter
def may_see_rules(user) -> bool:
    return has_right(user, RulesRight.VIEW_COMPLIANCE)
