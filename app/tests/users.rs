//! User management through the services (issue 14): invitations from User management (single
//! use, 7 days), the primary admin role handed on, secondary admins, removing users, and seats of
//! subscriptions assigned within their seats and the lifecycle (R-ROLE-3, R-ROLE-4, R-ROLE-5,
//! R-ROLE-7, R-MAIL-3, R-LIFE-6). Each story once on SQLite and once on PostgreSQL.

use app::contract::error::AppError;
use app::contract::problem::Problem;
use app::domain::authz::{Action, Role, allowed};
use app::domain::email::EmailAddress;
use app::domain::ids::{SubscriptionId, UserId};
use app::domain::password::NewPassword;
use app::domain::status::Status;
use app::server::services::{invitations, users};
use app::server::store::Store;
use app::server::testing::{demo_actor, engine, execute, scalar, text};
use chrono::Duration;

mod common;
use common::{BASE_URL, now, token_mailed_to};

fn email(a: &str) -> EmailAddress {
    EmailAddress::parse(a).unwrap()
}

fn password(p: &str) -> NewPassword {
    NewPassword::parse(p.to_string()).unwrap()
}

async fn user_id(store: &Store, address: &str) -> UserId {
    UserId(scalar(store, &format!("SELECT id FROM users WHERE email = '{address}'")).await)
}

/// The addresses a mail of `kind` was queued to since outbox id `after`, sorted.
async fn mailed(store: &Store, kind: &str, after: i64) -> Vec<String> {
    let n = scalar(store, &format!("SELECT COUNT(*) FROM mail_outbox WHERE kind = '{kind}' AND id > {after}")).await;
    let mut out = Vec::new();
    for i in 0..n {
        out.push(
            text(
                store,
                &format!(
                    "SELECT to_address FROM mail_outbox WHERE kind = '{kind}' AND id > {after} ORDER BY to_address LIMIT 1 OFFSET {i}"
                ),
            )
            .await,
        );
    }
    out
}

async fn last_outbox_id(store: &Store) -> i64 {
    scalar(store, "SELECT COALESCE(MAX(id), 0) FROM mail_outbox").await
}

async fn roles_of(store: &Store, address: &str) -> Vec<Role> {
    let admin = demo_actor(store, "admin@aurora.example").await;
    let page = users::page(store, &admin, now()).await.unwrap();
    page.members.into_iter().find(|m| m.email == address).map(|m| m.roles).unwrap_or_default()
}

both!(an_admin_invites_a_user_who_joins_once_with_the_mailed_link, |store: Store| async move {
    // R-ROLE-4: admins manage users; R-MAIL-3: the admins get the user-management mail, a buyer
    // who is no admin does not; the link works once, for 7 days (R-AUTH-1 password).
    let admin2 = demo_actor(&store, "admin2@aurora.example").await;
    let before = last_outbox_id(&store).await;
    let sent = users::invite(&store, &admin2, &email("new.user@example.com"), Role::User, BASE_URL, now()).await;
    assert!(sent.unwrap());
    assert_eq!(mailed(&store, "invitation", before).await, ["new.user@example.com"]);
    let admins = ["admin2@aurora.example", "admin@aurora.example", "buyer@aurora.example"];
    assert_eq!(mailed(&store, "user_management", before).await, admins);
    let subject =
        text(&store, "SELECT subject FROM mail_outbox WHERE kind = 'user_management' ORDER BY id DESC LIMIT 1").await;
    assert_eq!(subject, "User management: new.user@example.com was invited as User");
    // The same address again while the invitation waits: no second mail.
    let again = users::invite(&store, &admin2, &email("new.user@example.com"), Role::User, BASE_URL, now()).await;
    assert!(!again.unwrap());
    assert_eq!(mailed(&store, "invitation", before).await.len(), 1);

    let token = token_mailed_to(&store, "new.user@example.com").await;
    let accepted_before = last_outbox_id(&store).await;
    invitations::accept(&store, &token, "Nelli Uusi", password("Welcome-2026"), BASE_URL, now()).await.unwrap();
    assert_eq!(roles_of(&store, "new.user@example.com").await, [Role::User]);
    assert_eq!(mailed(&store, "user_management", accepted_before).await, admins);
    let again = invitations::accept(&store, &token, "Someone", password("Welcome-2027"), BASE_URL, now()).await;
    assert_eq!(again.unwrap_err(), AppError::validation("token", Problem::InvitationInvalid));

    // Expiry: a link of 7 days no longer works on the 8th.
    users::invite(&store, &admin2, &email("late.user@example.com"), Role::User, BASE_URL, now()).await.unwrap();
    let late = token_mailed_to(&store, "late.user@example.com").await;
    let r =
        invitations::accept(&store, &late, "Late", password("Welcome-2026"), BASE_URL, now() + Duration::days(8)).await;
    assert_eq!(r.unwrap_err(), AppError::validation("token", Problem::InvitationInvalid));
});

