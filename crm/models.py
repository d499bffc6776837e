"""Imports every model and its access rules, so metadata and scoping are complete wherever used."""
from crm.auth.models import LoginThrottle, PlatformMembership, Role, User, UserSession  # noqa: F401
from crm.auth.tokens import ApiToken  # noqa: F401
from crm.auth.totp import RecoveryCode, TotpFactor  # noqa: F401
from crm.core.audit import AuditEvent  # noqa: F401
from crm.core.denials import AccessDenial  # noqa: F401
from crm.core.export_jobs import ExportJob  # noqa: F401
from crm.core.import_batches import ImportBatch, ImportChange  # noqa: F401
from crm.core.settings import AppSetting  # noqa: F401
from crm.firms import access as _firm_access  # noqa: F401
from crm.firms.models import Contact, Firm, Industry, Tenancy  # noqa: F401
from crm.leads import access as _lead_access  # noqa: F401
from crm.leads.aftercare import ProjectActual, SupervisionTask  # noqa: F401
from crm.leads.digest import Digest  # noqa: F401
from crm.leads.models import Activity, Increment, Lead, LostReason, SavedFilter, StageChange  # noqa: F401
from crm.leads.pool import AssignmentRule  # noqa: F401
from crm.matching.models import MatchChoice  # noqa: F401
from crm.notifications.models import Notification, NotificationDelivery, NotificationPreference  # noqa: F401
from crm.packs import access as _pack_access  # noqa: F401
from crm.packs.models import Pack, PackBuild  # noqa: F401
from crm.plans.models import Commitment, CommitmentCuration, PlanDocument, PlanHeading, PlanParagraph, PlanTable, Target  # noqa: F401
from crm.platforms import access as _platform_access  # noqa: F401
from crm.platforms.models import Building, MediaFile, Platform, PlatformFact, Unit, UnitReservation, UnitStatusChange  # noqa: F401
from crm.policies import access as _policy_access  # noqa: F401
from crm.policies.models import Policy, PolicyClause  # noqa: F401
from crm.targets.models import TrackedTarget  # noqa: F401
