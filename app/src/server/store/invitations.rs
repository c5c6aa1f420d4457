//! Invitations to an organisation with a role, and the accounts they open: the link's token is
//! stored hashed and works once, in time.

use chrono::{DateTime, Utc};

use super::records::*;
use super::{StoreResult, Tx, on_tx, secs};
use crate::domain::authz::Role;
use crate::domain::ids::*;

type InvitationRow = (i64, OrgId, String, String, Role, i64);

fn invitation((id, org_id, org_name, email, role, expires_at): InvitationRow) -> Invitation {
    Invitation { id, org_id, org_name, email, role, expires_at }
}

impl Tx {
    /// Whether an invitation of `email` to the organisation is waiting (not accepted, in time).
    pub async fn invitation_pending(&mut self, org: OrgId, email: &str, now: DateTime<Utc>) -> StoreResult<bool> {
        let sql = "SELECT COUNT(*) FROM invitations WHERE org_id = $1 AND email = $2 AND accepted_at IS NULL \
                   AND expires_at > $3";
        let n = on_tx!(self, |c| sqlx::query_scalar::<_, i64>(sql)
            .bind(org)
            .bind(email)
            .bind(secs(now))
            .fetch_one(&mut *c)
            .await?);
        Ok(n > 0)
    }

    pub async fn insert_invitation(&mut self, i: &NewInvitation<'_>) -> StoreResult<()> {
        let sql = "INSERT INTO invitations (org_id, email, role, token_hash, invited_by, created_at, expires_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7)";
        on_tx!(self, |c| {
            sqlx::query(sql)
                .bind(i.org_id)
                .bind(i.email)
                .bind(i.role)
                .bind(i.token_hash)
                .bind(i.invited_by)
                .bind(secs(i.at))
                .bind(secs(i.expires_at))
                .execute(&mut *c)
                .await?;
        });
        Ok(())
    }

    /// The invitation a token opens, if it is unused and in time (nothing is changed).
    pub async fn invitation(&mut self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<Invitation>> {
        let sql = "SELECT i.id, i.org_id, o.name, i.email, i.role, i.expires_at FROM invitations i \
                   JOIN organisations o ON o.id = i.org_id \
                   WHERE i.token_hash = $1 AND i.accepted_at IS NULL AND i.expires_at > $2";
        let row = on_tx!(self, |c| sqlx::query_as::<_, InvitationRow>(sql)
            .bind(token_hash)
            .bind(secs(now))
            .fetch_optional(&mut *c)
            .await?);
        Ok(row.map(invitation))
    }

    /// Uses an invitation: the one the token opens, if unused and in time; it works once.
    pub async fn take_invitation(&mut self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<Invitation>> {
        let sql = "UPDATE invitations SET accepted_at = $1 WHERE token_hash = $2 AND accepted_at IS NULL \
                   AND expires_at > $1 RETURNING id, org_id, '' AS org_name, email, role, expires_at";
        let row = on_tx!(self, |c| sqlx::query_as::<_, InvitationRow>(sql)
            .bind(secs(now))
            .bind(token_hash)
            .fetch_optional(&mut *c)
            .await?);
        Ok(row.map(invitation))
    }

    /// Opens an account; the address is unique across the portal.
    pub async fn insert_user(
        &mut self,
        email: &str,
        display_name: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<UserId> {
        let sql = "INSERT INTO users (email, display_name, password_hash, created_at, password_changed_at) \
                   VALUES ($1, $2, $3, $4, $4) RETURNING id";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, UserId>(sql)
            .bind(email)
            .bind(display_name)
            .bind(password_hash)
            .bind(secs(now))
            .fetch_one(&mut *c)
            .await?))
    }

    pub async fn insert_membership(&mut self, user: UserId, org: OrgId, role: Role) -> StoreResult<()> {
        let sql = "INSERT INTO memberships (user_id, org_id, role) VALUES ($1, $2, $3)";
        on_tx!(self, |c| {
            sqlx::query(sql).bind(user).bind(org).bind(role).execute(&mut *c).await?;
        });
        Ok(())
    }
}
