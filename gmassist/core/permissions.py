"""Who sees what: the one permission rule of DESIGN.md, as `Model.objects.restrict(actor, action)`.

Every restricted model declares a `Scope`: which permission domain (a `Domain`) it belongs to and
the lookup paths from the model to a department, to an employee and to a user. The policy table
says, per domain, role and action, how far a user reaches: everything, their department subtree,
their own records, or nothing. Views, API endpoints, exports and jobs all go through `restrict`
(many records) or `may` (one department or person), so the rule is written once.

Who acts is an *actor*: a `User`, or `SYSTEM`, the application itself (a scheduled job, the demo
generator, the CLI run without --user by whoever has shell access), which reaches everything.
`None` is nobody: it reaches nothing, in `restrict`, `may` and every selector alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final, TypeAlias

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q

from gmassist.core.choices import Action, Role

if TYPE_CHECKING:
    from gmassist.core.models import User


class Domain(StrEnum):
    """The permission domains: each restricted model, proposal kind, page and import entity
    belongs to one, and `POLICY` has exactly one entry per domain (checked at start-up)."""

    PEOPLE = "people"
    CATALOGUE = "catalogue"
    CUSTOMER_CATALOGUE = "customer_catalogue"  # what drives customer tiers: the GM's office's
    CUSTOMERS = "customers"
    FEEDBACK = "feedback"
    # the feedback's topics: the triage list and topic corrections (the classifier learns them)
    FEEDBACK_TOPICS = "feedback_topics"
    SURVEYS = "surveys"
    RECRUITING = "recruiting"
    DECISIONS = "decisions"
    AUDIT = "audit"
    TOKENS = "tokens"
    JOBS = "jobs"
    SAVED_VIEWS = "saved_views"
    # deputies for approvals during an absence (core.ApprovalDeputy): who decides for whom
    DEPUTIES = "deputies"
    # the GM's office (app office): the triage of incoming matters, delegated tasks, documents
    # awaiting approval and the schedule
    OFFICE_TRIAGE = "office_triage"
    OFFICE_TASKS = "office_tasks"
    OFFICE_DOCUMENTS = "office_documents"
    OFFICE_SCHEDULE = "office_schedule"
    # the workforce plan (app workforce): plans, their lines, drivers, scenarios, backtests
    WORKFORCE = "workforce"


class Reach(StrEnum):
    """How far a role reaches in a domain for an action."""

    ALL = "all"  # every record of the domain
    SUBTREE = "subtree"  # records of the departments the user heads and all below them
    SELF = "self"  # the user's own records (as employee or as the user who made them)


ALL: Final = Reach.ALL
SUBTREE: Final = Reach.SUBTREE
SELF: Final = Reach.SELF

_EVERY_ACTION = {action: ALL for action in Action}

POLICY: dict[Domain, dict[str, dict[str, Reach]]] = {
    # employees, their pay, reviews, skills, separations, and proposals about them
    Domain.PEOPLE: {
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
    Domain.CATALOGUE: {
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
    Domain.CUSTOMER_CATALOGUE: {
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
    Domain.CUSTOMERS: {
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
    Domain.FEEDBACK: {
        Role.GM: {Action.VIEW: ALL, Action.CHANGE: ALL, Action.EXPORT: ALL},
        Role.ASSISTANT: {Action.VIEW: ALL, Action.CHANGE: ALL, Action.EXPORT: ALL},
        Role.HR: {Action.VIEW: ALL, Action.CHANGE: SELF, Action.EXPORT: ALL},
        Role.DEPT_HEAD: {Action.VIEW: SUBTREE, Action.CHANGE: SUBTREE, Action.EXPORT: SUBTREE},
        Role.ACCOUNT_MANAGER: {Action.VIEW: SELF, Action.CHANGE: SELF},
        Role.EMPLOYEE: {Action.VIEW: SELF, Action.CHANGE: SELF},
    },
    # the topic of feedback items: HR (and the GM's office) see the triage list of items whose
    # topic the classifier was unsure of, and set or correct any item's topic, which routes it
    # and teaches the classifier (voice.TopicCorrection); nobody else does
    Domain.FEEDBACK_TOPICS: {
        Role.GM: {Action.VIEW: ALL, Action.CHANGE: ALL},
        Role.ASSISTANT: {Action.VIEW: ALL, Action.CHANGE: ALL},
        Role.HR: {Action.VIEW: ALL, Action.CHANGE: ALL},
    },
    # pulse surveys (voice.Survey): the GM, the assistant and HR create and run surveys for the
    # company or any department and read every result; a head runs surveys for their own
    # subtree and reads the results of their subtree's groups (of company surveys too, see
    # voice.surveys.selectors.surveys_with_results). Everyone answers the surveys they are
    # asked, which is not a read of this domain. Results never show a group of fewer than 5
    # respondents, whoever reads them (voice/engine/survey_results.py).
    Domain.SURVEYS: {
        Role.GM: {Action.VIEW: ALL, Action.CHANGE: ALL, Action.EXPORT: ALL},
        Role.ASSISTANT: {Action.VIEW: ALL, Action.CHANGE: ALL, Action.EXPORT: ALL},
        Role.HR: {Action.VIEW: ALL, Action.CHANGE: ALL, Action.EXPORT: ALL},
        Role.DEPT_HEAD: {Action.VIEW: SUBTREE, Action.CHANGE: SUBTREE, Action.EXPORT: SUBTREE},
    },
    # recruiting contacts (voice: agencies, requisitions, their shares and candidates):
    # candidates' names and contacts are personal data, so only the GM, the assistant and HR
    # (everything, agencies included) and a department head (the requisitions of their subtree
    # and their candidates, not the agencies) see them; nobody else sees anything
    Domain.RECRUITING: {
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
    Domain.DECISIONS: {
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
    Domain.AUDIT: {Role.GM: {Action.VIEW: ALL, Action.EXPORT: ALL}},
    # personal API tokens: each user manages their own
    Domain.TOKENS: {role: {Action.VIEW: SELF, Action.CHANGE: SELF} for role in Role},
    # saved views of the list pages (core.SavedView: filters, sort, grouping, columns under a
    # name): each user uses and changes their own; a view shared with a role is used by that
    # role's users too (a query, not data: it shows each of them what they may list), and the
    # GM may also rename or delete a shared view (SavedViewQuerySet adds both to SELF)
    Domain.SAVED_VIEWS: {role: {Action.VIEW: SELF, Action.CHANGE: SELF} for role in Role},
    # deputies for approvals during an absence: everyone sees and names their own (as the
    # principal) and sees those where they are the deputy (SELF: either user of the row); the
    # GM's office sees all and may name one for anyone (core.services.deputy_name checks who
    # may name whom, since SELF here also lets the deputy reach the row)
    Domain.DEPUTIES: {
        Role.GM: {Action.VIEW: ALL, Action.CHANGE: ALL},
        Role.ASSISTANT: {Action.VIEW: ALL, Action.CHANGE: ALL},
        **{
            role: {Action.VIEW: SELF, Action.CHANGE: SELF}
            for role in (Role.HR, Role.DEPT_HEAD, Role.ACCOUNT_MANAGER, Role.EMPLOYEE)
        },
    },
    # the triage of incoming matters ("three manages, three don't"): the GM's office only; the
    # assistant proposes where a matter goes, the GM confirms or changes it
    Domain.OFFICE_TRIAGE: {
        Role.GM: {Action.VIEW: ALL, Action.CHANGE: ALL, Action.APPROVE: ALL, Action.EXPORT: ALL},
        Role.ASSISTANT: {Action.VIEW: ALL, Action.CHANGE: ALL, Action.EXPORT: ALL},
    },
    # delegated tasks: the GM's office sees and follows up every task; a head the tasks of their
    # subtree's people (an overdue task escalates to the owner's head); everyone the tasks they
    # own or delegated (SELF: either user path of the task's scope)
    Domain.OFFICE_TASKS: {
        Role.GM: _EVERY_ACTION,
        Role.ASSISTANT: {Action.VIEW: ALL, Action.CHANGE: ALL, Action.EXPORT: ALL},
        Role.HR: {Action.VIEW: SELF, Action.CHANGE: SELF},
        Role.DEPT_HEAD: {Action.VIEW: SUBTREE, Action.CHANGE: SUBTREE, Action.EXPORT: SUBTREE},
        Role.ACCOUNT_MANAGER: {Action.VIEW: SELF, Action.CHANGE: SELF},
        Role.EMPLOYEE: {Action.VIEW: SELF, Action.CHANGE: SELF},
    },
    # documents awaiting approval: only to their route (the author and the approvers on it,
    # SELF) and to the GM's office, which routes and archives them
    Domain.OFFICE_DOCUMENTS: {
        Role.GM: _EVERY_ACTION,
        Role.ASSISTANT: {Action.VIEW: ALL, Action.CHANGE: ALL, Action.EXPORT: ALL},
        Role.HR: {Action.VIEW: SELF, Action.CHANGE: SELF},
        Role.DEPT_HEAD: {Action.VIEW: SELF, Action.CHANGE: SELF},
        Role.ACCOUNT_MANAGER: {Action.VIEW: SELF, Action.CHANGE: SELF},
        Role.EMPLOYEE: {Action.VIEW: SELF, Action.CHANGE: SELF},
    },
    # the schedule: the GM's office arranges every meeting; everyone sees the meetings they
    # organise or attend, and their own imported calendars and feed
    Domain.OFFICE_SCHEDULE: {
        Role.GM: _EVERY_ACTION,
        Role.ASSISTANT: {Action.VIEW: ALL, Action.CHANGE: ALL, Action.EXPORT: ALL},
        Role.HR: {Action.VIEW: SELF, Action.CHANGE: SELF},
        Role.DEPT_HEAD: {Action.VIEW: SELF, Action.CHANGE: SELF},
        Role.ACCOUNT_MANAGER: {Action.VIEW: SELF, Action.CHANGE: SELF},
        Role.EMPLOYEE: {Action.VIEW: SELF, Action.CHANGE: SELF},
    },
    # the workforce plan: demand, supply and gaps per department and job family. HR plans for
    # the company and the GM approves; the assistant prepares; a head sees and proposes for the
    # lines of their subtree. A line's supply is a count of people, never a person's leaving
    # risk: a plan shows nobody's risk (the per-person risk stays behind talent's audited
    # selectors, which the planning service reads as the system).
    Domain.WORKFORCE: {
        Role.GM: _EVERY_ACTION,
        Role.ASSISTANT: {
            a: ALL
            for a in (Action.VIEW, Action.CHANGE, Action.PROPOSE, Action.IMPORT, Action.EXPORT)
        },
        Role.HR: {
            a: ALL
            for a in (
                Action.VIEW,
                Action.CHANGE,
                Action.PROPOSE,
                Action.APPROVE,
                Action.IMPORT,
                Action.EXPORT,
            )
        },
        Role.DEPT_HEAD: {Action.VIEW: SUBTREE, Action.PROPOSE: SUBTREE, Action.EXPORT: SUBTREE},
    },
    # jobs: everyone sees the jobs they started; the GM's office sees all
    Domain.JOBS: {
        Role.GM: {Action.VIEW: ALL, Action.CHANGE: ALL},
        Role.ASSISTANT: {Action.VIEW: ALL, Action.CHANGE: ALL},
        Role.HR: {Action.VIEW: SELF, Action.CHANGE: SELF},
        Role.DEPT_HEAD: {Action.VIEW: SELF, Action.CHANGE: SELF},
        Role.ACCOUNT_MANAGER: {Action.VIEW: SELF, Action.CHANGE: SELF},
        Role.EMPLOYEE: {Action.VIEW: SELF, Action.CHANGE: SELF},
    },
}


class SystemActor:
    """The application itself as the actor: a scheduled job, the demo generator, the CLI run
    without --user. It reaches everything, is no user and no employee, and is recorded as "the
    system" (no actor) in the audit log and in who-made-it columns."""

    pk = None
    id = None
    employee_id = None
    employee = None
    role = None
    username = "system"
    language = ""
    # not a logged-in user: code that records "who" (audit entries, created_by) stores no one
    is_authenticated = False
    is_active = True
    is_superuser = False
    is_system = True

    def __str__(self) -> str:
        return "system"

    def __repr__(self) -> str:
        return "SYSTEM"

    def __reduce__(self) -> str:
        return "SYSTEM"  # pickles (Celery, caches) as the one instance


