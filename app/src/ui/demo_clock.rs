//! The demo clock page: `/demo/clock`. Only when the configuration enables it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::components::ErrorNotice;
use super::words;
use crate::api::{AdvanceDemoClock, demo_clock};
use crate::contract::dto::ClockMove;

#[component]
pub fn DemoClockPage() -> impl IntoView {
    let query = use_query_map();
    let clock = Resource::new(|| (), |_| demo_clock());
    let action = ServerAction::<AdvanceDemoClock>::new();
    let moved = move || {
        let q = query.get();
        // Shown only as the server accepted it: a crafted address cannot put other words here.
        let step = q.get("step").filter(|s| crate::domain::time::parse_step(s).is_ok())?;
        Some((step, ClockMove::from_param(&q.get("moved")?)?))
    };
    view! {
        <Title text="Demo clock"/>
        <h1>"Demo clock"</h1>
        <p class="hint">"The portal's business time, for the demo only. Moving it forward runs renewals, payments, state changes and reminders as they would happen on those days. It never moves back."</p>
        {move || moved().map(|(step, m)| view! { <p class="notice" role="status">{words::clock_move(&step, m)}</p> })}
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || clock.get().map(|r| match r {
                Ok(c) => view! {
                    <section class="card" aria-labelledby="h-now">
                        <h2 id="h-now">"Now"</h2>
                        <p>"The portal's time is " <strong>{c.now.format("%-d %b %Y %H:%M UTC").to_string()}</strong> ", " {c.days_ahead} " days ahead of real time."</p>
                        <ActionForm action=action>
                            <label for="step">"Move forward by"</label>
                            <select id="step" name="step">
                                <option value="1d">"1 day"</option>
                                <option value="7d">"7 days"</option>
                                <option value="30d" selected>"30 days"</option>
                                <option value="90d">"90 days"</option>
                                <option value="365d">"1 year"</option>
                            </select>
                            <button type="submit">"Move the clock"</button>
                        </ActionForm>
                        {move || action.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice error=e/> })}
                    </section>
                }.into_any(),
                Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
            })}
        </Suspense>
    }
}
