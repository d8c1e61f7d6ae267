"""Who sees what: the one permission rule of DESIGN.md, as `Model.objects.restrict(user, action)`.

Every restricted model declares a `Scope`: which permission domain it belongs to and the lookup
paths from the model to a department, to an employee and to a user. The policy table says, per
domain, role and action, how far a user reaches: everything, their department subtree, their own
records, or nothing. Views, API endpoints, exports and jobs all go through `restrict`, so the rule
is written once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.apps import apps
from django.db import models
from django.db.models import Q

from gmassist.core.choices import Action, Role

if TYPE_CHECKING:
    from gmassist.core.models import User

ALL = "all"  # every record of the domain
SUBTREE = "subtree"  # records of the departments the user heads and all below them
SELF = "self"  # the user's own records (as employee or as the user who made them)

_EVERY_ACTION = {action: ALL for action in Action}

POLICY: dict[str, dict[str, dict[str, str]]] = {
    # employees, their pay, reviews, skills, separations, and proposals about them
    "people": {
        Role.GM: _EVERY_ACTION,
        Role.ASSISTANT: {
            Action.VIEW: ALL,
            Action.VIEW_PAY: ALL,
            Action.CHANGE: ALL,
            Action.PROPOSE: ALL,
            Action.IMPORT: ALL,
            Action.EXPORT: ALL,
        },
        Role.HR: {
            Action.VIEW: ALL,
            Action.VIEW_PAY: ALL,
            Action.CHANGE: ALL,
            Action.PROPOSE: ALL,
            Action.APPROVE: ALL,  # below the GM's threshold, checked by the proposal service
            Action.IMPORT: ALL,
            Action.EXPORT: ALL,
        },
        Role.DEPT_HEAD: {
            Action.VIEW: SUBTREE,
            Action.VIEW_PAY: SUBTREE,
            Action.PROPOSE: SUBTREE,
            Action.EXPORT: SUBTREE,
        },
        Role.ACCOUNT_MANAGER: {Action.VIEW: SELF, Action.VIEW_PAY: SELF},
        Role.EMPLOYEE: {Action.VIEW: SELF, Action.VIEW_PAY: SELF},
    },
    # reference data everyone may read: positions, skills, attribute definitions
    "catalogue": {
        Role.GM: _EVERY_ACTION,
        Role.ASSISTANT: {
            a: ALL for a in (Action.VIEW, Action.CHANGE, Action.IMPORT, Action.EXPORT)
        },
        Role.HR: {a: ALL for a in (Action.VIEW, Action.CHANGE, Action.IMPORT, Action.EXPORT)},
        Role.DEPT_HEAD: {Action.VIEW: ALL, Action.EXPORT: ALL},
        Role.ACCOUNT_MANAGER: {Action.VIEW: ALL},
        Role.EMPLOYEE: {Action.VIEW: ALL},
    },
    # the reference data that drives customers (industries and their "strategic" flag, the
    # tiering and channel policies): everyone reads it, the GM's office changes and imports it
    "customer_catalogue": {
        Role.GM: _EVERY_ACTION,
        Role.ASSISTANT: {
            a: ALL for a in (Action.VIEW, Action.CHANGE, Action.IMPORT, Action.EXPORT)
        },
        Role.HR: {Action.VIEW: ALL, Action.EXPORT: ALL},
        Role.DEPT_HEAD: {Action.VIEW: ALL, Action.EXPORT: ALL},
        Role.ACCOUNT_MANAGER: {Action.VIEW: ALL},
        Role.EMPLOYEE: {Action.VIEW: ALL},
    },
    # group customers, their revenue, contacts, account managers and history: an account
    # manager their own book, a department head the books of their subtree's managers (read
    # only); HR has no business reason to see customers
    "customers": {
        Role.GM: _EVERY_ACTION,
        Role.ASSISTANT: {
            a: ALL
            for a in (Action.VIEW, Action.CHANGE, Action.PROPOSE, Action.IMPORT, Action.EXPORT)
        },
        Role.DEPT_HEAD: {Action.VIEW: SUBTREE, Action.EXPORT: SUBTREE},
        Role.ACCOUNT_MANAGER: {Action.VIEW: SELF, Action.CHANGE: SELF, Action.EXPORT: SELF},
    },
    # employees' feedback (voice.Feedback), named or anonymous; DESIGN.md counts anonymous
    # feedback as sensitive. The GM and the assistant see and handle everything (items to the
    # GM are theirs). HR sees everything too: it is the people function, it gets the urgent
    # alerts, and urgent items (harassment, safety, fraud) are routed to HR, not to the
    # department's head, who may be who they are about; HR handles the items it owns. A
    # department head sees and answers the items handled in their subtree (not the ones to the
    # GM, not the urgent ones). Everyone sees the items they sent by name and the ones they own.
    # Anonymous items are in these rules like any other: nothing in them names the sender, so
    # nobody, the GM included, sees who sent them. Trends count only what the reader may see.
    "feedback": {
        Role.GM: {Action.VIEW: ALL, Action.CHANGE: ALL, Action.EXPORT: ALL},
        Role.ASSISTANT: {Action.VIEW: ALL, Action.CHANGE: ALL, Action.EXPORT: ALL},
        Role.HR: {Action.VIEW: ALL, Action.CHANGE: SELF, Action.EXPORT: ALL},
        Role.DEPT_HEAD: {Action.VIEW: SUBTREE, Action.CHANGE: SUBTREE, Action.EXPORT: SUBTREE},
        Role.ACCOUNT_MANAGER: {Action.VIEW: SELF, Action.CHANGE: SELF},
        Role.EMPLOYEE: {Action.VIEW: SELF, Action.CHANGE: SELF},
    },
    # pulse surveys (voice.Survey): the GM, the assistant and HR create and run surveys for the
    # company or any department and read every result; a head runs surveys for their own
    # subtree and reads the results of their subtree's groups (of company surveys too, see
    # voice.selectors.surveys_with_results). Everyone answers the surveys they are asked, which
    # is not a read of this domain. Results never show a group of fewer than 5 respondents,
    # whoever reads them (voice/engine/survey_results.py).
    "surveys": {
        Role.GM: {Action.VIEW: ALL, Action.CHANGE: ALL, Action.EXPORT: ALL},
        Role.ASSISTANT: {Action.VIEW: ALL, Action.CHANGE: ALL, Action.EXPORT: ALL},
        Role.HR: {Action.VIEW: ALL, Action.CHANGE: ALL, Action.EXPORT: ALL},
        Role.DEPT_HEAD: {Action.VIEW: SUBTREE, Action.CHANGE: SUBTREE, Action.EXPORT: SUBTREE},
    },
    # recruiting contacts (voice: agencies, requisitions, their shares and candidates):
    # candidates' names and contacts are personal data, so only the GM, the assistant and HR
    # (everything, agencies included) and a department head (the requisitions of their subtree
    # and their candidates, not the agencies) see them; nobody else sees anything
    "recruiting": {
        Role.GM: _EVERY_ACTION,
        Role.ASSISTANT: {
            a: ALL for a in (Action.VIEW, Action.CHANGE, Action.IMPORT, Action.EXPORT)
        },
        Role.HR: {a: ALL for a in (Action.VIEW, Action.CHANGE, Action.IMPORT, Action.EXPORT)},
        Role.DEPT_HEAD: {Action.VIEW: SUBTREE, Action.CHANGE: SUBTREE, Action.EXPORT: SUBTREE},
    },
    # the decisions register: the GM decides for the company and publishes; the assistant
    # drafts, answers and reminds (a person decides: the assistant does not publish); a head
    # drafts and publishes for their own subtree and sees its acknowledgements; everyone sees
    # the decisions addressed to them (SELF: their acknowledgement row)
    "decisions": {
        Role.GM: _EVERY_ACTION,
        Role.ASSISTANT: {a: ALL for a in (Action.VIEW, Action.CHANGE, Action.EXPORT)},
        Role.HR: {Action.VIEW: SELF},
        Role.DEPT_HEAD: {
            Action.VIEW: SUBTREE,
            Action.CHANGE: SUBTREE,
            Action.APPROVE: SUBTREE,
            Action.EXPORT: SUBTREE,
        },
        Role.ACCOUNT_MANAGER: {Action.VIEW: SELF},
        Role.EMPLOYEE: {Action.VIEW: SELF},
    },
    # the audit log: the GM's
    "audit": {Role.GM: {Action.VIEW: ALL, Action.EXPORT: ALL}},
    # personal API tokens: each user manages their own
    "tokens": {role: {Action.VIEW: SELF, Action.CHANGE: SELF} for role in Role},
    # jobs: everyone sees the jobs they started; the GM's office sees all
    "jobs": {
        Role.GM: {Action.VIEW: ALL, Action.CHANGE: ALL},
        Role.ASSISTANT: {Action.VIEW: ALL, Action.CHANGE: ALL},
        Role.HR: {Action.VIEW: SELF, Action.CHANGE: SELF},
        Role.DEPT_HEAD: {Action.VIEW: SELF, Action.CHANGE: SELF},
        Role.ACCOUNT_MANAGER: {Action.VIEW: SELF, Action.CHANGE: SELF},
        Role.EMPLOYEE: {Action.VIEW: SELF, Action.CHANGE: SELF},
    },
}


@dataclass(frozen=True)
class Scope:
    """How a model reaches the things permissions are about (lookup paths, empty when none)."""

    domain: str
    department: str = ""  # path to an org.Department, e.g. "employee__department"
    employee: str = ""  # path to an org.Employee, e.g. "employee" or "pk" for Employee itself
    user: str = ""  # path to the core.User who owns the record, e.g. "created_by"


def user_role(user: User | None) -> str | None:
    """The user's role, or None for anonymous and inactive users; a superuser counts as the GM."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.GM
    return user.role


