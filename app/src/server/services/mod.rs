//! Services: one transaction per user action, combining the store, the domain rules, the audit
//! log and the mail outbox. Server functions call exactly one service function.

pub mod account;
pub mod auto_renew;
pub mod billing;
pub mod demo_clock;
pub mod jobs;
pub mod lifecycle;
pub mod reminders;
pub mod subscriptions;
