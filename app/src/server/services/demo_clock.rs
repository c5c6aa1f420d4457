//! The demo clock: read it, and move it forward (never back) and run the engine at the new time,
//! so a newcomer can watch renewals, reminders and state changes happen.

use crate::contract::dto::{ClockMove, DemoClockView};
use crate::contract::error::AppError;
use crate::domain::authz::Actor;
use crate::server::clock::{advance_stored_offset, parse_step};
use crate::server::state::AppState;

fn enabled(state: &AppState) -> Result<(), AppError> {
    if state.config.demo_clock && state.clock.offset_seconds().is_some() { Ok(()) } else { Err(AppError::NotFound) }
}

/// Whether `actor` is one of the operators the configuration names.
async fn is_operator(state: &AppState, actor: &Actor) -> Result<bool, AppError> {
    if state.config.demo_clock_operators.is_empty() {
        return Ok(false);
    }
    let mut tx = state.store.begin_read().await?;
    let user = tx.user(actor.user_id).await?;
    Ok(user.is_some_and(|u| state.config.demo_clock_operators.contains(&u.email)))
}

pub async fn read(state: &AppState, actor: &Actor) -> Result<DemoClockView, AppError> {
    enabled(state)?;
    let offset = state.clock.offset_seconds().unwrap_or(0);
    let can_move = is_operator(state, actor).await?;
    Ok(DemoClockView { now: state.clock.now(), days_ahead: offset / 86_400, can_move })
}

/// Moves the clock by `step` ("30d", "12h") and runs one engine pass at the new time. Only the
/// configured operators may: it runs every organisation's renewals. The clock stays within
/// twenty years of real time.
#[tracing::instrument(skip(state, actor))]
pub async fn advance(state: &AppState, actor: &Actor, step: &str) -> Result<ClockMove, AppError> {
    enabled(state)?;
    if !is_operator(state, actor).await? {
        return Err(AppError::Forbidden);
    }
    let by = parse_step(step).map_err(|e| AppError::validation("step", e))?;
    let offset = advance_stored_offset(&state.store, by).await?.map_err(|e| AppError::validation("step", e))?;
    state.clock.observe_offset(offset);
    let r = state.engine.run_pass(state.clock.now()).await?;
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Ok(ClockMove {
        renewed: count(r.renewals.renewed),
        invoiced: count(r.renewals.invoiced),
        failed: count(r.renewals.failed),
        instalments: count(r.instalments),
        settled: count(r.settled),
        transitions: count(r.transitions),
        reminders: count(r.reminders),
    })
}