def reach(user: User | None, domain: str, action: str) -> str | None:
    """How far `user` reaches in `domain` for `action`: ALL, SUBTREE, SELF or None (nothing)."""
    role = user_role(user)
    if role is None:
        return None
    return POLICY.get(domain, {}).get(role, {}).get(action)


def headed_subtree_ids(user: User) -> set[int]:
    """Ids of the departments `user` heads and of every department below them.

    Kept on the user object, which lives for one request (or one command): a page that
    restricts several querysets reads the tree once.
    """
    cached = getattr(user, "_headed_subtree_ids", None)
    if cached is not None:
        return cached
    subtree = _headed_subtree_ids(user)
    user._headed_subtree_ids = subtree
    return subtree


def _headed_subtree_ids(user: User) -> set[int]:
    if not user.employee_id:
        return set()
    department_model = apps.get_model("org", "Department")
    rows = list(department_model.objects.values_list("id", "parent_id", "head_id"))
    children: dict[int | None, list[int]] = {}
    for dept_id, parent_id, _head in rows:
        children.setdefault(parent_id, []).append(dept_id)
    roots = [dept_id for dept_id, _parent, head_id in rows if head_id == user.employee_id]
    return descendants_of(children, roots)


def descendants_of(children: dict[int | None, list[int]], roots: Iterable[int]) -> set[int]:
    """`roots` and everything below them in a parent -> children map (cycles are harmless)."""
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        stack.extend(children.get(node, ()))
    return seen


