//! The demo clock page: `/demo/clock`. Only when the configuration enables it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::components::{ErrorNotice, described_by};
use crate::api::{AdvanceDemoClock, demo_clock};
use crate::contract::dto::ClockMove;
use crate::i18n::{Locale, td_string};
use crate::words;

#[component]
pub fn DemoClockPage() -> impl IntoView {
    let l = expect_context::<Locale>();
    let query = use_query_map();
    let clock = Resource::new(|| (), |_| demo_clock());
    let action = ServerAction::<AdvanceDemoClock>::new();
    let error = move || action.value().get().and_then(|r| r.err());
    let moved = move || {
        let q = query.get();
        // Shown only as the server accepted it: a crafted address cannot put other words here.
        let step = q.get("step").filter(|s| crate::domain::time::parse_step(s).is_ok())?;
        Some((step, ClockMove::from_param(&q.get("moved")?)?))
    };
    view! {
        <Title text=td_string!(l, clock.title)/>
        <h1>{td_string!(l, clock.title)}</h1>
        <p class="hint">{td_string!(l, clock.hint)}</p>
        {move || moved().map(|(step, m)| view! { <p class="notice" role="status">{words::clock_move(l, &step, m)}</p> })}
        <Suspense fallback=move || view! { <p class="loading">{td_string!(l, app.loading)}</p> }>
            {move || clock.get().map(|r| match r {
                Ok(c) => view! {
                    <section class="card" aria-labelledby="h-now">
                        <h2 id="h-now">{td_string!(l, clock.now)}</h2>
                        <p>{td_string!(l, clock.reads, now = format!("{} {} UTC", words::date(l, c.now.date_naive()), c.now.format("%H:%M")), days = c.days_ahead)}</p>
                        {if c.can_move {
                            view! {
                                <ActionForm action=action>
                                    <label for="step">{td_string!(l, clock.move_by)}</label>
                                    <select id="step" name="step" aria-describedby=move || described_by(error(), "step").0 aria-invalid=move || described_by(error(), "step").1>
                                        <option value="1d">{td_string!(l, clock.day_1)}</option>
                                        <option value="7d">{td_string!(l, clock.days_7)}</option>
                                        <option value="30d" selected>{td_string!(l, clock.days_30)}</option>
                                        <option value="90d">{td_string!(l, clock.days_90)}</option>
                                        <option value="365d">{td_string!(l, clock.year_1)}</option>
                                    </select>
                                    <button type="submit">{td_string!(l, clock.move_button)}</button>
                                </ActionForm>
                            }.into_any()
                        } else {
                            view! { <p class="hint">{td_string!(l, clock.operators_only)}</p> }.into_any()
                        }}
                        {move || error().map(|e| view! { <ErrorNotice error=e/> })}
                    </section>
                }.into_any(),
                Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
            })}
        </Suspense>
    }
}
