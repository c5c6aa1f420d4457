//! Forgot password (R-AUTH-2): ask for a link, then choose a new password (R-AUTH-1). Both forms
//! work without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::components::{ErrorNotice, described_by};
use crate::api::{RequestPasswordReset, ResetPassword};
use crate::i18n::{Locale, td_string};

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let l = expect_context::<Locale>();
    let action = ServerAction::<RequestPasswordReset>::new();
    let error = move || action.value().get().and_then(|r| r.err());
    // The server sends the browser to `?sent=1` (also without JavaScript).
    let query = use_query_map();
    let sent = move || query.get().get("sent").as_deref() == Some("1") || matches!(action.value().get(), Some(Ok(())));
    view! {
        <Title text=td_string!(l, forgot.title)/>
        <section class="card narrow">
            <h1>{td_string!(l, forgot.title)}</h1>
            {move || sent().then(|| view! { <div class="notice notice-success" role="status">{td_string!(l, forgot.sent)}</div> })}
            {move || error().map(|e| view! { <ErrorNotice error=e/> })}
            <p>{td_string!(l, forgot.intro)}</p>
            <ActionForm action=action>
                <label for="email">{td_string!(l, forgot.email)}</label>
                <input id="email" name="email" type="email" autocomplete="username" required
                    aria-describedby=move || described_by(error(), "email").0 aria-invalid=move || described_by(error(), "email").1/>
                <button type="submit" class="primary" disabled=move || action.pending().get()>{td_string!(l, forgot.submit)}</button>
            </ActionForm>
            <p><A href=crate::contract::links::SIGN_IN>{td_string!(l, forgot.back)}</A></p>
        </section>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let l = expect_context::<Locale>();
    let action = ServerAction::<ResetPassword>::new();
    let query = use_query_map();
    let token = move || query.get().get("token").unwrap_or_default();
    let error = move || action.value().get().and_then(|r| r.err());
    view! {
        <Title text=td_string!(l, reset.title)/>
        <section class="card narrow">
            <h1>{td_string!(l, reset.title)}</h1>
            {move || error().map(|e| view! { <ErrorNotice error=e/> })}
            <p class="hint" id="password-hint">{td_string!(l, reset.hint)}</p>
            <ActionForm action=action>
                <input type="hidden" name="token" value=token/>
                <label for="password">{td_string!(l, reset.password)}</label>
                <input id="password" name="password" type="password" autocomplete="new-password" required minlength="8"
                    aria-describedby=move || match described_by(error(), "password").0 { Some(e) => format!("{e} password-hint"), None => "password-hint".into() }
                    aria-invalid=move || described_by(error(), "password").1/>
                <label for="confirm">{td_string!(l, reset.confirm)}</label>
                <input id="confirm" name="confirm" type="password" autocomplete="new-password" required minlength="8"
                    aria-describedby=move || described_by(error(), "confirm").0 aria-invalid=move || described_by(error(), "confirm").1/>
                <button type="submit" class="primary" disabled=move || action.pending().get()>{td_string!(l, reset.submit)}</button>
            </ActionForm>
        </section>
    }
}