both!(bad_invitations_are_refused_with_their_reason_and_change_nothing, |store: Store| async move {
    let admin2 = demo_actor(&store, "admin2@aurora.example").await;
    let primary = demo_actor(&store, "admin@aurora.example").await;
    let buyer2 = demo_actor(&store, "buyer2@aurora.example").await;
    let counts = || async { (scalar(&store, "SELECT COUNT(*) FROM invitations").await, last_outbox_id(&store).await) };
    let start = counts().await;
    // A member's address (any case).
    let r = users::invite(&store, &admin2, &email("Buyer2@Aurora.example"), Role::User, BASE_URL, now()).await;
    assert_eq!(r.unwrap_err(), AppError::validation("email", Problem::AlreadyMember));
    // R-ROLE-4: only the primary admin makes admins; R-ROLE-7: no buyers; payers come from invoices.
    let r = users::invite(&store, &admin2, &email("x@example.com"), Role::SecondaryAdmin, BASE_URL, now()).await;
    assert_eq!(r.unwrap_err(), AppError::Forbidden);
    for role in [Role::Buyer, Role::Payer, Role::PrimaryAdmin] {
        let r = users::invite(&store, &primary, &email("x@example.com"), role, BASE_URL, now()).await;
        assert_eq!(r.unwrap_err(), AppError::validation("role", Problem::NotListed), "{role:?}");
    }
    // An account of another organisation is never moved into this one.
    let r = users::invite(&store, &primary, &email("buyer@borealis.example"), Role::User, BASE_URL, now()).await;
    assert_eq!(r.unwrap_err(), AppError::validation("email", Problem::AccountElsewhere));
    // R-ROLE-5 reversed: a buyer who is no admin manages no users.
    let r = users::invite(&store, &buyer2, &email("x@example.com"), Role::User, BASE_URL, now()).await;
    assert_eq!(r.unwrap_err(), AppError::Forbidden);
    assert_eq!(counts().await, start);

    // The 201st waiting invitation.
    let org = scalar(&store, "SELECT id FROM organisations WHERE name = 'Aurora Design Group'").await;
    let waiting =
        scalar(&store, &format!("SELECT COUNT(*) FROM invitations WHERE org_id = {org} AND accepted_at IS NULL")).await;
    let until = (now() + Duration::days(7)).timestamp();
    for i in waiting..users::MAX_PENDING_INVITATIONS as i64 {
        execute(
            &store,
            &format!(
                "INSERT INTO invitations (org_id, email, role, token_hash, created_at, expires_at) \
                 VALUES ({org}, 'filler{i}@example.com', 'user', 'hash{i}', {}, {until})",
                now().timestamp()
            ),
        )
        .await;
    }
    let full = counts().await;
    let r = users::invite(&store, &primary, &email("one.more@example.com"), Role::User, BASE_URL, now()).await;
    assert_eq!(r.unwrap_err(), AppError::form(Problem::TooManyInvitations { max: 200 }));
    assert_eq!(counts().await, full);
});

