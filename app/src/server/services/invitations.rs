//! Invitations: an address without an account, given a role in an organisation (a payer added
//! to an invoice, R-ROLE-6, R-INV-4), gets a mail with a link that works once, for 7 days; there
//! the person gives their name and a password (R-AUTH-1) and the account opens with that role.
//! The token is stored hashed, as reset links are.

use chrono::{DateTime, Duration, Utc};

use crate::contract::dto::InvitationView;
use crate::contract::error::AppError;
use crate::contract::links;
use crate::contract::problem::Problem;
use crate::domain::authz::Role;
use crate::domain::email::EmailAddress;
use crate::domain::ids::{OrgId, UserId};
use crate::domain::mail_routing::{Contacts, MailKind, Recipient, recipients};
use crate::domain::password::NewPassword;
use crate::domain::person::parse_name;
use crate::domain::time::local_date;
use crate::server::auth::{hash_password, hash_token, new_token};
use crate::server::mail;
use crate::server::store::records::{AuditAction, AuditEntry, AuditObject, NewInvitation};
use crate::server::store::{Store, StoreResult, Tx};

/// An invitation's link works for this long (R-MAIL-3, issue 14: 7 days).
pub const INVITATION_DAYS: i64 = 7;

/// Invites `email` to the organisation with `role`, in the transaction of the change that
/// names them: nothing when the address already has an account (it gets the change's own mail)
/// or an invitation of the organisation is still waiting (no second mail). The mail goes out in
/// the organisation's language, with the inviter's name. Answers whether it invited.
pub(crate) async fn invite(
    tx: &mut Tx,
    org: OrgId,
    invited_by: UserId,
    email: &str,
    role: Role,
    now: DateTime<Utc>,
    base_url: &str,
) -> StoreResult<bool> {
    // The same address added to two invoices at once on PostgreSQL: one invitation.
    tx.serialize_on(&format!("invite:{}:{email}", org.get())).await?;
    if tx.user_credentials(email).await?.is_some() || tx.invitation_pending(org, email, now).await? {
        return Ok(false);
    }
    let (token, token_hash) = new_token();
    let invitation = NewInvitation {
        org_id: org,
        email,
        role,
        token_hash: &token_hash,
        invited_by: Some(invited_by),
        at: now,
        expires_at: now + Duration::days(INVITATION_DAYS),
    };
    tx.insert_invitation(&invitation).await?;
    let lang = tx.org_language(org).await?;
    let org_name = tx.org_name(org).await?.unwrap_or_default();
    let inviter = tx.user(invited_by).await?.map(|u| u.display_name).unwrap_or_default();
    let link = links::accept_invitation(base_url, &token);
    let contacts = Contacts { person: Some(Recipient { address: email.to_string(), lang }), ..Contacts::default() };
    for to in recipients(MailKind::Invitation, &contacts) {
        tx.queue_mail(&mail::invitation(org, &to.address, to.lang, role, &org_name, &inviter, &link), now).await?;
    }
    let entry = AuditEntry {
        org_id: org,
        actor: Some(invited_by),
        // A payer's invitation is billing (who pays which invoices): buyers see it, not admins.
        action: if role == Role::Payer { AuditAction::PayerInvited } else { AuditAction::InvitationSent },
        object: AuditObject::Organisation(org),
        detail: format!("{email} as {}", role.code()),
        at: now,
    };
    tx.insert_audit(&[entry]).await?;
    Ok(true)
}

fn invalid() -> AppError {
    AppError::validation("token", Problem::InvitationInvalid)
}

/// What an invitation link opens, before the person accepts: the organisation, the address and
/// the role. A used, expired or made-up token is refused the same way.
#[tracing::instrument(skip_all)]
pub async fn invitation(store: &Store, token: &str, now: DateTime<Utc>) -> Result<InvitationView, AppError> {
    let mut tx = store.begin_read().await?;
    let i = tx.invitation(&hash_token(token.trim()), now).await?.ok_or_else(invalid)?;
    let expires = DateTime::from_timestamp(i.expires_at, 0).unwrap_or(now);
    Ok(InvitationView {
        org_name: i.org_name,
        email: i.email,
        role: i.role,
        expires_on: local_date(expires, chrono_tz::UTC),
    })
}

/// Accepts an invitation: opens the account with the name and password given (R-AUTH-1) and
/// the invitation's role. The token is checked before the (expensive) hash and taken for good in
/// the transaction that opens the account, so it works once, also under a double click. Answers
/// the account's address, for signing in.
#[tracing::instrument(skip_all)]
pub async fn accept(
    store: &Store,
    token: &str,
    name: &str,
    password: NewPassword,
    base_url: &str,
    now: DateTime<Utc>,
) -> Result<EmailAddress, AppError> {
    let name = parse_name(name).map_err(|p| AppError::validation("name", Problem::Name(p)))?;
    let token_hash = hash_token(token.trim());
    let mut tx = store.begin_read().await?;
    let valid = tx.invitation(&token_hash, now).await?.is_some();
    drop(tx);
    if !valid {
        return Err(invalid());
    }
    let hash = hash_password(password.into_inner()).await?;
    let mut tx = store.begin_write().await?;
    let Some(i) = tx.take_invitation(&token_hash, now).await? else {
        return Err(invalid());
    };
    let email = EmailAddress::parse(&i.email).map_err(|_| invalid())?;
    // An account opened for the address since (another invitation, maybe this very moment on
    // another server) keeps its password: the second waits here and is told the link is void.
    tx.serialize_on(&format!("account:{}", email.as_str())).await?;
    if tx.user_credentials(email.as_str()).await?.is_some() {
        return Err(invalid());
    }
    let user = tx.insert_user(email.as_str(), &name, &hash, now).await?;
    tx.insert_membership(user, i.org_id, i.role).await?;
    let entry = AuditEntry {
        org_id: i.org_id,
        actor: Some(user),
        action: if i.role == Role::Payer { AuditAction::PayerJoined } else { AuditAction::InvitationAccepted },
        object: AuditObject::Organisation(i.org_id),
        detail: format!("{} as {}", email.as_str(), i.role.code()),
        at: now,
    };
    tx.insert_audit(&[entry]).await?;
    if i.role != Role::Payer {
        // Users and admins joining are user management: the admins are told (R-MAIL-3).
        let change = mail::UserChange::Joined { name: name.clone(), email: email.as_str().to_string(), role: i.role };
        super::users::notify_admins(&mut tx, i.org_id, &change, user, base_url, now).await?;
    }
    tx.commit().await?;
    Ok(email)
}
