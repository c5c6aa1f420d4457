//! What every layer shares: the data server functions answer with ([`dto`]), the one error type
//! ([`error`]) with its codes ([`problem`]), the portal's addresses ([`links`]) and its content security policy ([`policy`]). Compiled for
//! the server and the browser.
//!
//! Dependencies point one way: `ui -> api -> server -> domain`, and each of them may use
//! `contract`; `contract` uses only `domain`. `scripts/check-layers` enforces it.

pub mod dto;
pub mod error;
pub mod links;
pub mod policy;
pub mod problem;
