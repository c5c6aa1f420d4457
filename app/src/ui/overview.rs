//! The Billing and orders overview (`/billing`, R-EXT-7), the buyers' landing page: what falls
//! due in the next 90 days, the spending of the last 5 months and this month as a chart drawn on
//! the server (SVG, readable without JavaScript, with a table of the same numbers for screen
//! readers and for reading exact amounts), and the renewal calendar of the next 12 months.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::components::{Authenticated, ErrorNotice};
use crate::api::overview;
use crate::contract::dto::{DueItem, DueKind, OverviewPage, SpendingChart};
use crate::contract::links;
use crate::domain::overview::{CalendarMonth, PLOT_BOTTOM, PLOT_LEFT, PLOT_WIDTH, SpendingState};
use crate::i18n::{Locale, td_string};
use crate::words;

fn state_word(l: Locale, s: SpendingState) -> String {
    match s {
        SpendingState::Paid => td_string!(l, overview.paid),
        SpendingState::PaymentError => td_string!(l, overview.payment_error),
        SpendingState::Due => td_string!(l, overview.due),
    }
    .to_string()
}

fn state_class(s: SpendingState) -> &'static str {
    match s {
        SpendingState::Paid => "seg seg-paid",
        SpendingState::PaymentError => "seg seg-error",
        SpendingState::Due => "seg seg-due",
    }
}

