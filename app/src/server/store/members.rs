//! The organisation's users, their roles and their seats of subscriptions (R-ROLE-3, R-ROLE-4,
//! R-LIFE-6).

use chrono::{DateTime, Utc};

use super::records::{MemberRecord, PendingInvitation, SeatHolder};
use super::{StoreResult, Tx, on_tx, secs};
use crate::domain::authz::Role;
use crate::domain::ids::{OrgId, SubscriptionId, UserId};
use crate::domain::status::Status;

impl Tx {
    /// Every user of the organisation with their roles there, by name.
    pub async fn members(&mut self, org: OrgId) -> StoreResult<Vec<MemberRecord>> {
        let sql = "SELECT u.id, u.display_name, u.email, m.role FROM memberships m JOIN users u ON u.id = m.user_id \
                   WHERE m.org_id = $1 ORDER BY u.display_name, u.email, m.role";
        let rows = on_tx!(self, |c| sqlx::query_as::<_, (UserId, String, String, Role)>(sql)
            .bind(org)
            .fetch_all(&mut *c)
            .await?);
        let mut out: Vec<MemberRecord> = Vec::new();
        for (id, name, email, role) in rows {
            match out.last_mut() {
                Some(m) if m.id == id => m.roles.push(role),
                _ => out.push(MemberRecord { id, name, email, roles: vec![role] }),
            }
        }
        for m in &mut out {
            m.roles.sort();
        }
        Ok(out)
    }

    /// The user of the organisation with this address, if any.
    pub async fn member_by_email(&mut self, org: OrgId, email: &str) -> StoreResult<Option<UserId>> {
        let sql = "SELECT DISTINCT u.id FROM users u JOIN memberships m ON m.user_id = u.id \
                   WHERE m.org_id = $1 AND u.email = $2";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, UserId>(sql).bind(org).bind(email).fetch_optional(&mut *c).await?))
    }

    pub async fn remove_role(&mut self, user: UserId, org: OrgId, role: Role) -> StoreResult<bool> {
        let sql = "DELETE FROM memberships WHERE user_id = $1 AND org_id = $2 AND role = $3";
        let n =
            on_tx!(self, |c| sqlx::query(sql).bind(user).bind(org).bind(role).execute(&mut *c).await?.rows_affected());
        Ok(n > 0)
    }

    /// Gives a role; nothing when the user has it already. Answers whether it was given.
    pub async fn add_role(&mut self, user: UserId, org: OrgId, role: Role) -> StoreResult<bool> {
        let sql = "INSERT INTO memberships (user_id, org_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
        let n =
            on_tx!(self, |c| sqlx::query(sql).bind(user).bind(org).bind(role).execute(&mut *c).await?.rows_affected());
        Ok(n > 0)
    }

    /// Takes a user out of the organisation: every role, every seat of its subscriptions, and
    /// every session opened in it.
    pub async fn remove_member(&mut self, org: OrgId, user: UserId) -> StoreResult<()> {
        let seats = "DELETE FROM seat_assignments WHERE user_id = $1 \
                     AND subscription_id IN (SELECT id FROM subscriptions WHERE org_id = $2)";
        let roles = "DELETE FROM memberships WHERE user_id = $1 AND org_id = $2";
        let sessions = "DELETE FROM sessions WHERE user_id = $1 AND org_id = $2";
        on_tx!(self, |c| {
            for sql in [seats, roles, sessions] {
                sqlx::query(sql).bind(user).bind(org).execute(&mut *c).await?;
            }
        });
        Ok(())
    }

    /// Invitations of the organisation still waiting (not accepted, in time), newest first.
    pub async fn pending_invitations(&mut self, org: OrgId, now: DateTime<Utc>) -> StoreResult<Vec<PendingInvitation>> {
        let sql = "SELECT email, role, created_at, expires_at FROM invitations \
                   WHERE org_id = $1 AND accepted_at IS NULL AND expires_at > $2 ORDER BY created_at DESC, id DESC";
        let rows = on_tx!(self, |c| sqlx::query_as::<_, (String, Role, i64, i64)>(sql)
            .bind(org)
            .bind(secs(now))
            .fetch_all(&mut *c)
            .await?);
        Ok(rows
            .into_iter()
            .map(|(email, role, created_at, expires_at)| PendingInvitation { email, role, created_at, expires_at })
            .collect())
    }

    /// Who holds seats of the organisation's subscriptions, by subscription and name.
    pub async fn seat_holders(&mut self, org: OrgId) -> StoreResult<Vec<SeatHolder>> {
        let sql = "SELECT a.subscription_id, u.id, u.display_name, u.email FROM seat_assignments a \
                   JOIN users u ON u.id = a.user_id JOIN subscriptions s ON s.id = a.subscription_id \
                   WHERE s.org_id = $1 ORDER BY a.subscription_id, u.display_name, u.email";
        let rows = on_tx!(self, |c| sqlx::query_as::<_, (SubscriptionId, UserId, String, String)>(sql)
            .bind(org)
            .fetch_all(&mut *c)
            .await?);
        Ok(rows
            .into_iter()
            .map(|(subscription_id, user_id, name, email)| SeatHolder { subscription_id, user_id, name, email })
            .collect())
    }

    /// Assigns a seat; nothing when the user has one already. Answers whether it was assigned.
    pub async fn assign_seat(
        &mut self,
        sub: SubscriptionId,
        user: UserId,
        by: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let sql = "INSERT INTO seat_assignments (subscription_id, user_id, assigned_at, assigned_by) \
                   VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
        let n = on_tx!(self, |c| sqlx::query(sql)
            .bind(sub)
            .bind(user)
            .bind(secs(now))
            .bind(by)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(n > 0)
    }

    pub async fn free_seat(&mut self, sub: SubscriptionId, user: UserId) -> StoreResult<bool> {
        let sql = "DELETE FROM seat_assignments WHERE subscription_id = $1 AND user_id = $2";
        let n = on_tx!(self, |c| sqlx::query(sql).bind(sub).bind(user).execute(&mut *c).await?.rows_affected());
        Ok(n > 0)
    }

    pub async fn assigned_seats(&mut self, sub: SubscriptionId) -> StoreResult<i64> {
        let sql = "SELECT COUNT(*) FROM seat_assignments WHERE subscription_id = $1";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, i64>(sql).bind(sub).fetch_one(&mut *c).await?))
    }

    /// Keeps a subscription's assignments within what it gives after a change of its state or
    /// seats: none once canceled (R-LIFE-6), else at most its seats, the latest assigned freed
    /// first. Answers how many were freed.
    pub async fn fit_seat_assignments(&mut self, sub: SubscriptionId) -> StoreResult<i64> {
        let facts = "SELECT seats, status FROM subscriptions WHERE id = $1";
        let Some((seats, status)) =
            on_tx!(self, |c| sqlx::query_as::<_, (i64, Status)>(facts).bind(sub).fetch_optional(&mut *c).await?)
        else {
            return Ok(0);
        };
        let keep = if status == Status::Canceled { 0 } else { seats };
        let excess = self.assigned_seats(sub).await? - keep;
        if excess <= 0 {
            return Ok(0);
        }
        let sql = "DELETE FROM seat_assignments WHERE subscription_id = $1 AND user_id IN \
                   (SELECT user_id FROM seat_assignments WHERE subscription_id = $1 \
                    ORDER BY assigned_at DESC, user_id DESC LIMIT $2)";
        let n = on_tx!(self, |c| sqlx::query(sql).bind(sub).bind(excess).execute(&mut *c).await?.rows_affected());
        Ok(n as i64)
    }
}
