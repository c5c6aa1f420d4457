//! Passwords (argon2id, off the async runtime), session tokens and sign-in with rate limiting.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::Semaphore;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

use chrono::{DateTime, Duration, Utc};

use super::internal;
use super::store::records::{AuditAction, AuditEntry, AuditObject, NewSession};
use super::store::{Store, StoreResult};
use crate::contract::error::AppError;
use crate::contract::links;
use crate::contract::problem::Problem;
use crate::domain::authz::Actor;
use crate::domain::email::EmailAddress;
use crate::domain::ids::{OrgId, UserId};
use crate::domain::locale::Locale;
use crate::domain::mail_routing::{Contacts, MailKind, Recipient, recipients};
use crate::domain::password::NewPassword;
use crate::domain::throttle;

/// The session cookie's name. Under https it carries the `__Host-` prefix: browsers then accept
/// it only with `Secure`, `Path=/` and no `Domain`, so a sibling subdomain cannot plant one
/// (session fixation). A plain-http portal (the demo, tests) cannot use the prefix.
pub fn session_cookie(secure: bool) -> &'static str {
    if secure { "__Host-portal_session" } else { "portal_session" }
}
/// A session lasts 12 hours from sign-in.
pub const SESSION_SECONDS: i64 = 12 * 3600;
/// Failed sign-ins are counted over this window; how they slow further attempts down is
/// `domain::throttle`.
pub const FAILURE_WINDOW_SECONDS: i64 = 15 * 60;

/// argon2id with OWASP's minimum: 19 MiB of memory, 2 passes, 1 lane.
fn argon2() -> Argon2<'static> {
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters"),
    )
}

fn hash_blocking(password: &str) -> String {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    argon2().hash_password(password.as_bytes(), &salt).expect("argon2 hashing succeeds").to_string()
}

/// Password hashing is the one expensive thing an anonymous caller can ask for (19 MiB and a few
/// milliseconds of a core each). It runs on at most one blocking thread per core; eight more
/// requests per core may wait their turn, and beyond that the answer is "busy, try again"
/// (429) at once instead of a queue that grows with the attack.
pub struct HashingPool {
    slots: usize,
    running: Semaphore,
    waiting: AtomicUsize,
    max_waiting: usize,
    /// The most hashes that ever ran at once (for tests and the health of the limit).
    peak: AtomicUsize,
    active: AtomicUsize,
}

impl HashingPool {
    fn new(cores: usize) -> HashingPool {
        HashingPool {
            slots: cores,
            running: Semaphore::new(cores),
            waiting: AtomicUsize::new(0),
            max_waiting: cores * 8,
            peak: AtomicUsize::new(0),
            active: AtomicUsize::new(0),
        }
    }

    /// The pool of this process: one slot per core.
    pub fn global() -> &'static HashingPool {
        static POOL: OnceLock<HashingPool> = OnceLock::new();
        POOL.get_or_init(|| HashingPool::new(std::thread::available_parallelism().map_or(2, |n| n.get())))
    }

    /// Slots: how many hashes may run at once.
    pub fn slots(&self) -> usize {
        self.slots
    }

    /// The most hashes that ran at once since the process started.
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::Relaxed)
    }

    /// Runs `work` on the blocking pool when a slot is free, or refuses at once when too many
    /// already wait.
    pub async fn run<T: Send + 'static>(
        &self,
        doing: &'static str,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            tracing::warn!(doing, "password hashing is saturated; refusing");
            return Err(AppError::TooManyRequests(Problem::Busy));
        }
        let permit = self.running.acquire().await;
        self.waiting.fetch_sub(1, Ordering::AcqRel);
        let _permit = permit.map_err(internal(doing))?;
        let now = self.active.fetch_add(1, Ordering::AcqRel) + 1;
        self.peak.fetch_max(now, Ordering::AcqRel);
        let result = tokio::task::spawn_blocking(work).await.map_err(internal(doing));
        self.active.fetch_sub(1, Ordering::AcqRel);
        result
    }
}

/// Hashes a password in the bounded pool, so sign-ins do not stall other requests.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    HashingPool::global().run("hashing a password", move || hash_blocking(&password)).await
}

/// A hash of a random password, verified against when the account does not exist, so that an
/// unknown account costs the same time as a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let mut bytes = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        hash_blocking(&base64::engine::general_purpose::STANDARD.encode(bytes))
    })
}