#[component]
pub fn OverviewPage() -> impl IntoView {
    let l = expect_context::<Locale>();
    let page = Resource::new(|| (), |_| overview());
    view! {
        <Title text=td_string!(l, overview.title)/>
        <h1>{td_string!(l, overview.title)}</h1>
        <Authenticated children=move |_me| view! {
            <Suspense fallback=move || view! { <p class="loading">{td_string!(l, app.loading)}</p> }>
                {move || page.get().map(|r| match r {
                    Ok(p) => view! { <Overview p/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                })}
            </Suspense>
        }/>
    }
}

#[component]
fn Overview(p: OverviewPage) -> impl IntoView {
    let l = expect_context::<Locale>();
    view! {
        <section class="card" aria-labelledby="h-due">
            <h2 id="h-due">{td_string!(l, overview.due_title)}</h2>
            <p class="sub">{td_string!(l, overview.due_range, from = words::date(l, p.today), to = words::date(l, p.horizon_end))}</p>
            <DueList items=p.due.clone()/>
        </section>
        <section class="card" aria-labelledby="h-spending">
            <h2 id="h-spending">{td_string!(l, overview.spending_title)}</h2>
            {if p.spending.is_empty() {
                view! { <p>{td_string!(l, overview.no_spending)}</p> }.into_any()
            } else {
                p.spending.iter().cloned().map(|c| view! { <Chart c/> }).collect_view().into_any()
            }}
        </section>
        <section class="card" aria-labelledby="h-calendar">
            <h2 id="h-calendar">{td_string!(l, overview.calendar_title)}</h2>
            <p class="hint">{td_string!(l, overview.calendar_hint)}</p>
            <Calendar months=p.calendar.clone()/>
        </section>
    }
}

#[component]
fn DueList(items: Vec<DueItem>) -> impl IntoView {
    let l = expect_context::<Locale>();
    if items.is_empty() {
        return view! { <p>{td_string!(l, overview.nothing_due)}</p> }.into_any();
    }
    let rows = items
        .into_iter()
        .map(|d| {
            let what = match d.kind {
                DueKind::Invoice { number, overdue } => {
                    let label = if overdue {
                        td_string!(l, overview.invoice_overdue, number = number.clone())
                    } else {
                        td_string!(l, overview.invoice_due, number = number.clone())
                    };
                    view! { <A href=links::invoice(&number)>{label}</A> }.into_any()
                }
                DueKind::Renewal { id, product_name } => view! {
                    <A href=links::subscription(id)>{td_string!(l, overview.renews, product = product_name, id = id.to_string())}</A>
                }
                .into_any(),
                DueKind::Expiry { id, product_name, status } => view! {
                    <A href=links::subscription(id)>{td_string!(l, overview.expires, product = product_name, id = id.to_string())}</A>
                    " " {words::status(l, status)}
                }
                .into_any(),
            };
            view! {
                <tr>
                    <td>{words::date(l, d.day)}</td>
                    <td>{what}</td>
                    <td class="num">{d.amount.map(|m| words::amount(l, m)).unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap"><table class="list">
            <caption class="visually-hidden">{td_string!(l, overview.due_title)}</caption>
            <thead><tr>
                <th scope="col">{td_string!(l, overview.col_date)}</th>
                <th scope="col">{td_string!(l, overview.col_what)}</th>
                <th scope="col" class="num">{td_string!(l, overview.col_amount)}</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table></div>
    }
    .into_any()
}

/// One currency's spending: the stacked bar chart as SVG, its legend, and the same numbers as a
/// table.
#[component]
fn Chart(c: SpendingChart) -> impl IntoView {
    let l = expect_context::<Locale>();
    let lang = words::lang(l);
    let code = c.currency.code();
    let title_id = format!("chart-{code}-title");
    let desc_id = format!("chart-{code}-desc");
    let title = td_string!(l, overview.chart_title, currency = code);
    let desc = td_string!(l, overview.chart_desc);
    let labelled_by = format!("{title_id} {desc_id}");
    let layout = c.layout.clone();
    let ticks = layout
        .ticks
        .iter()
        .map(|t| {
            let label = words::amount(l, t.value);
            view! {
                <line class="grid" x1=PLOT_LEFT x2=PLOT_LEFT + PLOT_WIDTH y1=t.y y2=t.y/>
                <text class="tick" x=PLOT_LEFT - 6 y=t.y + 4 text-anchor="end">{label}</text>
            }
        })
        .collect_view();
    let bars = layout
        .bars
        .iter()
        .map(|b| {
            let segments = b
                .segments
                .iter()
                .map(|s| {
                    let tip = format!("{}: {}", state_word(l, s.state), words::amount(l, s.amount));
                    view! { <rect class=state_class(s.state) x=b.x y=s.y width=b.width height=s.height><title>{tip}</title></rect> }
                })
                .collect_view();
            view! {
                <g>
                    {segments}
                    <text class="month" x=b.x + b.width / 2 y=PLOT_BOTTOM + 18 text-anchor="middle">{lang.month_short(b.month)}</text>
                </g>
            }
        })
        .collect_view();
    let rows = c
        .months
        .iter()
        .map(|m| {
            let total = m.total().map(|t| words::amount(l, t)).unwrap_or_default();
            view! {
                <tr>
                    <th scope="row">{lang.month_year(m.month)}</th>
                    <td class="num">{words::amount(l, m.paid)}</td>
                    <td class="num">{words::amount(l, m.payment_error)}</td>
                    <td class="num">{words::amount(l, m.due)}</td>
                    <td class="num">{total}</td>
                </tr>
            }
        })
        .collect_view();
    let legend = SpendingState::STACK_ORDER
        .into_iter()
        .map(|s| view! { <li><span class=format!("swatch {}", state_class(s))></span>{state_word(l, s)}</li> })
        .collect_view();
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {} {}", layout.width, layout.height) width="100%" role="img"
                aria-labelledby=labelled_by>
                <title id=title_id>{title.clone()}</title>
                <desc id=desc_id>{desc}</desc>
                {ticks}
                <line class="axis" x1=PLOT_LEFT x2=PLOT_LEFT + PLOT_WIDTH y1=PLOT_BOTTOM y2=PLOT_BOTTOM/>
                {bars}
            </svg>
            <ul class="legend">{legend}</ul>
            <div class="table-wrap"><table class="list">
                <caption>{td_string!(l, overview.table_caption, currency = code)}</caption>
                <thead><tr>
                    <th scope="col">{td_string!(l, overview.col_month)}</th>
                    <th scope="col" class="num">{td_string!(l, overview.paid)}</th>
                    <th scope="col" class="num">{td_string!(l, overview.payment_error)}</th>
                    <th scope="col" class="num">{td_string!(l, overview.due)}</th>
                    <th scope="col" class="num">{td_string!(l, overview.col_total)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table></div>
        </figure>
    }
}

#[component]
fn Calendar(months: Vec<CalendarMonth>) -> impl IntoView {
    let l = expect_context::<Locale>();
    let lang = words::lang(l);
    let rows = months
        .into_iter()
        .map(|m| {
            let count: u32 = m.totals.iter().map(|t| t.subscriptions).sum();
            let amounts = if m.totals.is_empty() {
                "—".to_string()
            } else {
                m.totals.iter().map(|t| words::amount(l, t.amount)).collect::<Vec<_>>().join(" · ")
            };
            view! {
                <tr>
                    <th scope="row">{lang.month_year(m.month)}</th>
                    <td class="num">{count}</td>
                    <td class="num">{amounts}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap"><table class="list">
            <caption class="visually-hidden">{td_string!(l, overview.calendar_title)}</caption>
            <thead><tr>
                <th scope="col">{td_string!(l, overview.col_month)}</th>
                <th scope="col" class="num">{td_string!(l, overview.col_renewing)}</th>
                <th scope="col" class="num">{td_string!(l, overview.col_amount)}</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table></div>
    }
}
