//! User management (R-ROLE-3, R-ROLE-4, R-ROLE-5, R-ROLE-7, R-MAIL-3, R-LIFE-6): admins list the
//! organisation's users, invite and remove them, and assign seats of subscriptions; the primary
//! admin makes secondary admins; the primary admin or a buyer hands the primary admin role on.
//! Who is the buyer is not changed here (R-ROLE-7), nor who pays invoices (R-INV-4). Every change
//! is audited and mailed to the admins. Authorization is the matrix of `domain::authz`; an id of
//! another organisation is not found.

use chrono::{DateTime, Utc};

use crate::contract::dto::{InvitationLine, MemberView, ProductSeatsPage, ProductSeatsView, SeatHolderView, UsersPage};
use crate::contract::error::AppError;
use crate::contract::problem::Problem;
use crate::domain::authz::{Action, Actor, Role, allowed, authorize, sees_billing_audit};
use crate::domain::email::EmailAddress;
use crate::domain::ids::{OrgId, SubscriptionId, UserId};
use crate::domain::mail_routing::{Contacts, MailKind, recipients};
use crate::domain::status::Status;
use crate::domain::time::local_date;
use crate::server::mail::{self, UserChange};
use crate::server::store::records::{AuditAction, AuditEntry, AuditObject, MemberRecord, Subscription};
use crate::server::store::{Store, StoreResult, Tx};

/// At most this many invitations of one organisation wait at once.
pub const MAX_PENDING_INVITATIONS: usize = 200;

/// The roles an invitation from User management gives: a user, or (by the primary admin) a
/// secondary admin. Buyers are not made here (R-ROLE-7), payers are added on invoices (R-INV-4).
pub const INVITABLE: [Role; 2] = [Role::User, Role::SecondaryAdmin];

/// Queues the user-management notice to every admin of the organisation (R-MAIL-3).
pub(crate) async fn notify_admins(
    tx: &mut Tx,
    org: OrgId,
    change: &UserChange,
    by: UserId,
    base_url: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let mut admins = tx.recipients_with_role(org, Role::PrimaryAdmin).await?;
    admins.extend(tx.recipients_with_role(org, Role::SecondaryAdmin).await?);
    let by = tx.user(by).await?.map(|u| u.display_name).unwrap_or_default();
    let contacts = Contacts { admins, ..Contacts::default() };
    for to in recipients(MailKind::UserManagementNotice, &contacts) {
        tx.queue_mail(&mail::user_management(org, &to.address, to.lang, change, &by, base_url), now).await?;
    }
    Ok(())
}

/// An entry of a change the actor made, about `object`.
fn audit(actor: &Actor, action: AuditAction, object: AuditObject, detail: String, now: DateTime<Utc>) -> AuditEntry {
    AuditEntry { org_id: actor.org_id, actor: Some(actor.user_id), action, object, detail, at: now }
}

/// A user of the actor's organisation, or not found (another organisation's user included).
async fn member(tx: &mut Tx, actor: &Actor, user: UserId) -> Result<MemberRecord, AppError> {
    tx.members(actor.org_id).await?.into_iter().find(|m| m.id == user).ok_or(AppError::NotFound)
}

/// The organisation's users with their roles and seats, the invitations waiting, and what the
/// actor may change.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn page(store: &Store, actor: &Actor, now: DateTime<Utc>) -> Result<UsersPage, AppError> {
    authorize(actor, Action::ViewUsers, actor.org_id)?;
    // Who pays which invoices is billing: admins who are not buyers do not see payers (R-ROLE-5).
    let billing = sees_billing_audit(&actor.roles);
    let mut tx = store.begin_read().await?;
    let holders = tx.seat_holders(actor.org_id).await?;
    let members = tx
        .members(actor.org_id)
        .await?
        .into_iter()
        .filter(|m| billing || m.roles != [Role::Payer])
        .map(|m| MemberView {
            seats: holders.iter().filter(|h| h.user_id == m.id).count(),
            is_you: m.id == actor.user_id,
            id: m.id,
            name: m.name,
            email: m.email,
            roles: m.roles,
        })
        .collect();
    let invitations = tx
        .pending_invitations(actor.org_id, now)
        .await?
        .into_iter()
        .filter(|i| billing || i.role != Role::Payer)
        .map(|i| InvitationLine {
            email: i.email,
            role: i.role,
            expires_on: local_date(DateTime::from_timestamp(i.expires_at, 0).unwrap_or(now), chrono_tz::UTC),
        })
        .collect();
    Ok(UsersPage {
        members,
        invitations,
        max_pending: MAX_PENDING_INVITATIONS,
        can_manage: allowed(&actor.roles, Action::ManageUsers),
        can_manage_admins: allowed(&actor.roles, Action::ManageAdmins),
        can_reassign_primary_admin: allowed(&actor.roles, Action::ReassignPrimaryAdmin),
    })
}

