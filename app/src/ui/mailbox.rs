//! The demo Mailbox: what the portal has sent, when mail goes to files (configuration).

use leptos::prelude::*;
use leptos_meta::Title;

use super::components::ErrorNotice;
use crate::api::mailbox;

#[component]
pub fn MailboxPage() -> impl IntoView {
    let mails = Resource::new(|| (), |_| mailbox());
    view! {
        <Title text="Mailbox"/>
        <h1>"Mailbox"</h1>
        <p class="hint">"Mail the portal has sent, newest first. This page exists only in the demo, where mail is written to files instead of going out by SMTP."</p>
        <Suspense fallback=|| view! { <p class="loading">"Loading mail…"</p> }>
            {move || mails.get().map(|r| match r {
                Ok(list) if list.is_empty() => view! { <p>"No mail yet."</p> }.into_any(),
                Ok(list) => view! {
                    <ul class="mailbox">
                        {list.into_iter().map(|m| view! {
                            <li class="card">
                                <details>
                                    <summary>
                                        <strong>{m.subject.clone()}</strong>
                                        <span class="sub">" To " {m.to.clone()} " · " {m.date.clone()}</span>
                                    </summary>
                                    <pre class="mail-text">{m.text.clone()}</pre>
                                    <p class="sub">"Message-ID " {m.message_id.clone()}</p>
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
