//! The business rules of RULES.md as pure code: no I/O, no async, no clock reads (`now` is a
//! parameter). Compiled for the server and the browser, so the UI can preview with the same code.

pub mod approval;
pub mod audit;
pub mod authz;
pub mod auto_renew;
pub mod card;
pub mod checkout;
pub mod credit;
pub mod customer;
pub mod eligibility;
pub mod email;
pub mod human_check;
pub mod ids;
pub mod invoice;
pub mod locale;
pub mod mail_routing;
pub mod money;
pub mod next_term;
pub mod overview;
pub mod password;
pub mod payment;
pub mod person;
pub mod pricing;
pub mod quote;
pub mod renewal;
pub mod selection;
pub mod status;
pub mod tax;
pub mod term;
pub mod throttle;
pub mod time;