/// Invites an address to the organisation as a user or (by the primary admin) a secondary
/// admin: a mail with a link that works once, for 7 days (R-MAIL-3). Refused, changing nothing:
/// a member's address, an address with an account in another organisation, a role not offered
/// here, and a [`MAX_PENDING_INVITATIONS`]+1st waiting invitation.
/// Answers whether an invitation or role was given (false: one is waiting already).
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn invite(
    store: &Store,
    actor: &Actor,
    email: &EmailAddress,
    role: Role,
    base_url: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    authorize(actor, Action::ManageUsers, actor.org_id)?;
    if !INVITABLE.contains(&role) {
        return Err(AppError::validation("role", Problem::NotListed));
    }
    if role == Role::SecondaryAdmin {
        authorize(actor, Action::ManageAdmins, actor.org_id)?;
    }
    let address = email.as_str();
    let mut tx = store.begin_write().await?;
    // One lock for the organisation: the limit of waiting invitations holds under parallel invites.
    tx.serialize_on(&format!("invitations:{}", actor.org_id.get())).await?;
    if tx.member_by_email(actor.org_id, address).await?.is_some() {
        return Err(AppError::validation("email", Problem::AlreadyMember));
    }
    if tx.invitation_pending(actor.org_id, address, now).await? {
        return Ok(false);
    }
    if tx.pending_invitations(actor.org_id, now).await?.len() >= MAX_PENDING_INVITATIONS {
        return Err(AppError::form(Problem::TooManyInvitations { max: MAX_PENDING_INVITATIONS }));
    }
    // An account of another organisation is never moved into this one (it would open here at its
    // next sign-in, and its owner never agreed): refused, saying only that support can help.
    if tx.user_credentials(address).await?.is_some() {
        return Err(AppError::validation("email", Problem::AccountElsewhere));
    }
    super::invitations::invite(&mut tx, actor.org_id, actor.user_id, address, role, now, base_url).await?;
    let change = UserChange::Invited { email: address.to_string(), role };
    notify_admins(&mut tx, actor.org_id, &change, actor.user_id, base_url, now).await?;
    tx.commit().await?;
    Ok(true)
}

