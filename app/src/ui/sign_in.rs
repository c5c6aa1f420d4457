//! Sign-in. Works without JavaScript: the form posts to the server function, which sets the
//! session cookie and redirects. With JavaScript a wrong password keeps the form as typed, and a
//! success loads the next page afresh (not a client-side route change), so it comes in the
//! user's saved language and nothing of the signed-out page stays in memory.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::components::{ErrorNotice, described_by};
use crate::api::SignIn;
use crate::i18n::{Locale, td_string};

#[component]
pub fn SignInPage() -> impl IntoView {
    let l = expect_context::<Locale>();
    let action = ServerAction::<SignIn>::new();
    let query = use_query_map();
    let next = move || query.get().get("next").unwrap_or_default();
    Effect::new(move |_| {
        if let Some(Ok(target)) = action.value().get() {
            #[cfg(feature = "hydrate")]
            let _ = window().location().set_href(&target);
            #[cfg(not(feature = "hydrate"))]
            let _ = target;
        }
    });
    let error = move || action.value().get().and_then(|r| r.err());
    view! {
        <Title text=td_string!(l, sign_in.title)/>
        <section class="card narrow">
            <h1>{td_string!(l, sign_in.title)}</h1>
            {move || (query.get().get("reset").as_deref() == Some("done")).then(|| view! {
                <div class="notice notice-success" role="status">{td_string!(l, sign_in.reset_done)}</div>
            })}
            {move || (query.get().get("joined").as_deref() == Some("1")).then(|| view! {
                <div class="notice notice-success" role="status">{td_string!(l, sign_in.joined)}</div>
            })}
            {move || error().map(|e| view! { <ErrorNotice error=e/> })}
            <ActionForm action=action>
                <input type="hidden" name="next" value=next/>
                <label for="email">{td_string!(l, sign_in.email)}</label>
                <input id="email" name="email" type="email" autocomplete="username" required
                    value=move || query.with(|q| q.get("email")).unwrap_or_default()
                    aria-describedby=move || described_by(error(), "email").0 aria-invalid=move || described_by(error(), "email").1/>
                <label for="password">{td_string!(l, sign_in.password)}</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required
                    aria-describedby=move || described_by(error(), "password").0 aria-invalid=move || described_by(error(), "password").1/>
                <button type="submit" class="primary" disabled=move || action.pending().get()>{td_string!(l, sign_in.submit)}</button>
            </ActionForm>
            <p><A href=crate::contract::links::FORGOT_PASSWORD>{td_string!(l, sign_in.forgot)}</A></p>
        </section>
    }
}
