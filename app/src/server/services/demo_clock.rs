//! The demo clock: read it, and move it forward (never back) and run the engine at the new time,
//! so a newcomer can watch renewals, reminders and state changes happen.

use crate::api::dto::DemoClockView;
use crate::api::error::AppError;
use crate::server::clock::{advance_stored_offset, parse_step};
use crate::server::context::internal;
use crate::server::state::AppState;

fn enabled(state: &AppState) -> Result<(), AppError> {
    if state.config.demo_clock && state.clock.offset_seconds().is_some() { Ok(()) } else { Err(AppError::NotFound) }
}

pub fn read(state: &AppState) -> Result<DemoClockView, AppError> {
    enabled(state)?;
    let offset = state.clock.offset_seconds().unwrap_or(0);
    Ok(DemoClockView {
        now: state.clock.now().format("%-d %b %Y %H:%M UTC").to_string(),
        days_ahead: offset / 86_400,
        report: None,
    })
}

pub async fn advance(state: &AppState, step: &str) -> Result<DemoClockView, AppError> {
    enabled(state)?;
    let by = parse_step(step).map_err(|m| AppError::validation("step", m))?;
    let offset = advance_stored_offset(&state.store, by).await.map_err(internal)?;
    state.clock.observe_offset(offset);
    let r = state.engine.run_pass(state.clock.now()).await.map_err(internal)?;
    let report = format!(
        "Moved {step}. Renewed {}, invoiced {}, renewals that could not be charged {}; instalments {}; payments settled {}; state changes {}; reminders {}.",
        r.renewals.renewed,
        r.renewals.invoiced,
        r.renewals.failed,
        r.instalments,
        r.settled,
        r.transitions,
        r.reminders
    );
    Ok(DemoClockView { report: Some(report), ..read(state)? })
}