/// Removes a user from the organisation: their roles, their seats and their sessions there end.
/// Not oneself, not the primary admin (hand the role on first), not a buyer (R-ROLE-7), not a
/// payer only (payers are taken off invoices, R-INV-4).
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn remove(
    store: &Store,
    actor: &Actor,
    user: UserId,
    base_url: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    authorize(actor, Action::ManageUsers, actor.org_id)?;
    let mut tx = store.begin_write().await?;
    tx.serialize_on(&format!("roles:{}", actor.org_id.get())).await?;
    let m = member(&mut tx, actor, user).await?;
    if m.id == actor.user_id {
        return Err(AppError::form(Problem::CannotRemoveYourself));
    }
    if m.roles.contains(&Role::PrimaryAdmin) {
        return Err(AppError::form(Problem::PrimaryAdminNeeded));
    }
    if m.roles.contains(&Role::Buyer) {
        return Err(AppError::form(Problem::BuyerChangeContactSupport));
    }
    if m.roles == [Role::Payer] {
        return Err(AppError::form(Problem::PayersOnInvoices));
    }
    // Removing an admin takes the admin role too: only the primary admin does that (R-ROLE-4).
    if m.roles.contains(&Role::SecondaryAdmin) {
        authorize(actor, Action::ManageAdmins, actor.org_id)?;
    }
    tx.remove_member(actor.org_id, user).await?;
    let roles: Vec<&str> = m.roles.iter().map(|r| r.code()).collect();
    tx.insert_audit(&[audit(
        actor,
        AuditAction::UserRemoved,
        AuditObject::User(user),
        format!("{} ({})", m.email, roles.join(", ")),
        now,
    )])
    .await?;
    let change = UserChange::Removed { name: m.name, email: m.email };
    notify_admins(&mut tx, actor.org_id, &change, actor.user_id, base_url, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Makes a user a secondary admin, or takes the role back (R-ROLE-4): the primary admin only.
/// The primary admin's own role is handed on, not taken. Answers whether anything changed.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn set_secondary_admin(
    store: &Store,
    actor: &Actor,
    user: UserId,
    admin: bool,
    base_url: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    authorize(actor, Action::ManageAdmins, actor.org_id)?;
    let mut tx = store.begin_write().await?;
    tx.serialize_on(&format!("roles:{}", actor.org_id.get())).await?;
    let m = member(&mut tx, actor, user).await?;
    if m.roles.contains(&Role::PrimaryAdmin) {
        return Err(AppError::form(Problem::PrimaryAdminNeeded));
    }
    let changed = if admin {
        tx.add_role(user, actor.org_id, Role::SecondaryAdmin).await?
    } else {
        // A user keeps being a member: without another role, they stay a user.
        let removed = tx.remove_role(user, actor.org_id, Role::SecondaryAdmin).await?;
        let left: Vec<Role> = m.roles.iter().copied().filter(|r| *r != Role::SecondaryAdmin).collect();
        if removed && (left.is_empty() || left == [Role::Payer]) {
            tx.add_role(user, actor.org_id, Role::User).await?;
        }
        removed
    };
    if !changed {
        return Ok(false);
    }
    let (action, change) = if admin {
        (AuditAction::AdminGranted, UserChange::AdminGranted { name: m.name.clone() })
    } else {
        (AuditAction::AdminRevoked, UserChange::AdminRevoked { name: m.name.clone() })
    };
    tx.insert_audit(&[audit(actor, action, AuditObject::User(user), m.email.clone(), now)]).await?;
    notify_admins(&mut tx, actor.org_id, &change, actor.user_id, base_url, now).await?;
    tx.commit().await?;
    Ok(true)
}

/// Hands the primary admin role to another user (R-ROLE-3, R-ROLE-4): the primary admin, or a
/// buyer, does it; the one who held it becomes a secondary admin (a buyer keeps every buyer
/// right). There is always exactly one primary admin. Payers who are nothing else are not
/// eligible: they are people invoices are sent to.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn reassign_primary_admin(
    store: &Store,
    actor: &Actor,
    user: UserId,
    base_url: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    authorize(actor, Action::ReassignPrimaryAdmin, actor.org_id)?;
    let mut tx = store.begin_write().await?;
    tx.serialize_on(&format!("roles:{}", actor.org_id.get())).await?;
    let members = tx.members(actor.org_id).await?;
    let target = members.iter().find(|m| m.id == user).cloned().ok_or(AppError::NotFound)?;
    if target.roles.contains(&Role::PrimaryAdmin) {
        return Ok(false);
    }
    if target.roles == [Role::Payer] {
        return Err(AppError::form(Problem::PayersOnInvoices));
    }
    for previous in members.iter().filter(|m| m.roles.contains(&Role::PrimaryAdmin)) {
        tx.remove_role(previous.id, actor.org_id, Role::PrimaryAdmin).await?;
        tx.add_role(previous.id, actor.org_id, Role::SecondaryAdmin).await?;
    }
    tx.remove_role(user, actor.org_id, Role::SecondaryAdmin).await?;
    tx.remove_role(user, actor.org_id, Role::User).await?;
    tx.add_role(user, actor.org_id, Role::PrimaryAdmin).await?;
    let entry = audit(actor, AuditAction::PrimaryAdminReassigned, AuditObject::User(user), target.email.clone(), now);
    tx.insert_audit(&[entry]).await?;
    notify_admins(&mut tx, actor.org_id, &UserChange::PrimaryAdmin { name: target.name }, actor.user_id, base_url, now)
        .await?;
    tx.commit().await?;
    Ok(true)
}

fn seats_view(s: &Subscription, holders: Vec<SeatHolderView>) -> ProductSeatsView {
    ProductSeatsView {
        id: s.id,
        product_name: s.product_name.clone(),
        status: s.status,
        seats: s.seats,
        access: s.status.product_access(),
        holders,
    }
}

/// Every subscription of the organisation that gives seats (not canceled, R-LIFE-6) with who
/// holds them: admins and buyers see it.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn products(store: &Store, actor: &Actor) -> Result<Vec<ProductSeatsView>, AppError> {
    authorize(actor, Action::ViewUsers, actor.org_id)?;
    let mut tx = store.begin_read().await?;
    let holders = tx.seat_holders(actor.org_id).await?;
    let subs = tx.assignable_subscriptions(actor.org_id).await?;
    Ok(subs
        .iter()
        .map(|s| {
            let mine = holders
                .iter()
                .filter(|h| h.subscription_id == s.id)
                .map(|h| SeatHolderView { user_id: h.user_id, name: h.name.clone(), email: h.email.clone() })
                .collect();
            seats_view(s, mine)
        })
        .collect())
}