both!(the_primary_admin_role_moves_and_the_buyer_keeps_buyer_rights, |store: Store| async move {
    // R-ROLE-3, R-ROLE-4: one primary admin at all times; the one who held it becomes a
    // secondary admin; a buyer keeps every buyer right.
    let primary = demo_actor(&store, "admin@aurora.example").await;
    let buyer = user_id(&store, "buyer@aurora.example").await;
    assert!(users::reassign_primary_admin(&store, &primary, buyer, BASE_URL, now()).await.unwrap());
    assert_eq!(roles_of(&store, "buyer@aurora.example").await, [Role::Buyer, Role::PrimaryAdmin]);
    assert_eq!(roles_of(&store, "admin@aurora.example").await, [Role::SecondaryAdmin]);

    // Now the buyer hands it on to Claire and becomes a secondary admin, still a buyer.
    let buyer_actor = demo_actor(&store, "buyer@aurora.example").await;
    let claire = user_id(&store, "admin2@aurora.example").await;
    let before = last_outbox_id(&store).await;
    assert!(users::reassign_primary_admin(&store, &buyer_actor, claire, BASE_URL, now()).await.unwrap());
    let roles = roles_of(&store, "buyer@aurora.example").await;
    assert_eq!(roles, [Role::Buyer, Role::SecondaryAdmin]);
    for action in [Action::Renew, Action::ChangeAutoRenew, Action::PayInvoices, Action::EditCustomerDetails] {
        assert!(allowed(&roles, action), "{action:?}");
    }
    assert_eq!(roles_of(&store, "admin2@aurora.example").await, [Role::PrimaryAdmin]);
    let primaries = "SELECT COUNT(*) FROM memberships m JOIN organisations o ON o.id = m.org_id \
                     WHERE o.name = 'Aurora Design Group' AND m.role = 'primary_admin'";
    assert_eq!(scalar(&store, primaries).await, 1);
    assert!(mailed(&store, "user_management", before).await.contains(&"admin2@aurora.example".to_string()));
    assert!(!mailed(&store, "user_management", before).await.contains(&"buyer2@aurora.example".to_string()));

    // A buyer who is no admin may hand it on too (R-ROLE-3); a secondary admin may not.
    let lina = demo_actor(&store, "buyer2@aurora.example").await;
    let erik = user_id(&store, "admin@aurora.example").await;
    let secondary = demo_actor(&store, "admin@aurora.example").await;
    let r = users::reassign_primary_admin(&store, &secondary, erik, BASE_URL, now()).await;
    assert_eq!(r.unwrap_err(), AppError::Forbidden);
    assert!(users::reassign_primary_admin(&store, &lina, erik, BASE_URL, now()).await.unwrap());
    assert_eq!(roles_of(&store, "admin@aurora.example").await, [Role::PrimaryAdmin]);
    assert_eq!(scalar(&store, primaries).await, 1);
});

