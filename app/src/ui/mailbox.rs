//! The demo Mailbox: what the portal has sent, when mail goes to files (configuration).

use leptos::prelude::*;
use leptos_meta::Title;

use super::components::ErrorNotice;
use crate::api::mailbox;
use crate::i18n::{Locale, td_string};

#[component]
pub fn MailboxPage() -> impl IntoView {
    let l = expect_context::<Locale>();
    let query = leptos_router::hooks::use_query_map();
    let q = move || query.get().get("q").unwrap_or_default();
    let mails = Resource::new(q, mailbox);
    view! {
        <Title text=td_string!(l, mailbox.title)/>
        <h1>{td_string!(l, mailbox.title)}</h1>
        <p class="hint">{td_string!(l, mailbox.hint)}</p>
        // A plain GET form: works without JavaScript.
        <leptos_router::components::Form method="GET" action=crate::contract::links::MAILBOX attr:class="next-term">
            <label>
                {td_string!(l, mailbox.search)}
                <input type="search" name="q" value=q/>
            </label>
            <button type="submit">{td_string!(l, mailbox.search_button)}</button>
        </leptos_router::components::Form>
        <Suspense fallback=move || view! { <p class="loading">{td_string!(l, mailbox.loading)}</p> }>
            {move || mails.get().map(|r| match r {
                Ok(list) if list.is_empty() => view! { <p>{td_string!(l, mailbox.empty)}</p> }.into_any(),
                Ok(list) => view! {
                    <ul class="mailbox">
                        {list.into_iter().map(|m| view! {
                            <li class="card">
                                <details>
                                    <summary>
                                        <strong>{m.subject.clone()}</strong>
                                        <span class="sub">" " {td_string!(l, mailbox.to, to = m.to.clone(), date = m.date.clone())}</span>
                                    </summary>
                                    <pre class="mail-text">{m.text.clone()}</pre>
                                    {(!m.attachments.is_empty()).then(|| view! {
                                        <p>{td_string!(l, mailbox.attached, names = m.attachments.join(", "))}</p>
                                    })}
                                    <p class="sub">{td_string!(l, mailbox.message_id, id = m.message_id.clone())}</p>
                                </details>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any(),
                Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
            })}
        </Suspense>
    }
}
