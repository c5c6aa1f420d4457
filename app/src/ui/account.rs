//! Profile and roles: who is signed in, in which organisation, with which roles.

use leptos::prelude::*;
use leptos_meta::Title;

use super::components::Authenticated;
use crate::i18n::{Locale, td_string};
use crate::words;

#[component]
pub fn AccountPage() -> impl IntoView {
    let l = expect_context::<Locale>();
    view! {
        <Title text=td_string!(l, account.title)/>
        <h1>{td_string!(l, account.title)}</h1>
        <Authenticated children=move |me| {
            let explain = me.roles.iter().map(|r| view! {
                <li><strong>{words::role(l, *r)}</strong>": "{words::role_meaning(l, *r)}</li>
            }).collect_view();
            view! {
                <dl class="facts">
                    <dt>{td_string!(l, account.name)}</dt><dd>{me.display_name.clone()}</dd>
                    <dt>{td_string!(l, account.email)}</dt><dd>{me.email.clone()}</dd>
                    <dt>{td_string!(l, account.organisation)}</dt><dd>{me.org_name.clone()}</dd>
                </dl>
                <h2>{td_string!(l, account.roles)}</h2>
                <ul class="roles">{explain}</ul>
                <p class="hint">{td_string!(l, account.buyer_change)}</p>
            }
        }/>
    }
}