/// Verifies `password` against `hash`, or against a dummy hash when there is none.
pub async fn verify_password(password: String, hash: Option<String>) -> Result<bool, AppError> {
    HashingPool::global()
        .run("verifying a password", move || {
            let known = hash.is_some();
            let hash = hash.unwrap_or_else(|| dummy_hash().to_string());
            let ok = PasswordHash::new(&hash)
                .map(|h| argon2().verify_password(password.as_bytes(), &h).is_ok())
                .unwrap_or(false);
            known && ok
        })
        .await
}

/// Warms the dummy hash at start, so the first unknown-account sign-in is not slower.
pub fn warm_up() {
    let _ = dummy_hash();
}

/// A new random session token (for the cookie) and its hash (for the database).
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_token(&token);
    (token, hash)
}

/// Tokens are stored hashed: a leaked sessions table opens no session.
pub fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A successful sign-in: the new session's token.
pub struct SignedIn {
    pub token: String,
    pub user_id: UserId,
    pub org_id: OrgId,
}

/// The token is a secret: it never reaches a log line.
impl std::fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedIn")
            .field("user_id", &self.user_id)
            .field("org_id", &self.org_id)
            .field("token", &"<redacted>")
            .finish()
    }
}

/// Signs a user in. Unknown accounts and wrong passwords get the same answer after the same
/// work; failures are counted per account (known or not) and per address, and past a few each
/// further attempt must wait, longer each time (`domain::throttle`); an attempt made too early
/// is refused before any password check and not counted. `previous_token` (the cookie the browser sent, if any) is
/// ended, so the session id always changes at sign-in.
#[tracing::instrument(skip_all, fields(%address))]
pub async fn sign_in(
    store: &Store,
    email: &EmailAddress,
    password: String,
    address: &str,
    previous_token: Option<&str>,
    now: DateTime<Utc>,
) -> Result<SignedIn, AppError> {
    if password.is_empty() {
        return Err(AppError::validation("password", Problem::EnterPassword));
    }
    let account_key = email.as_str().to_string();
    let user = count_attempt(store, &account_key, address, now).await?;

    let ok = verify_password(password, user.as_ref().map(|u| u.password_hash.clone())).await?;
    let Some(user) = user.filter(|_| ok) else {
        return Err(AppError::form(Problem::BadCredentials));
    };
    let mut tx = store.begin_write().await?;
    let Some(org_id) = tx.user_orgs(user.id).await?.first().copied() else {
        return Err(AppError::Forbidden);
    };
    if let Some(previous) = previous_token {
        tx.delete_session(&hash_token(previous)).await?;
    }
    let (token, token_hash) = new_token();
    let session = NewSession {
        token_hash: &token_hash,
        user_id: user.id,
        org_id,
        created_at: now,
        expires_at: now + Duration::seconds(SESSION_SECONDS),
    };
    tx.insert_session(&session).await?;
    tx.clear_login_failures(&account_key).await?;
    tx.commit().await?;
    Ok(SignedIn { token, user_id: user.id, org_id })
}

/// Checks the limits on failed password checks for `account_key` and counts this attempt as a
/// failure, in one serialised transaction before the (slow) password check, so parallel guesses
/// cannot all slip under the limit; a success clears the account's failures, this one included.
/// Answers the account's credentials, if it exists.
async fn count_attempt(
    store: &Store,
    account_key: &str,
    address: &str,
    now: DateTime<Utc>,
) -> Result<Option<super::store::records::UserCredentials>, AppError> {
    let mut tx = store.begin_write().await?;
    tx.serialize_on(&format!("sign-in:{account_key}")).await?;
    let (by_account, by_address) =
        tx.login_failures_since(account_key, address, now - Duration::seconds(FAILURE_WINDOW_SECONDS)).await?;
    let wait = throttle::seconds_to_wait(by_account, by_address, now.timestamp());
    if wait > 0 {
        return Err(AppError::TooManyRequests(Problem::TooManyFailures { seconds: wait }));
    }
    tx.record_login_failure(account_key, address, now).await?;
    let user = tx.user_credentials(account_key).await?;
    tx.commit().await?;
    Ok(user)
}

/// Who a request's session cookie signs in, with their roles and chosen language: looked up once
/// per request by the router (one read transaction, two queries) and kept in the request's
/// extensions, where the page's rendering and every server function it calls find it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestSession {
    pub actor: Option<Actor>,
    pub locale: Option<Locale>,
}