/// One subscription's seats, who holds them, and who could be given one.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn product(store: &Store, actor: &Actor, id: SubscriptionId) -> Result<ProductSeatsPage, AppError> {
    authorize(actor, Action::ViewUsers, actor.org_id)?;
    let mut tx = store.begin_read().await?;
    let sub =
        tx.subscriptions_in_org(actor.org_id, &[id], false).await?.into_iter().next().ok_or(AppError::NotFound)?;
    let holders: Vec<SeatHolderView> = tx
        .seat_holders(actor.org_id)
        .await?
        .into_iter()
        .filter(|h| h.subscription_id == id)
        .map(|h| SeatHolderView { user_id: h.user_id, name: h.name, email: h.email })
        .collect();
    let candidates = tx
        .members(actor.org_id)
        .await?
        .into_iter()
        .filter(|m| m.roles != [Role::Payer] && !holders.iter().any(|h| h.user_id == m.id))
        .map(|m| SeatHolderView { user_id: m.id, name: m.name, email: m.email })
        .collect();
    Ok(ProductSeatsPage {
        product: seats_view(&sub, holders),
        candidates,
        can_manage: allowed(&actor.roles, Action::ManageUsers),
    })
}

/// Assigns a seat of a subscription to a user of the organisation (R-ROLE-4): never more than
/// its seats, and not while it gives no product access (suspended or canceled, R-LIFE-6). The
/// subscription is locked, so two admins assigning the last seat at once give it once.
/// Answers whether a seat was assigned (false: the user has one already).
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn assign_seat(
    store: &Store,
    actor: &Actor,
    id: SubscriptionId,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    authorize(actor, Action::ManageUsers, actor.org_id)?;
    let mut tx = store.begin_write().await?;
    // Membership first (a removal waits, or is waited for), then the subscription's row.
    tx.serialize_on(&format!("roles:{}", actor.org_id.get())).await?;
    let sub = tx.subscriptions_in_org(actor.org_id, &[id], true).await?.into_iter().next().ok_or(AppError::NotFound)?;
    let m = member(&mut tx, actor, user).await?;
    if m.roles == [Role::Payer] {
        return Err(AppError::form(Problem::PayersOnInvoices));
    }
    if !sub.status.product_access() {
        return Err(AppError::form(Problem::NoProductAccess { status: sub.status }));
    }
    if tx.seat_holders(actor.org_id).await?.iter().any(|h| h.subscription_id == id && h.user_id == user) {
        return Ok(false);
    }
    if tx.assigned_seats(id).await? >= sub.seats {
        return Err(AppError::form(Problem::SeatsFull { seats: sub.seats }));
    }
    tx.assign_seat(id, user, actor.user_id, now).await?;
    tx.insert_audit(&[audit(actor, AuditAction::SeatAssigned, AuditObject::Subscription(id), m.email, now)]).await?;
    tx.commit().await?;
    Ok(true)
}

/// Frees a user's seat of a subscription. Answers whether there was one.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn free_seat(
    store: &Store,
    actor: &Actor,
    id: SubscriptionId,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    authorize(actor, Action::ManageUsers, actor.org_id)?;
    let mut tx = store.begin_write().await?;
    tx.serialize_on(&format!("roles:{}", actor.org_id.get())).await?;
    let sub = tx.subscriptions_in_org(actor.org_id, &[id], true).await?.into_iter().next().ok_or(AppError::NotFound)?;
    // Suspended: the assignments are kept as they are until it is paid or renewed (R-LIFE-6).
    if sub.status == Status::Suspended {
        return Err(AppError::form(Problem::NoProductAccess { status: sub.status }));
    }
    // The holder, whoever they are now (a seat never outlives a membership, but if one did, it
    // can still be freed); not a holder of this subscription: not found.
    let holder =
        tx.seat_holders(actor.org_id).await?.into_iter().find(|h| h.subscription_id == id && h.user_id == user);
    let Some(holder) = holder else {
        return Err(AppError::NotFound);
    };
    if !tx.free_seat(id, user).await? {
        return Ok(false);
    }
    tx.insert_audit(&[audit(actor, AuditAction::SeatFreed, AuditObject::Subscription(id), holder.email, now)]).await?;
    tx.commit().await?;
    Ok(true)
}
