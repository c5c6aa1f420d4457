//! Accepting an invitation (`/accept-invitation?token=...`, the link of the invitation mail):
//! the organisation, address and role it opens, and a form for a name and a password
//! (R-AUTH-1). Works without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::components::{ErrorNotice, described_by};
use crate::api::{AcceptInvitation, invitation};
use crate::domain::person::MAX_NAME;
use crate::i18n::{Locale, td_string};
use crate::words;

#[component]
pub fn AcceptInvitationPage() -> impl IntoView {
    let l = expect_context::<Locale>();
    let query = use_query_map();
    let token = move || query.get().get("token").unwrap_or_default();
    let opened = Resource::new(token, invitation);
    let action = ServerAction::<AcceptInvitation>::new();
    let error = move || action.value().get().and_then(|r| r.err());
    let about = move |field: &'static str| described_by(error(), field);
    view! {
        <Title text=td_string!(l, invite.title)/>
        <section class="card narrow">
            <h1>{td_string!(l, invite.title)}</h1>
            <Suspense fallback=move || view! { <p class="loading">{td_string!(l, app.loading)}</p> }>
                {move || opened.get().map(|r| match r {
                    Ok(i) => view! {
                        <p>{td_string!(l, invite.intro, org = i.org_name.clone(), role = words::role(l, i.role))}</p>
                        <p class="sub">{td_string!(l, invite.until, date = words::date(l, i.expires_on))}</p>
                        {move || error().map(|e| view! { <ErrorNotice error=e/> })}
                        <p class="hint" id="password-hint">{td_string!(l, invite.hint)}</p>
                        <ActionForm action=action>
                            <input type="hidden" name="token" value=token/>
                            <label for="email">{td_string!(l, sign_in.email)}</label>
                            <input id="email" type="email" value=i.email.clone() readonly autocomplete="username"/>
                            <label for="name">{td_string!(l, invite.name)}</label>
                            <input id="name" name="name" type="text" required maxlength=MAX_NAME autocomplete="name"
                                aria-describedby=move || about("name").0 aria-invalid=move || about("name").1/>
                            <label for="password">{td_string!(l, reset.password)}</label>
                            <input id="password" name="password" type="password" autocomplete="new-password" required minlength="8"
                                aria-describedby=move || match about("password").0 { Some(e) => format!("{e} password-hint"), None => "password-hint".into() }
                                aria-invalid=move || about("password").1/>
                            <label for="confirm">{td_string!(l, reset.confirm)}</label>
                            <input id="confirm" name="confirm" type="password" autocomplete="new-password" required minlength="8"
                                aria-describedby=move || about("confirm").0 aria-invalid=move || about("confirm").1/>
                            <button type="submit" class="primary" disabled=move || action.pending().get()>{td_string!(l, invite.submit)}</button>
                        </ActionForm>
                    }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}