/// The session a request with these headers carries (anonymous without a valid one).
pub async fn request_session(
    store: &Store,
    headers: &http::HeaderMap,
    secure: bool,
    now: DateTime<Utc>,
) -> StoreResult<RequestSession> {
    let Some(token) = super::language::cookie(headers, session_cookie(secure)) else {
        return Ok(RequestSession::default());
    };
    let mut tx = store.begin_read().await?;
    let Some((session, locale)) = tx.session_and_locale(&hash_token(&token), now).await? else {
        return Ok(RequestSession::default());
    };
    let roles = tx.roles(session.user_id, session.org_id).await?;
    Ok(RequestSession { actor: Some(Actor { user_id: session.user_id, org_id: session.org_id, roles }), locale })
}

/// A user in one organisation, as authorization sees them: the roles held there.
pub async fn load_actor(store: &Store, user_id: UserId, org_id: OrgId) -> StoreResult<Actor> {
    let mut tx = store.begin_read().await?;
    let roles = tx.roles(user_id, org_id).await?;
    Ok(Actor { user_id, org_id, roles })
}

/// A reset link is valid for 30 minutes (R-AUTH-2).
pub const RESET_SECONDS: i64 = 30 * 60;
/// Reset mails sent per account in the failure window; more requests are answered the same way
/// but send nothing.
pub const MAX_RESETS_PER_ACCOUNT: i64 = 3;