SYSTEM: Final = SystemActor()

# Who acts: a user (anonymous or inactive ones reach nothing) or the system.
Actor: TypeAlias = "User | SystemActor"


def is_system(actor: Any) -> bool:
    """True for the system actor, `SYSTEM`."""
    return actor is SYSTEM


def acting_user(actor: Any) -> User | None:
    """The user to record as having acted (audit entries, created_by, proposed_by...): the
    user, or None for the system and for nobody."""
    if actor is None or actor is SYSTEM or not getattr(actor, "is_authenticated", False):
        return None
    return actor


@dataclass(frozen=True)
class Scope:
    """How a model reaches the things permissions are about (lookup paths, empty when none)."""

    domain: Domain
    department: str = ""  # path to an org.Department, e.g. "employee__department"
    employee: str = ""  # path to an org.Employee, e.g. "employee" or "pk" for Employee itself
    # path to the core.User who owns the record, e.g. "created_by"; several paths (a tuple)
    # when more than one user owns it (a task: its owner and who delegated it)
    user: str | tuple[str, ...] = ""

    def __post_init__(self) -> None:
        if not isinstance(self.domain, Domain):
            raise TypeError(f"Scope domain {self.domain!r} is not a Domain member")


def user_role(user: Actor | None) -> str | None:
    """The user's role, or None for the system, anonymous and inactive users; a superuser
    counts as the GM."""
    if user is None or user is SYSTEM or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.GM
    return user.role


