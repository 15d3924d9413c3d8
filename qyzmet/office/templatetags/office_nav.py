"""What the back office's menu offers a member of staff: only the desks she may use."""

from django import template

from qyzmet.access import is_clerk

register = template.Library()


@register.filter
def receives_documents(user) -> bool:
    """Whether the user works at a reception desk (an office clerk): else the menu has no link
    to it, rather than a link that answers 403."""
    return is_clerk(user)