both!(admins_are_made_and_users_removed_within_the_rules, |store: Store| async move {
    let primary = demo_actor(&store, "admin@aurora.example").await;
    let secondary = demo_actor(&store, "admin2@aurora.example").await;
    users::invite(&store, &primary, &email("tuuli@example.com"), Role::User, BASE_URL, now()).await.unwrap();
    let token = token_mailed_to(&store, "tuuli@example.com").await;
    invitations::accept(&store, &token, "Tuuli Käyttäjä", password("Welcome-2026"), BASE_URL, now()).await.unwrap();
    let tuuli = user_id(&store, "tuuli@example.com").await;

    // R-ROLE-4: the primary admin makes secondary admins; a secondary admin does not.
    let r = users::set_secondary_admin(&store, &secondary, tuuli, true, BASE_URL, now()).await;
    assert_eq!(r.unwrap_err(), AppError::Forbidden);
    assert!(users::set_secondary_admin(&store, &primary, tuuli, true, BASE_URL, now()).await.unwrap());
    assert_eq!(roles_of(&store, "tuuli@example.com").await, [Role::SecondaryAdmin, Role::User]);
    // Removing an admin takes the admin role too: the primary admin's to do, not another admin's.
    let r = users::remove(&store, &secondary, tuuli, BASE_URL, now()).await;
    assert_eq!(r.unwrap_err(), AppError::Forbidden);
    assert!(users::set_secondary_admin(&store, &primary, tuuli, false, BASE_URL, now()).await.unwrap());
    assert_eq!(roles_of(&store, "tuuli@example.com").await, [Role::User]);
    // The primary admin's own role is handed on, never taken.
    let erik = user_id(&store, "admin@aurora.example").await;
    let r = users::set_secondary_admin(&store, &primary, erik, false, BASE_URL, now()).await;
    assert_eq!(r.unwrap_err(), AppError::form(Problem::PrimaryAdminNeeded));

    // Removing: not the primary admin, not a buyer (R-ROLE-7), not oneself, not a payer, not
    // another organisation's user.
    let cases = [
        ("admin@aurora.example", AppError::form(Problem::PrimaryAdminNeeded)),
        ("buyer2@aurora.example", AppError::form(Problem::BuyerChangeContactSupport)),
        ("admin2@aurora.example", AppError::form(Problem::CannotRemoveYourself)),
        ("payer1@aurora.example", AppError::form(Problem::PayersOnInvoices)),
        ("buyer@borealis.example", AppError::NotFound),
    ];
    let members = scalar(&store, "SELECT COUNT(*) FROM memberships").await;
    for (who, expected) in cases {
        let id = user_id(&store, who).await;
        assert_eq!(users::remove(&store, &secondary, id, BASE_URL, now()).await.unwrap_err(), expected, "{who}");
    }
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM memberships").await, members);

    // A user with a seat and a session is removed: both end.
    let sub = SubscriptionId(scalar(&store, &active_with_seats(2)).await);
    users::assign_seat(&store, &secondary, sub, tuuli, now()).await.unwrap();
    let session = "SELECT COUNT(*) FROM sessions WHERE user_id = ";
    execute(
        &store,
        &format!(
            "INSERT INTO sessions (token_hash, user_id, org_id, created_at, expires_at) \
             SELECT 'tuuli-session', {}, org_id, 0, {} FROM memberships WHERE user_id = {} LIMIT 1",
            tuuli.0,
            (now() + Duration::days(1)).timestamp(),
            tuuli.0
        ),
    )
    .await;
    assert_eq!(scalar(&store, &format!("{session}{}", tuuli.0)).await, 1);
    users::remove(&store, &secondary, tuuli, BASE_URL, now()).await.unwrap();
    assert_eq!(roles_of(&store, "tuuli@example.com").await, []);
    assert_eq!(scalar(&store, &format!("{session}{}", tuuli.0)).await, 0);
    assert_eq!(scalar(&store, &format!("SELECT COUNT(*) FROM seat_assignments WHERE user_id = {}", tuuli.0)).await, 0);
});

/// An active annual subscription of Aurora with exactly `seats` seats.
fn active_with_seats(seats: i64) -> String {
    format!(
        "SELECT MIN(s.id) FROM subscriptions s JOIN organisations o ON o.id = s.org_id \
         WHERE o.name = 'Aurora Design Group' AND s.status = 'active' AND s.term = 'annual' AND s.seats = {seats}"
    )
}