/// Asks for a password-reset mail (R-AUTH-2). The answer is the same whether or not the account
/// exists, and so is the work: the request is counted and queued, nothing more. The outbox worker
/// turns it into a link and a mail ([`issue_reset_links`]). At most [`MAX_RESETS_PER_ACCOUNT`]
/// requests per address are queued in the window; more get the same answer and queue nothing.
/// `lang` is the language of the page the person asked from, which they are reading now.
#[tracing::instrument(skip_all)]
pub async fn request_password_reset(
    store: &Store,
    email: &EmailAddress,
    lang: Locale,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let key = format!("reset:{}", email.as_str());
    let mut tx = store.begin_write().await?;
    tx.serialize_on(&key).await?;
    let (recent, _) = tx.login_failures_since(&key, "", now - Duration::seconds(FAILURE_WINDOW_SECONDS)).await?;
    if recent.count >= MAX_RESETS_PER_ACCOUNT {
        return Ok(());
    }
    tx.record_login_failure(&key, "", now).await?;
    tx.insert_reset_request(email.as_str(), lang, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Reset requests handled per pass of the worker.
const RESET_BATCH: i64 = 50;

/// Turns waiting reset requests into links and mails, in one transaction per batch: for an
/// address with an account a token (stored hashed, valid [`RESET_SECONDS`] from the request) and
/// a mail to that address only (R-AUTH-2, R-AUTH-3); for any other address, nothing. Returns how
/// many requests it handled.
#[tracing::instrument(skip_all)]
pub async fn issue_reset_links(store: &Store, base_url: &str) -> StoreResult<usize> {
    let mut handled = 0;
    loop {
        let mut tx = store.begin_write().await?;
        let requests = tx.take_reset_requests(RESET_BATCH).await?;
        if requests.is_empty() {
            return Ok(handled);
        }
        for request in &requests {
            let Some(user) = tx.user_credentials(&request.email).await? else { continue };
            let asked_at = DateTime::<Utc>::from_timestamp(request.requested_at, 0).unwrap_or_else(Utc::now);
            let (token, token_hash) = new_token();
            tx.insert_reset_token(&token_hash, user.id, asked_at + Duration::seconds(RESET_SECONDS)).await?;
            let link = links::reset_password(base_url, &token);
            let person = Recipient { address: request.email.clone(), lang: request.locale };
            let contacts = Contacts { person: Some(person), ..Contacts::default() };
            for to in recipients(MailKind::PasswordReset, &contacts) {
                tx.queue_mail(&super::mail::password_reset(&to.address, to.lang, &link), asked_at).await?;
            }
        }
        tx.commit().await?;
        handled += requests.len();
    }
}

/// Sets a new password with a reset token: the password must follow R-AUTH-1, the token works
/// once and only in time. The token is checked before the (expensive) hash, so made-up tokens
/// cost a lookup; it is taken for good in the transaction that stores the password. Then every
/// other unused link of the user stops working, every session ends, and the failed sign-ins
/// counted against the account are forgotten (the reset is the way out of a lock-out).
#[tracing::instrument(skip_all)]
pub async fn reset_password(
    store: &Store,
    token: &str,
    password: NewPassword,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let token_hash = hash_token(token.trim());
    let invalid = || AppError::validation("token", Problem::ResetLinkInvalid);
    let mut tx = store.begin_read().await?;
    let valid = tx.reset_token_user(&token_hash, now).await?.is_some();
    drop(tx);
    if !valid {
        return Err(invalid());
    }
    let hash = hash_password(password.into_inner()).await?;
    let mut tx = store.begin_write().await?;
    let Some(user_id) = tx.take_reset_token(&token_hash, now).await? else {
        return Err(invalid());
    };
    tx.set_password_hash(user_id, &hash, now).await?;
    tx.void_reset_tokens(user_id, now).await?;
    tx.delete_user_sessions(user_id).await?;
    if let Some(user) = tx.user(user_id).await? {
        tx.clear_login_failures(&user.email).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Changes a signed-in user's password (R-AUTH-1): the current one is checked like a sign-in
/// (the same limits on failures, counted before the slow check), then the new one is kept,
/// waiting reset links are voided, and every other session of the user ends; `session_token`'s
/// session stays. Audited without the password, of course.
#[tracing::instrument(skip_all, fields(user = %actor.user_id))]
pub async fn change_password(
    store: &Store,
    actor: &Actor,
    session_token: &str,
    current: String,
    password: NewPassword,
    address: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if current.is_empty() {
        return Err(AppError::validation("current", Problem::EnterPassword));
    }
    let mut tx = store.begin_read().await?;
    let account_key = tx.user(actor.user_id).await?.ok_or(AppError::Unauthorized)?.email;
    drop(tx);
    let known = count_attempt(store, &account_key, address, now).await?.map(|c| c.password_hash);
    if !verify_password(current, known.clone()).await? {
        return Err(AppError::validation("current", Problem::WrongPassword));
    }
    let hash = hash_password(password.into_inner()).await?;
    let mut tx = store.begin_write().await?;
    // Only over the password just checked: a reset or another change meanwhile wins, and this
    // one is told its current password is no longer right.
    if !tx.replace_password_hash(actor.user_id, known.as_deref().unwrap_or_default(), &hash, now).await? {
        return Err(AppError::validation("current", Problem::WrongPassword));
    }
    tx.void_reset_tokens(actor.user_id, now).await?;
    let ended = tx.delete_other_sessions(actor.user_id, &hash_token(session_token)).await?;
    tx.clear_login_failures(&account_key).await?;
    let entry = AuditEntry {
        org_id: actor.org_id,
        actor: Some(actor.user_id),
        action: AuditAction::PasswordChanged,
        object: AuditObject::User(actor.user_id),
        detail: format!("other sessions ended: {ended}"),
        at: now,
    };
    tx.insert_audit(&[entry]).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_stored_only_as_their_hash() {
        let (t1, h1) = new_token();
        let (t2, _) = new_token();
        assert_ne!(t1, t2);
        assert_eq!(h1, hash_token(&t1));
        assert_ne!(h1, t1);
        assert_eq!(h1.len(), 64);
    }

    #[tokio::test]
    async fn passwords_hash_with_argon2id_and_owasp_parameters() {
        let hash = hash_password("Demo-portal-2026".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(verify_password("Demo-portal-2026".into(), Some(hash.clone())).await.unwrap());
        assert!(!verify_password("wrong-password-1".into(), Some(hash)).await.unwrap());
        assert!(!verify_password("Demo-portal-2026".into(), None).await.unwrap());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn password_hashing_runs_one_per_core_and_refuses_beyond_its_queue() {
        // 64 hashes asked for at once, as parallel sign-ins with made-up passwords would: never
        // more than one per slot at a time, and those past the queue are told to wait (429).
        // A pool of its own, so other tests' hashing does not count.
        let pool: &'static HashingPool = Box::leak(Box::new(HashingPool::new(2)));
        let mut jobs = tokio::task::JoinSet::new();
        for _ in 0..64 {
            jobs.spawn(pool.run("a test", || std::thread::sleep(std::time::Duration::from_millis(20))));
        }
        let results = jobs.join_all().await;
        let busy = results.iter().filter(|r| **r == Err(AppError::TooManyRequests(Problem::Busy))).count();
        let done = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(busy + done, 64, "{results:?}");
        assert!(busy > 0, "some are refused rather than queued");
        assert!(done >= pool.slots(), "{done} done");
        assert_eq!(pool.peak(), pool.slots(), "at most {} at once", pool.slots());
    }
}
