//! Forgot password (R-AUTH-2): ask for a link, then choose a new password (R-AUTH-1). Both forms
//! work without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::components::ErrorNotice;
use crate::api::{RequestPasswordReset, ResetPassword};

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<RequestPasswordReset>::new();
    view! {
        <Title text="Forgot password"/>
        <section class="card narrow">
            <h1>"Forgot password"</h1>
            {move || action.value().get().map(|r| match r {
                Ok(message) => view! { <div class="notice notice-success" role="status">{message}</div> }.into_any(),
                Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
            })}
            <p>"Enter the e-mail address of your account. We will send you a link to choose a new password."</p>
            <ActionForm action=action>
                <label for="email">"E-mail"</label>
                <input id="email" name="email" type="email" autocomplete="username" required/>
                <button type="submit" class="primary" disabled=move || action.pending().get()>"Send the link"</button>
            </ActionForm>
            <p><A href=crate::contract::links::SIGN_IN>"Back to sign in"</A></p>
        </section>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let action = ServerAction::<ResetPassword>::new();
    let query = use_query_map();
    let token = move || query.get().get("token").unwrap_or_default();
    view! {
        <Title text="Choose a new password"/>
        <section class="card narrow">
            <h1>"Choose a new password"</h1>
            {move || action.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice error=e/> })}
            <p class="hint">"At least 8 characters, with a letter, a digit and at least 3 different characters. You will be signed out everywhere."</p>
            <ActionForm action=action>
                <input type="hidden" name="token" value=token/>
                <label for="password">"New password"</label>
                <input id="password" name="password" type="password" autocomplete="new-password" required minlength="8"/>
                <label for="confirm">"Repeat the new password"</label>
                <input id="confirm" name="confirm" type="password" autocomplete="new-password" required minlength="8"/>
                <button type="submit" class="primary" disabled=move || action.pending().get()>"Save the new password"</button>
            </ActionForm>
        </section>
    }
}