def reach(actor: Actor | None, domain: Domain | str, action: str) -> Reach | None:
    """How far `actor` reaches in `domain` for `action`: ALL, SUBTREE, SELF or None (nothing).

    The system reaches everything; None, anonymous and inactive users nothing. An unknown
    domain is a programming error (ValueError), not "nothing".
    """
    policy = POLICY[Domain(domain)]
    if actor is SYSTEM:
        return ALL
    role = user_role(actor)
    if role is None:
        return None
    return policy.get(role, {}).get(action)


def headed_subtree_ids(user: Actor) -> set[int]:
    """Ids of the departments `user` heads and of every department below them.

    Kept on the user object, which lives for one request (or one command): a page that
    restricts several querysets reads the tree once.
    """
    if user is SYSTEM:
        return set()
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


def may(
    actor: Actor | None,
    domain: Domain | str,
    action: str,
    *,
    department_id: int | None = None,
    employee: Any = None,
) -> bool:
    """The permission rule for one subject: may `actor` do `action` in `domain` for `employee`
    (an org.Employee: its pk and department_id are used), else for the department
    `department_id`, else for the whole company?

    ALL reaches every subject; SUBTREE the departments the actor heads and everything below
    them, and the actor's own record; SELF the actor's own record only; the whole company (no
    subject) needs ALL. The same rule as `restrict`, for one subject that may not be stored yet.
    """
    how_far = reach(actor, domain, action)
    if how_far is None:
        return False
    if how_far == ALL:
        return True
    if employee is not None:
        if actor.employee_id is not None and employee.pk == actor.employee_id:
            return True
        department_id = employee.department_id
        if department_id is None:
            return False
    elif department_id is None:
        return False
    return how_far == SUBTREE and department_id in headed_subtree_ids(actor)


