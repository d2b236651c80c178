"""Access to the services create_app built for this app."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import Engine

from .services.audit import AuditLog
from .services.blocks import Batches, Blocks
from .services.customers import CustomerService
from .services.privacy import PrivacyLog
from .services.proposals import ForgetProposals
from .services.reads import ReadAccessLog
from .services.recent import RecentViews
from .services.sessions import SessionStore
from .services.staff import StaffService
from .services.throttle import SignInThrottle
from .services.unblocks import UnblockProposals


@dataclass
class Services:
    engine: Engine
    customers: CustomerService
    staff: StaffService
    audit: AuditLog
    privacy: PrivacyLog
    sessions: SessionStore
    throttle: SignInThrottle
    recent: RecentViews
    proposals: ForgetProposals
    reads: ReadAccessLog
    blocks: Blocks
    batches: Batches
    unblocks: UnblockProposals


def services() -> Services:
    return current_app.extensions["customer_desk"]


def customer_service() -> CustomerService:
    return services().customers


def staff_service() -> StaffService:
    return services().staff


def audit_log() -> AuditLog:
    return services().audit


def privacy_log() -> PrivacyLog:
    return services().privacy


def forget_proposals() -> ForgetProposals:
    return services().proposals


def read_access_log() -> ReadAccessLog:
    return services().reads


def recent_views() -> RecentViews:
    return services().recent


def blocks() -> Blocks:
    return services().blocks


def batches() -> Batches:
    return services().batches


def unblock_proposals() -> UnblockProposals:
    return services().unblocks