def _self_q(user: User, scope: Scope) -> Q | None:
    q = None
    if scope.employee and user.employee_id:
        q = Q(**{scope.employee: user.employee_id})
    if scope.user:
        user_q = Q(**{scope.user: user.pk})
        q = user_q if q is None else q | user_q
    return q


def scope_filter(user: User | None, scope: Scope, action: str) -> Q | None:
    """The filter that limits a queryset of `scope` to what `user` may do with `action`.

    Returns an empty `Q()` for "everything" and None for "nothing".
    """
    how_far = reach(user, scope.domain, action)
    if how_far is None:
        return None
    if how_far == ALL:
        return Q()
    own = _self_q(user, scope)
    if how_far == SELF:
        return own
    # SUBTREE: the departments the user heads, and always their own records
    q = own
    if scope.department:
        subtree = headed_subtree_ids(user)
        if subtree:
            dept_q = Q(**{f"{scope.department}__in": sorted(subtree)})
            q = dept_q if q is None else q | dept_q
    return q


class RestrictedQuerySet(models.QuerySet):
    """A queryset that can be narrowed to what a user may do (NetBox's RestrictedQuerySet)."""

    def restrict(self, user: User | None, action: str = Action.VIEW) -> RestrictedQuerySet:
        scope: Scope = self.model.restrict_scope
        q = scope_filter(user, scope, action)
        if q is None:
            return self.none()
        return self.filter(q) if q else self.all()


def user_can(user: User | None, action: str, obj: models.Model) -> bool:
    """True when `user` may do `action` to `obj`; the same rule as `restrict`, for one object."""
    return type(obj)._default_manager.restrict(user, action).filter(pk=obj.pk).exists()


def user_can_in_domain(user: User | None, domain: str, action: str) -> bool:
    """True when `user` may do `action` to at least some records of `domain` (menus, commands)."""
    return reach(user, domain, action) is not None