def _self_q(user: User, scope: Scope) -> Q | None:
    q = None
    if scope.employee and user.employee_id:
        q = Q(**{scope.employee: user.employee_id})
    for path in (scope.user,) if isinstance(scope.user, str) else scope.user:
        if path:
            user_q = Q(**{path: user.pk})
            q = user_q if q is None else q | user_q
    return q


def scope_filter(actor: Actor | None, scope: Scope, action: str) -> Q | None:
    """The filter that limits a queryset of `scope` to what `actor` may do with `action`.

    Returns an empty `Q()` for "everything" and None for "nothing".
    """
    how_far = reach(actor, scope.domain, action)
    if how_far is None:
        return None
    if how_far == ALL:
        return Q()
    own = _self_q(actor, scope)
    if how_far == SELF:
        return own
    # SUBTREE: the departments the user heads, and always their own records
    q = own
    if scope.department:
        subtree = headed_subtree_ids(actor)
        if subtree:
            dept_q = Q(**{f"{scope.department}__in": sorted(subtree)})
            q = dept_q if q is None else q | dept_q
    return q


def same_actor(a: Any, b: Any) -> bool:
    """True when `a` and `b` are the same actor: the same object, or the same stored user."""
    if a is b:
        return True
    if a is None or b is None or a is SYSTEM or b is SYSTEM:
        return False
    return type(a) is type(b) and a.pk is not None and a.pk == b.pk


