//! Profile and roles (`/account`): who is signed in, in which organisation, with which roles;
//! the user changes their name, language and password here (a password change ends every other
//! session). Every form works without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::components::{Authenticated, ErrorNotice, described_by};
use crate::api::{ChangePassword, UpdateProfile};
use crate::contract::links;
use crate::domain::locale::Locale as Lang;
use crate::i18n::{Locale, td_string};
use crate::words;

#[component]
pub fn AccountPage() -> impl IntoView {
    let l = expect_context::<Locale>();
    let query = use_query_map();
    let notice = move || match query.get().get("notice").as_deref() {
        Some("profile-saved") => Some(td_string!(l, account.profile_saved)),
        Some("password-changed") => Some(td_string!(l, account.password_changed)),
        _ => None,
    };
    view! {
        <Title text=td_string!(l, account.title)/>
        <h1>{td_string!(l, account.title)}</h1>
        <Authenticated children=move |me| {
            let explain = me.roles.iter().map(|r| view! {
                <li><strong>{words::role(l, *r)}</strong>": "{words::role_meaning(l, *r)}</li>
            }).collect_view();
            view! {
                {move || notice().map(|text| view! { <p class="notice notice-success" role="status">{text}</p> })}
                <dl class="facts">
                    <dt>{td_string!(l, account.name)}</dt><dd>{me.display_name.clone()}</dd>
                    <dt>{td_string!(l, account.email)}</dt><dd>{me.email.clone()}</dd>
                    <dt>{td_string!(l, account.organisation)}</dt><dd>{me.org_name.clone()}</dd>
                </dl>
                <h2>{td_string!(l, account.roles)}</h2>
                <ul class="roles">{explain}</ul>
                <p class="hint">{td_string!(l, account.buyer_change)}</p>
                <NameForm name=me.display_name.clone()/>
                <LanguageForm/>
                <PasswordForm/>
            }
        }/>
    }
}

#[component]
fn NameForm(name: String) -> impl IntoView {
    let l = expect_context::<Locale>();
    let save = ServerAction::<UpdateProfile>::new();
    let error = move || save.value().get().and_then(|r| r.err());
    view! {
        <section class="card" aria-labelledby="h-name">
            <h2 id="h-name">{td_string!(l, account.name_title)}</h2>
            {move || error().map(|e| view! { <ErrorNotice error=e/> })}
            <ActionForm action=save>
                <label for="profile-name">{td_string!(l, account.name)}</label>
                <input id="profile-name" name="name" type="text" value=name autocomplete="name" required maxlength="100"
                    aria-describedby=move || described_by(error(), "name").0 aria-invalid=move || described_by(error(), "name").1/>
                <button type="submit" disabled=move || save.pending().get()>{td_string!(l, account.save_name)}</button>
            </ActionForm>
        </section>
    }
}

/// The language for pages and mail: the same server function as the header's switcher.
#[component]
fn LanguageForm() -> impl IntoView {
    let l = expect_context::<Locale>();
    let current = words::lang(l);
    view! {
        <section class="card" aria-labelledby="h-language">
            <h2 id="h-language">{td_string!(l, account.language_title)}</h2>
            <form method="post" action=links::SET_LANGUAGE>
                <input type="hidden" name="back" value=links::account_notice("profile-saved")/>
                <label for="profile-language">{td_string!(l, account.language)}</label>
                <select id="profile-language" name="locale">
                    {Lang::ALL.into_iter().map(|lang| view! {
                        <option value=lang.code() selected=lang == current>{lang.native_name()}</option>
                    }).collect_view()}
                </select>
                <span class="hint">{td_string!(l, account.language_hint)}</span>
                <button type="submit">{td_string!(l, account.save_language)}</button>
            </form>
        </section>
    }
}

#[component]
fn PasswordForm() -> impl IntoView {
    let l = expect_context::<Locale>();
    let change = ServerAction::<ChangePassword>::new();
    let error = move || change.value().get().and_then(|r| r.err());
    let about = move |field: &'static str| described_by(error(), field);
    view! {
        <section class="card" aria-labelledby="h-password">
            <h2 id="h-password">{td_string!(l, account.password_title)}</h2>
            {move || error().map(|e| view! { <ErrorNotice error=e/> })}
            <p class="hint" id="new-password-hint">{td_string!(l, reset.hint)}</p>
            <ActionForm action=change>
                <label for="current-password">{td_string!(l, account.current_password)}</label>
                <input id="current-password" name="current" type="password" autocomplete="current-password" required
                    aria-describedby=move || about("current").0 aria-invalid=move || about("current").1/>
                <label for="new-password">{td_string!(l, account.new_password)}</label>
                <input id="new-password" name="password" type="password" autocomplete="new-password" required minlength="8"
                    aria-describedby=move || match about("password").0 { Some(e) => format!("{e} new-password-hint"), None => "new-password-hint".into() }
                    aria-invalid=move || about("password").1/>
                <label for="confirm-password">{td_string!(l, reset.confirm)}</label>
                <input id="confirm-password" name="confirm" type="password" autocomplete="new-password" required minlength="8"
                    aria-describedby=move || about("confirm").0 aria-invalid=move || about("confirm").1/>
                <p class="hint">{td_string!(l, account.password_sessions)}</p>
                <button type="submit" class="primary" disabled=move || change.pending().get()>{td_string!(l, account.change_password)}</button>
            </ActionForm>
        </section>
    }
}