both!(seats_are_assigned_up_to_the_subscription_seats_and_follow_its_lifecycle, |store: Store| async move {
    // R-ROLE-4: never more than its seats; R-LIFE-6: suspended keeps assignments but allows no
    // new ones, canceled removes them.
    let admin = demo_actor(&store, "admin2@aurora.example").await;
    let sub = SubscriptionId(scalar(&store, &active_with_seats(2)).await);
    let [aino, lina, erik] = [
        user_id(&store, "buyer@aurora.example").await,
        user_id(&store, "buyer2@aurora.example").await,
        user_id(&store, "admin@aurora.example").await,
    ];
    assert!(users::assign_seat(&store, &admin, sub, aino, now()).await.unwrap());
    assert!(!users::assign_seat(&store, &admin, sub, aino, now()).await.unwrap(), "a second click assigns nothing");
    assert!(users::assign_seat(&store, &admin, sub, lina, now()).await.unwrap());
    let r = users::assign_seat(&store, &admin, sub, erik, now()).await;
    assert_eq!(r.unwrap_err(), AppError::form(Problem::SeatsFull { seats: 2 }));
    let held = format!("SELECT COUNT(*) FROM seat_assignments WHERE subscription_id = {}", sub.0);
    assert_eq!(scalar(&store, &held).await, 2);
    // A payer, another organisation's user, a buyer who is no admin: refused.
    let payer = user_id(&store, "payer1@aurora.example").await;
    assert!(users::free_seat(&store, &admin, sub, lina, now()).await.unwrap());
    let r = users::assign_seat(&store, &admin, sub, payer, now()).await;
    assert_eq!(r.unwrap_err(), AppError::form(Problem::PayersOnInvoices));
    let noah = user_id(&store, "buyer@borealis.example").await;
    assert_eq!(users::assign_seat(&store, &admin, sub, noah, now()).await.unwrap_err(), AppError::NotFound);
    let buyer2 = demo_actor(&store, "buyer2@aurora.example").await;
    assert_eq!(users::assign_seat(&store, &buyer2, sub, erik, now()).await.unwrap_err(), AppError::Forbidden);
    let borealis = demo_actor(&store, "admin@borealis.example").await;
    assert_eq!(users::assign_seat(&store, &borealis, sub, erik, now()).await.unwrap_err(), AppError::NotFound);
    assert_eq!(scalar(&store, &held).await, 1);

    // Ten clicks racing for the last seat for three users: exactly one gets it.
    let mut racers = Vec::new();
    let candidates = [lina, erik, user_id(&store, "admin2@aurora.example").await];
    for i in 0..10 {
        let store = store.clone();
        let admin = admin.clone();
        let user = candidates[i % candidates.len()];
        racers.push(tokio::spawn(async move { users::assign_seat(&store, &admin, sub, user, now()).await }));
    }
    let mut won = 0;
    for r in racers {
        match r.await.unwrap() {
            Ok(true) => won += 1,
            Ok(false) | Err(AppError::Validation { problem: Problem::SeatsFull { .. }, .. }) => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(won, 1);
    assert_eq!(scalar(&store, &held).await, 2);

    // The lifecycle: auto-renew off, the term ends tomorrow.
    let end = now() + Duration::days(1);
    execute(
        &store,
        &format!(
            "UPDATE subscriptions SET auto_renew = (1 = 0), term_end_at = {} WHERE id = {}",
            end.timestamp(),
            sub.0
        ),
    )
    .await;
    let status = |store: Store| async move {
        text(&store, &format!("SELECT status FROM subscriptions WHERE id = {}", sub.0)).await
    };
    engine(&store, BASE_URL).run_pass(end + Duration::days(20)).await.unwrap();
    assert_eq!(status(store.clone()).await, Status::Suspended.code());
    assert_eq!(scalar(&store, &held).await, 2, "suspended: assignments kept");
    // Kept as they are: neither freed nor assigned while suspended.
    let suspended = AppError::form(Problem::NoProductAccess { status: Status::Suspended });
    assert_eq!(users::free_seat(&store, &admin, sub, aino, now()).await.unwrap_err(), suspended);
    assert_eq!(users::assign_seat(&store, &admin, sub, erik, now()).await.unwrap_err(), suspended);
    assert_eq!(scalar(&store, &held).await, 2);
    engine(&store, BASE_URL).run_pass(end + Duration::days(50)).await.unwrap();
    assert_eq!(status(store.clone()).await, Status::Canceled.code());
    assert_eq!(scalar(&store, &held).await, 0, "canceled: assignments removed");
});