class RestrictedQuerySet(models.QuerySet):
    """A queryset that can be narrowed to what an actor may do (NetBox's RestrictedQuerySet).

    A restricted queryset remembers for whom and for which actions it was restricted (through
    `filter`, `order_by`, `select_related`...), so that the list and detail pages and the API's
    list and detail helpers can apply the rule themselves when a queryset comes to them
    unrestricted (`ensure_restricted`), and never apply it twice.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._restricted_actor: Any = None
        self._restricted_actions: frozenset[str] = frozenset()

    def _clone(self) -> RestrictedQuerySet:
        clone = super()._clone()
        clone._restricted_actor = self._restricted_actor
        clone._restricted_actions = self._restricted_actions
        return clone

    def _mark(self, actor: Actor | None, action: str) -> RestrictedQuerySet:
        same = same_actor(self._restricted_actor, actor) and self._restricted_actor is not None
        self._restricted_actions = (self._restricted_actions if same else frozenset()) | {action}
        self._restricted_actor = actor
        return self

    def restrict_q(self, actor: Actor | None, action: str) -> Q | None:
        """The rule as a filter: `Q()` for everything, None for nothing. A model whose records
        belong to different domains (proposals: their kind's) overrides this, not `restrict`."""
        return scope_filter(actor, self.model.restrict_scope, action)

    def restrict(self, actor: Actor | None, action: str = Action.VIEW) -> RestrictedQuerySet:
        q = self.restrict_q(actor, action)
        if q is None:
            return self.none()._mark(actor, action)
        return (self.filter(q) if q else self.all())._mark(actor, action)

    def restricted_for(self, actor: Actor | None, action: str = Action.VIEW) -> bool:
        """True when this queryset went through the rule for `actor` and `action`. A queryset
        restricted for any action counts for VIEW: no action reaches wider than VIEW (the
        start-up check holds the policy to that)."""
        if self._restricted_actor is None or not same_actor(self._restricted_actor, actor):
            return False
        return action in self._restricted_actions or (
            action == Action.VIEW and bool(self._restricted_actions)
        )

    @property
    def is_restricted(self) -> bool:
        """True when this queryset went through the rule (or a selector's own scope) for
        someone."""
        return self._restricted_actor is not None

    def ensure_restricted(
        self, actor: Actor | None, action: str = Action.VIEW
    ) -> RestrictedQuerySet:
        """This queryset narrowed to what `actor` may do with `action`, unless it already is.

        Applied as `pk IN (the restricted queryset)` so that a selector's annotations and a
        scope path through a many-valued relation (one row per match) stay as they are.
        """
        if self.restricted_for(actor, action):
            return self
        q = self.restrict_q(actor, action)
        if q is None:
            return self.none()._mark(actor, action)
        if not q:
            return self._chain()._mark(actor, action)
        inner = self.model._default_manager.filter(q).values("pk")
        return self.filter(pk__in=inner)._mark(actor, action)

    def scoped_by_selector(
        self, actor: Actor | None, action: str = Action.VIEW
    ) -> RestrictedQuerySet:
        """Mark this queryset as scoped for `actor` by its selector's own rule, for the few
        reads whose rule is not the model's `restrict` (e.g. a head reads the results of
        company surveys, for the groups of their subtree only). Only selectors call this."""
        return self._chain()._mark(actor, action)


class ScopedRows(list):
    """Rows a selector built from reads it scoped to the user (restricted querysets, audited
    frames): what a list page or an API list may show besides a restricted queryset."""

    def iterator(self, chunk_size: int | None = None) -> Iterator[Any]:
        """Read like a queryset by the exports."""
        return iter(self)


def scoped_rows(rows: Any, actor: Actor | None, action: str = Action.VIEW) -> Any:
    """`rows` as `actor` may see them for `action`, for the list and detail machinery:
    a restricted queryset is narrowed here unless it already is; `ScopedRows` pass; anything
    else was not read through the rule and is refused (ImproperlyConfigured)."""
    if isinstance(rows, RestrictedQuerySet):
        return rows.ensure_restricted(actor, action)
    if isinstance(rows, ScopedRows):
        return rows
    raise ImproperlyConfigured(
        f"{type(rows).__name__} rows did not come through restrict or a scoped selector; "
        "read them with a selector (Model.objects.restrict(user, action) or ScopedRows)"
    )


def user_can(actor: Actor | None, action: str, obj: models.Model) -> bool:
    """True when `actor` may do `action` to `obj`; the same rule as `restrict`, for one object."""
    return type(obj)._default_manager.restrict(actor, action).filter(pk=obj.pk).exists()


def user_can_in_domain(actor: Actor | None, domain: Domain | str, action: str) -> bool:
    """True when `actor` may do `action` to at least some records of `domain` (menus, commands)."""
    return reach(actor, domain, action) is not None


# --- the start-up check ----------------------------------------------------------------------


class PolicyError(Exception):
    """The policy, the domains and what the apps declare do not agree (raised at start-up)."""


def policy_problems() -> list[str]:
    """What is wrong between `POLICY`, `Domain`, `Role`, `Action` and the domains the apps
    declare (models' scopes, proposal kinds, navigation, import entities); empty when they
    agree. A declared domain must be a `Domain` member, not a typed-in string."""
    problems: list[str] = []
    reaches = set(Reach)
    for domain in Domain:
        if domain not in POLICY:
            problems.append(f"POLICY has no entry for domain {domain.value!r}")
    for domain, roles in POLICY.items():
        if not isinstance(domain, Domain):
            problems.append(f"POLICY key {domain!r} is not a Domain member")
        where = f"POLICY[{str(domain)!r}]"
        for role, actions in roles.items():
            if role not in Role.values:
                problems.append(f"{where} names an unknown role {str(role)!r}")
            for action, how_far in actions.items():
                at = f"{where}[{str(role)!r}]"
                if action not in Action.values:
                    problems.append(f"{at} names unknown action {str(action)!r}")
                if how_far not in reaches:
                    problems.append(f"{at}[{str(action)!r}] is {how_far!r}, not a Reach")
    order = {SELF: 1, SUBTREE: 2, ALL: 3}
    for domain, roles in POLICY.items():
        for role, actions in roles.items():
            view = order.get(actions.get(Action.VIEW), 0)
            for action, how_far in actions.items():
                if order.get(how_far, 0) > view:
                    problems.append(
                        f"POLICY[{str(domain)!r}][{str(role)!r}]: {str(action)!r} reaches "
                        f"{str(how_far)!r}, wider than 'view' ({actions.get(Action.VIEW)!r})"
                    )
    for what, domain in declared_domains():
        if not isinstance(domain, Domain):
            problems.append(f"{what} declares domain {domain!r}, not a Domain member")
    return problems


def declared_domains() -> list[tuple[str, Any]]:
    """(who, domain) for every domain the apps declare: restricted models, proposal kinds,
    navigation items and import entities."""
    from gmassist.core.imports import entity_spec, registered_entities
    from gmassist.core.proposals import proposal_kind, registered_proposal_kinds
    from gmassist.core.views_lib import registered_navigation

    out: list[tuple[str, Any]] = []
    for model in apps.get_models():
        scope = getattr(model, "restrict_scope", None)
        if scope is not None:
            out.append((f"model {model._meta.label}", scope.domain))
    for kind in registered_proposal_kinds():
        out.append((f"proposal kind {kind}", proposal_kind(kind).domain))
    for item in registered_navigation():
        if item.domain:
            out.append((f"navigation item {item.key}", item.domain))
    for entity in registered_entities():
        out.append((f"import entity {entity}", entity_spec(entity).domain))
    return out


def check_policy() -> None:
    """Raise PolicyError unless the policy and the declared domains agree (CoreConfig.ready)."""
    problems = policy_problems()
    if problems:
        raise PolicyError("the permission policy does not agree:\n" + "\n".join(problems))
