//! The Billing and orders overview (R-EXT-7): what falls due in the next 90 days, the spending
//! summary of the last 5 months plus the current month split into due, payment error and paid,
//! the geometry of its stacked bar chart, and a renewal calendar of the next 12 months.
//!
//! Pure and integer-only: `today` is a parameter (the customer's local day), amounts are
//! [`Money`] minor units, and chart coordinates are whole pixels computed in `i128`. Months are
//! represented by their first day. Near chrono's date limits (year ±262,000) month lists saturate
//! at the first or last representable month instead of panicking.

use std::cmp::Ordering;

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::domain::money::{Currency, Money, MoneyError};

/// The overview lists the payments and expirations due within this many days of today (R-EXT-7).
pub const HORIZON_DAYS: i64 = 90;

/// Whether `day` is due within the overview's horizon (R-EXT-7): from `today` to `today` + 90
/// days, both included. Days before today are not.
pub fn within_horizon(today: NaiveDate, day: NaiveDate) -> bool {
    (0..=HORIZON_DAYS).contains(&(day - today).num_days())
}

/// The last day of the horizon (R-EXT-7), today + 90 days, for range queries; saturates at
/// [`NaiveDate::MAX`].
pub fn horizon_end(today: NaiveDate) -> NaiveDate {
    today.checked_add_days(Days::new(HORIZON_DAYS.unsigned_abs())).unwrap_or(NaiveDate::MAX)
}

/// The first day of the month `day` is in.
pub fn month_start(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// The first day of the month `by` months after (before, if negative) the month of `day`,
/// saturating at the first or last representable month.
fn shift_month(day: NaiveDate, by: i32) -> NaiveDate {
    let month = month_start(day);
    let months = Months::new(by.unsigned_abs());
    if by >= 0 {
        month.checked_add_months(months).unwrap_or(month_start(NaiveDate::MAX))
    } else {
        month.checked_sub_months(months).unwrap_or(month_start(NaiveDate::MIN))
    }
}

/// Orders currencies by their ISO code (EUR, GBP, JPY, SEK, USD), not by declaration order.
fn by_code(a: &Currency, b: &Currency) -> Ordering {
    a.code().cmp(b.code())
}

/// Where an amount of the spending summary stands (R-EXT-7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpendingState {
    /// Invoiced and not paid yet.
    Due,
    /// A payment was attempted and failed.
    PaymentError,
    Paid,
}

impl SpendingState {
    /// The order of the chart's stacked segments, bottom-up: paid, payment error, due.
    pub const STACK_ORDER: [SpendingState; 3] = [SpendingState::Paid, SpendingState::PaymentError, SpendingState::Due];
}

/// One month of the spending summary (R-EXT-7), all amounts in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpendingMonth {
    /// The first day of the month.
    pub month: NaiveDate,
    pub due: Money,
    pub payment_error: Money,
    pub paid: Money,
}

impl SpendingMonth {
    /// A month with nothing in it.
    pub fn empty(month: NaiveDate, currency: Currency) -> SpendingMonth {
        let zero = Money::zero(currency);
        SpendingMonth { month, due: zero, payment_error: zero, paid: zero }
    }

    /// The amount in `state`.
    pub fn amount(&self, state: SpendingState) -> Money {
        match state {
            SpendingState::Due => self.due,
            SpendingState::PaymentError => self.payment_error,
            SpendingState::Paid => self.paid,
        }
    }

    fn amount_mut(&mut self, state: SpendingState) -> &mut Money {
        match state {
            SpendingState::Due => &mut self.due,
            SpendingState::PaymentError => &mut self.payment_error,
            SpendingState::Paid => &mut self.paid,
        }
    }

    /// Due, payment error and paid together.
    pub fn total(&self) -> Result<Money, MoneyError> {
        self.paid.checked_add(self.payment_error)?.checked_add(self.due)
    }
}

/// The months of the spending summary (R-EXT-7): the first days of the 5 previous months and of
/// the current month, oldest first (today 2026-02-10 gives 2025-09-01 to 2026-02-01).
pub fn spending_months(today: NaiveDate) -> [NaiveDate; 6] {
    std::array::from_fn(|i| shift_month(today, i as i32 - 5))
}

/// The spending summary in `currency` (R-EXT-7): always the 6 months of [`spending_months`],
/// oldest first, each split into due, payment error and paid (zero where nothing). `items` are
/// (invoice day, amount, state); whole months count, so an item dated later in the current month
/// counts in it. Items outside those months or in another currency are ignored; a sum that does
/// not fit is [`MoneyError::Overflow`].
pub fn spending_summary(
    today: NaiveDate,
    currency: Currency,
    items: impl IntoIterator<Item = (NaiveDate, Money, SpendingState)>,
) -> Result<Vec<SpendingMonth>, MoneyError> {
    let mut months: Vec<SpendingMonth> =
        spending_months(today).into_iter().map(|month| SpendingMonth::empty(month, currency)).collect();
    for (day, amount, state) in items {
        if amount.currency() != currency {
            continue;
        }
        let month = month_start(day);
        if let Some(slot) = months.iter_mut().find(|m| m.month == month) {
            let cell = slot.amount_mut(state);
            *cell = cell.checked_add(amount)?;
        }
    }
    Ok(months)
}

/// The currencies that have items in the spending summary's months (R-EXT-7), each once, sorted
/// by code: one summary and chart per currency. Empty when there is nothing to show.
pub fn spending_currencies(
    today: NaiveDate,
    items: impl IntoIterator<Item = (NaiveDate, Money, SpendingState)>,
) -> Vec<Currency> {
    let months = spending_months(today);
    let mut currencies: Vec<Currency> = items
        .into_iter()
        .filter(|(day, _, _)| months.contains(&month_start(*day)))
        .map(|(_, amount, _)| amount.currency())
        .collect();
    currencies.sort_by(by_code);
    currencies.dedup();
    currencies
}

/// Width of the whole chart (the SVG `viewBox`), in pixels.
pub const CHART_WIDTH: u32 = 600;
/// Height of the whole chart (the SVG `viewBox`), in pixels.
pub const CHART_HEIGHT: u32 = 240;
/// Left edge of the plot area; the margin left of it holds the tick labels.
pub const PLOT_LEFT: u32 = 80;
/// Top edge of the plot area: the y of the top tick. The margin above keeps its label in view.
pub const PLOT_TOP: u32 = 10;
/// Width of the plot area (10 px margin on the right).
pub const PLOT_WIDTH: u32 = 510;
/// Height of the plot area; the 30 px below it hold the month labels.
pub const PLOT_HEIGHT: u32 = 200;
/// The baseline: y of the zero tick and of the bottom of every bar.
pub const PLOT_BOTTOM: u32 = PLOT_TOP + PLOT_HEIGHT;
/// The axis has at most this many intervals between ticks (so 2 to 5 ticks when not all zero).
pub const MAX_TICK_INTERVALS: i128 = 4;

/// The geometry of the spending chart: a stacked bar per month. Whole pixels, y grows downwards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartLayout {
    /// [`CHART_WIDTH`].
    pub width: u32,
    /// [`CHART_HEIGHT`].
    pub height: u32,
    /// One per month, in the order given.
    pub bars: Vec<BarLayout>,
    /// From 0 (at [`PLOT_BOTTOM`]) up to the top tick (at [`PLOT_TOP`]).
    pub ticks: Vec<Tick>,
}

/// One month's bar. Its month label goes under `x + width / 2`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BarLayout {
    pub month: NaiveDate,
    pub x: u32,
    pub width: u32,
    /// Bottom-up in [`SpendingState::STACK_ORDER`]; only states with a positive amount.
    pub segments: Vec<SegmentLayout>,
}

/// One state's part of a bar: a rectangle from `y` down to `y + height`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentLayout {
    pub state: SpendingState,
    /// The amount drawn, for a tooltip.
    pub amount: Money,
    pub y: u32,
    /// At least 1.
    pub height: u32,
}

/// An axis value and the y of its grid line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tick {
    pub value: Money,
    pub y: u32,
}

/// Pixels for `amount` minor units when `top` fills the plot height, rounded half up
/// (`0 <= amount <= top`, `top > 0`, so the answer lies in `0..=PLOT_HEIGHT`).
fn scale(amount: i128, top: i128) -> i128 {
    (2 * amount * i128::from(PLOT_HEIGHT) + top) / (2 * top)
}

/// The axis step for a tallest bar of `max` minor units (> 0): the smallest of 1, 2, 2.5, 5 ×
/// 10^n minor units (2.5 only from 25 up, so steps are whole minor units) with at most
/// [`MAX_TICK_INTERVALS`] intervals up to `max`. For 1,234.56 EUR the step is 500.00 EUR.
fn nice_step(max: i128) -> i128 {
    let mut magnitude: i128 = 1;
    // `max` is at most 3 × i64::MAX (< 3 × 10^19): a step of 10^19 always fits, long before i128 ends.
    loop {
        let half_decade = if magnitude >= 10 { Some(magnitude / 10 * 25) } else { None };
        let candidates = [Some(magnitude), Some(2 * magnitude), half_decade, Some(5 * magnitude)];
        for step in candidates.into_iter().flatten() {
            if (max + step - 1) / step <= MAX_TICK_INTERVALS {
                return step;
            }
        }
        magnitude *= 10;
    }
}

/// The pixel heights of a bar's segments (amounts ≥ 0, bottom-up, `top > 0`). Each boundary is
/// its cumulative amount scaled and rounded, so boundaries line up with the ticks; then every
/// positive amount gets at least 1 px, taken back from the tallest segment (the lowest of equal
/// ones) so the bar stays as tall as its rounded total, or 1 px per positive amount if taller.
fn stack_heights(amounts: [i128; 3], top: i128) -> [i128; 3] {
    let mut heights = [0i128; 3];
    let (mut below, mut below_px) = (0i128, 0i128);
    for (height, amount) in heights.iter_mut().zip(amounts) {
        below += amount;
        let px = scale(below, top);
        *height = px - below_px;
        below_px = px;
    }
    let positive = amounts.iter().filter(|a| **a > 0).count() as i128;
    let bar = below_px.max(positive);
    for (height, amount) in heights.iter_mut().zip(amounts) {
        if amount > 0 && *height == 0 {
            *height = 1;
        }
    }
    // Each positive amount has 1 px and `bar` >= their count, so while the sum is over `bar`
    // the tallest segment has at least 2 px.
    while heights.iter().sum::<i128>() > bar {
        let tallest = (0..heights.len()).fold(0, |best, i| if heights[i] > heights[best] { i } else { best });
        heights[tallest] -= 1;
    }
    heights
}

/// Lays out the spending chart of `months` in `currency` (R-EXT-7) as whole pixels (see the
/// `PLOT_*` constants). The months share the plot width in equal slots, each bar 3/5 of its slot,
/// centred. The ticks run from 0 to the smallest multiple of a "nice" step (1, 2, 2.5 or 5 × 10^n
/// minor units) at or above the tallest bar, at most [`MAX_TICK_INTERVALS`] intervals: 1,234.56 EUR
/// gives 0, 500, 1,000, 1,500 EUR. The top tick is at [`PLOT_TOP`], so the tallest bar fits under
/// it; heights are proportional, rounded to whole pixels, at least 1 px per positive amount.
/// Negative amounts and amounts in another currency are drawn as nothing. All zero gives bars with
/// no segments and the single tick 0. A top tick beyond `i64` minor units is [`MoneyError::Overflow`].
pub fn spending_chart(currency: Currency, months: &[SpendingMonth]) -> Result<ChartLayout, MoneyError> {
    let drawn = |m: &SpendingMonth| {
        SpendingState::STACK_ORDER.map(|state| {
            let amount = m.amount(state);
            if amount.currency() == currency { i128::from(amount.minor().max(0)) } else { 0 }
        })
    };
    let max = months.iter().map(|m| drawn(m).iter().sum::<i128>()).max().unwrap_or(0);
    let to_money = |minor: i128| -> Result<Money, MoneyError> {
        Ok(Money::from_minor(i64::try_from(minor).map_err(|_| MoneyError::Overflow)?, currency))
    };
    if max == 0 {
        let bars = months.iter().enumerate().map(|(i, m)| bar_frame(i, months.len(), m.month)).collect();
        let ticks = vec![Tick { value: Money::zero(currency), y: PLOT_BOTTOM }];
        return Ok(ChartLayout { width: CHART_WIDTH, height: CHART_HEIGHT, bars, ticks });
    }
    let step = nice_step(max);
    let intervals = (max + step - 1) / step;
    let top = intervals * step;
    let ticks = (0..=intervals)
        .map(|i| {
            // `scale` lies in 0..=PLOT_HEIGHT.
            Ok(Tick { value: to_money(i * step)?, y: PLOT_BOTTOM - scale(i * step, top) as u32 })
        })
        .collect::<Result<Vec<Tick>, MoneyError>>()?;
    let bars = months
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let mut bar = bar_frame(i, months.len(), m.month);
            let amounts = drawn(m);
            let heights = stack_heights(amounts, top);
            let mut y = PLOT_BOTTOM;
            for ((state, amount), height) in SpendingState::STACK_ORDER.into_iter().zip(amounts).zip(heights) {
                if amount > 0 {
                    // Heights lie in 1..=PLOT_HEIGHT and add up to at most PLOT_HEIGHT.
                    let height = height as u32;
                    y -= height;
                    bar.segments.push(SegmentLayout { state, amount: m.amount(state), y, height });
                }
            }
            bar
        })
        .collect();
    Ok(ChartLayout { width: CHART_WIDTH, height: CHART_HEIGHT, bars, ticks })
}

/// The bar of month `index` of `count`, without segments.
fn bar_frame(index: usize, count: usize, month: NaiveDate) -> BarLayout {
    // index < count, so index × slot < PLOT_WIDTH.
    let slot = PLOT_WIDTH as usize / count;
    let width = slot * 3 / 5;
    let x = PLOT_LEFT as usize + index * slot + (slot - width) / 2;
    BarLayout { month, x: x as u32, width: width as u32, segments: Vec::new() }
}

/// How many months the renewal calendar shows, the current one first.
pub const CALENDAR_MONTHS: usize = 12;

/// One month of the renewal calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarMonth {
    /// The first day of the month.
    pub month: NaiveDate,
    /// One per currency renewing in the month, sorted by currency code; empty if none.
    pub totals: Vec<CalendarTotal>,
}

/// What renews in one currency in one month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarTotal {
    pub currency: Currency,
    /// How many renewals (one per item).
    pub subscriptions: u32,
    pub amount: Money,
}

/// The first days of the calendar's months: the current month and the 11 after it.
pub fn calendar_months(today: NaiveDate) -> [NaiveDate; CALENDAR_MONTHS] {
    std::array::from_fn(|i| shift_month(today, i as i32))
}

/// The renewal calendar: exactly [`CALENDAR_MONTHS`] months from the current one, each with the
/// number and sum of renewals per currency. `items` are (renewal day, amount), one per renewing
/// subscription; days before today and after the 12th month are ignored. A count or sum that does
/// not fit is [`MoneyError::Overflow`].
pub fn renewal_calendar(
    today: NaiveDate,
    items: impl IntoIterator<Item = (NaiveDate, Money)>,
) -> Result<Vec<CalendarMonth>, MoneyError> {
    let mut months: Vec<CalendarMonth> =
        calendar_months(today).into_iter().map(|month| CalendarMonth { month, totals: Vec::new() }).collect();
    for (day, amount) in items {
        if day < today {
            continue;
        }
        let month = month_start(day);
        let Some(slot) = months.iter_mut().find(|m| m.month == month) else {
            continue;
        };
        let currency = amount.currency();
        match slot.totals.binary_search_by(|t| by_code(&t.currency, &currency)) {
            Ok(i) => {
                let total = &mut slot.totals[i];
                total.subscriptions = total.subscriptions.checked_add(1).ok_or(MoneyError::Overflow)?;
                total.amount = total.amount.checked_add(amount)?;
            }
            Err(i) => slot.totals.insert(i, CalendarTotal { currency, subscriptions: 1, amount }),
        }
    }
    Ok(months)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::Eur)
    }

    fn month(month: NaiveDate, paid: i64, payment_error: i64, due: i64) -> SpendingMonth {
        SpendingMonth { month, due: eur(due), payment_error: eur(payment_error), paid: eur(paid) }
    }

    /// (state, y, height) of each segment of each bar.
    fn shapes(chart: &ChartLayout) -> Vec<Vec<(SpendingState, u32, u32)>> {
        chart.bars.iter().map(|b| b.segments.iter().map(|s| (s.state, s.y, s.height)).collect()).collect()
    }

    fn tick_values(chart: &ChartLayout) -> Vec<(i64, u32)> {
        chart.ticks.iter().map(|t| (t.value.minor(), t.y)).collect()
    }

    #[test]
    fn r_ext_7_horizon_is_today_to_day_90_inclusive() {
        // R-EXT-7
        let today = d(2026, 1, 15);
        assert!(within_horizon(today, today));
        assert!(within_horizon(today, d(2026, 4, 15))); // day 90
        assert!(!within_horizon(today, d(2026, 4, 16))); // day 91
        assert!(!within_horizon(today, d(2026, 1, 14))); // yesterday
        assert_eq!(horizon_end(today), d(2026, 4, 15));
        // Across a leap day: 2024-01-01 + 90 days is 2024-03-31.
        assert!(within_horizon(d(2024, 1, 1), d(2024, 3, 31)));
        assert!(!within_horizon(d(2024, 1, 1), d(2024, 4, 1)));
        assert_eq!(horizon_end(NaiveDate::MAX), NaiveDate::MAX);
    }

    #[test]
    fn r_ext_7_spending_months_are_the_last_5_and_the_current_one_across_a_year() {
        // R-EXT-7
        assert_eq!(
            spending_months(d(2026, 2, 10)),
            [d(2025, 9, 1), d(2025, 10, 1), d(2025, 11, 1), d(2025, 12, 1), d(2026, 1, 1), d(2026, 2, 1)]
        );
        assert_eq!(
            spending_months(d(2026, 8, 31)),
            [d(2026, 3, 1), d(2026, 4, 1), d(2026, 5, 1), d(2026, 6, 1), d(2026, 7, 1), d(2026, 8, 1)]
        );
        assert_eq!(spending_months(d(2026, 6, 1))[0], d(2026, 1, 1));
    }

    #[test]
    fn r_ext_7_summary_splits_due_payment_error_and_paid_per_month() {
        // R-EXT-7
        let today = d(2026, 2, 10);
        let items = [
            (d(2025, 9, 1), eur(100_00), SpendingState::Paid),
            (d(2025, 9, 30), eur(50_00), SpendingState::Paid),
            (d(2025, 12, 24), eur(20_00), SpendingState::PaymentError),
            (d(2026, 2, 28), eur(7_50), SpendingState::Due), // later this month: still this month
            (d(2026, 2, 1), eur(2_50), SpendingState::Due),
            (d(2025, 8, 31), eur(999_00), SpendingState::Paid), // 6 months ago: out
            (d(2026, 3, 1), eur(999_00), SpendingState::Due),   // next month: out
            (d(2025, 10, 5), Money::from_minor(999_00, Currency::Usd), SpendingState::Paid), // other currency
        ];
        let summary = spending_summary(today, Currency::Eur, items).unwrap();
        assert_eq!(
            summary,
            vec![
                month(d(2025, 9, 1), 150_00, 0, 0),
                month(d(2025, 10, 1), 0, 0, 0),
                month(d(2025, 11, 1), 0, 0, 0),
                month(d(2025, 12, 1), 0, 20_00, 0),
                month(d(2026, 1, 1), 0, 0, 0),
                month(d(2026, 2, 1), 0, 0, 10_00),
            ]
        );
        assert_eq!(summary[0].total(), Ok(eur(150_00)));
        // Nothing at all still gives the 6 months, in zeros of the currency asked for.
        let empty = spending_summary(today, Currency::Jpy, []).unwrap();
        assert_eq!(empty.len(), 6);
        assert!(empty.iter().all(|m| m.total() == Ok(Money::zero(Currency::Jpy))));
    }

    #[test]
    fn summary_sums_that_do_not_fit_are_an_error() {
        let today = d(2026, 2, 10);
        let items = [(today, eur(i64::MAX), SpendingState::Paid), (today, eur(1), SpendingState::Paid)];
        assert_eq!(spending_summary(today, Currency::Eur, items), Err(MoneyError::Overflow));
    }

    #[test]
    fn currencies_with_spending_are_listed_once_sorted_by_code() {
        let today = d(2026, 2, 10);
        let m = |minor, c| Money::from_minor(minor, c);
        let items = [
            (today, m(1, Currency::Usd), SpendingState::Paid),
            (today, m(1, Currency::Eur), SpendingState::Due),
            (today, m(1, Currency::Usd), SpendingState::Due),
            (d(2025, 9, 1), m(1, Currency::Jpy), SpendingState::PaymentError),
            (d(2025, 8, 31), m(1, Currency::Sek), SpendingState::Paid), // before the window
            (d(2026, 1, 2), m(1, Currency::Gbp), SpendingState::Paid),
        ];
        assert_eq!(spending_currencies(today, items), vec![Currency::Eur, Currency::Gbp, Currency::Jpy, Currency::Usd]);
        assert!(spending_currencies(today, []).is_empty());
    }

    #[test]
    fn nice_steps_are_1_2_2_5_or_5_times_a_power_of_ten_minor_units() {
        assert_eq!(nice_step(123_456), 50_000); // 1,234.56 EUR: 0, 500, 1,000, 1,500
        assert_eq!(nice_step(100), 25); // 1.00 EUR: 0, 0.25, 0.50, 0.75, 1.00
        assert_eq!(nice_step(101), 50);
        assert_eq!(nice_step(9), 5); // no 2.5-minor-unit step
        assert_eq!(nice_step(1), 1);
        assert_eq!(nice_step(9_999), 2_500);
        assert_eq!(nice_step(3 * i128::from(i64::MAX)), 10_000_000_000_000_000_000);
    }

    #[test]
    fn stacked_bars_are_proportional_and_fit_under_the_top_tick() {
        let months: Vec<SpendingMonth> = spending_months(d(2026, 2, 10))
            .into_iter()
            .enumerate()
            .map(|(i, m)| match i {
                0 => month(m, 600_00, 150_00, 300_00),
                5 => month(m, 1_000_00, 0, 234_56),
                _ => month(m, 0, 0, 0),
            })
            .collect();
        let chart = spending_chart(Currency::Eur, &months).unwrap();
        assert_eq!((chart.width, chart.height), (600, 240));
        // Top 1,500.00 EUR fills the 200 px: 500 EUR is 66.67 px, rounded per boundary.
        assert_eq!(tick_values(&chart), vec![(0, 210), (500_00, 143), (1_000_00, 77), (1_500_00, 10)]);
        // 600 + 150 + 300 = 1,050 EUR: 80 + 20 + 40 = 140 px exactly.
        // 1,000 EUR ends at 133.33 -> 133 px (the 1,000 tick, y 77); 1,234.56 at 164.61 -> 165, so due is 32 px.
        assert_eq!(
            shapes(&chart),
            vec![
                vec![
                    (SpendingState::Paid, 130, 80),
                    (SpendingState::PaymentError, 110, 20),
                    (SpendingState::Due, 70, 40)
                ],
                vec![],
                vec![],
                vec![],
                vec![],
                vec![(SpendingState::Paid, 77, 133), (SpendingState::Due, 45, 32)],
            ]
        );
        assert_eq!(chart.bars[5].segments[1].amount, eur(234_56));
        let frames: Vec<(NaiveDate, u32, u32)> = chart.bars.iter().map(|b| (b.month, b.x, b.width)).collect();
        assert_eq!(frames[0], (d(2025, 9, 1), 97, 51));
        assert_eq!(frames.iter().map(|f| f.1).collect::<Vec<_>>(), vec![97, 182, 267, 352, 437, 522]);
        assert!(frames.iter().all(|f| f.1 + f.2 <= PLOT_LEFT + PLOT_WIDTH));
    }

    #[test]
    fn every_positive_amount_gets_at_least_one_pixel() {
        let m = d(2026, 1, 1);
        // 1,499.99 + 0.01 = 1,500.00, the top tick: the bar stays 200 px, the cent takes 1 px from paid.
        // A lone cent in another month rounds to 0 px and is drawn 1 px.
        let chart = spending_chart(Currency::Eur, &[month(m, 1_499_99, 1, 0), month(m, 0, 0, 1)]).unwrap();
        assert_eq!(
            shapes(&chart),
            vec![
                vec![(SpendingState::Paid, 11, 199), (SpendingState::PaymentError, 10, 1)],
                vec![(SpendingState::Due, 209, 1)]
            ]
        );
        assert_eq!(tick_values(&chart).last(), Some(&(1_500_00, PLOT_TOP)));
    }

    #[test]
    fn all_zero_gives_a_flat_chart_with_a_single_zero_tick() {
        let months = spending_summary(d(2026, 2, 10), Currency::Eur, []).unwrap();
        let chart = spending_chart(Currency::Eur, &months).unwrap();
        assert_eq!(tick_values(&chart), vec![(0, PLOT_BOTTOM)]);
        assert_eq!(chart.bars.len(), 6);
        assert!(chart.bars.iter().all(|b| b.segments.is_empty() && b.width == 51));
        // Negative amounts (credits) and other currencies draw nothing either.
        let odd = SpendingMonth { paid: Money::from_minor(5_00, Currency::Usd), ..month(d(2026, 1, 1), 0, 0, -3_00) };
        let chart = spending_chart(Currency::Eur, &[odd]).unwrap();
        assert_eq!(tick_values(&chart), vec![(0, PLOT_BOTTOM)]);
        assert!(chart.bars[0].segments.is_empty());
        // No months: no bars, still one tick.
        let chart = spending_chart(Currency::Eur, &[]).unwrap();
        assert!(chart.bars.is_empty());
        assert_eq!(chart.ticks.len(), 1);
    }

    #[test]
    fn yen_ticks_are_whole_yen() {
        let jpy = |minor| Money::from_minor(minor, Currency::Jpy);
        let m = d(2026, 1, 1);
        let months = [SpendingMonth { paid: jpy(9_999), ..SpendingMonth::empty(m, Currency::Jpy) }];
        let chart = spending_chart(Currency::Jpy, &months).unwrap();
        assert_eq!(tick_values(&chart), vec![(0, 210), (2_500, 160), (5_000, 110), (7_500, 60), (10_000, 10)]);
        assert_eq!(chart.ticks[1].value.to_string(), "2,500 JPY");
        assert_eq!(shapes(&chart), vec![vec![(SpendingState::Paid, 10, 200)]]); // 199.98 px
        let months = [SpendingMonth { due: jpy(7), ..SpendingMonth::empty(m, Currency::Jpy) }];
        let chart = spending_chart(Currency::Jpy, &months).unwrap();
        assert_eq!(tick_values(&chart), vec![(0, 210), (2, 160), (4, 110), (6, 60), (8, 10)]);
        assert_eq!(shapes(&chart), vec![vec![(SpendingState::Due, 35, 175)]]);
    }

    #[test]
    fn a_top_tick_beyond_i64_is_an_error_not_a_panic() {
        let huge = month(d(2026, 1, 1), i64::MAX, i64::MAX, i64::MAX);
        assert_eq!(spending_chart(Currency::Eur, &[huge]), Err(MoneyError::Overflow));
        // 4 × 10^18 minor units still has a top tick that fits.
        let big = month(d(2026, 1, 1), 4_000_000_000_000_000_000, 0, 0);
        let chart = spending_chart(Currency::Eur, &[big]).unwrap();
        assert_eq!(tick_values(&chart).last(), Some(&(4_000_000_000_000_000_000, PLOT_TOP)));
    }

    #[test]
    fn the_calendar_is_the_current_month_and_the_11_after_it() {
        let today = d(2026, 1, 15);
        let usd = |minor| Money::from_minor(minor, Currency::Usd);
        let items = [
            (d(2026, 1, 14), eur(1_00)),  // yesterday: out
            (d(2026, 1, 15), eur(10_00)), // today: in
            (d(2026, 1, 31), usd(5_00)),
            (d(2026, 1, 20), eur(2_50)),
            (d(2026, 1, 20), Money::from_minor(300, Currency::Jpy)),
            (d(2026, 12, 31), eur(7_00)), // last day of the 12th month: in
            (d(2027, 1, 1), eur(9_00)),   // 13th month: out
            (d(2025, 12, 31), eur(9_00)), // last month: out
        ];
        let calendar = renewal_calendar(today, items).unwrap();
        assert_eq!(calendar.len(), 12);
        assert_eq!(calendar.first().map(|m| m.month), Some(d(2026, 1, 1)));
        assert_eq!(calendar.last().map(|m| m.month), Some(d(2026, 12, 1)));
        assert_eq!(
            calendar[0].totals,
            vec![
                CalendarTotal { currency: Currency::Eur, subscriptions: 2, amount: eur(12_50) },
                CalendarTotal {
                    currency: Currency::Jpy,
                    subscriptions: 1,
                    amount: Money::from_minor(300, Currency::Jpy)
                },
                CalendarTotal { currency: Currency::Usd, subscriptions: 1, amount: usd(5_00) },
            ]
        );
        assert!(calendar[1..11].iter().all(|m| m.totals.is_empty()));
        assert_eq!(
            calendar[11].totals,
            vec![CalendarTotal { currency: Currency::Eur, subscriptions: 1, amount: eur(7_00) }]
        );
    }

    #[test]
    fn calendar_months_wrap_the_year() {
        let months = calendar_months(d(2025, 11, 30));
        assert_eq!(months[0], d(2025, 11, 1));
        assert_eq!(months[2], d(2026, 1, 1));
        assert_eq!(months[11], d(2026, 10, 1));
        let calendar =
            renewal_calendar(d(2025, 11, 30), [(d(2026, 10, 31), eur(1)), (d(2026, 11, 1), eur(1))]).unwrap();
        assert_eq!(calendar[11].totals.len(), 1);
        assert_eq!(calendar.iter().map(|m| m.totals.len()).sum::<usize>(), 1);
    }

    #[test]
    fn calendar_sums_that_do_not_fit_are_an_error() {
        let today = d(2026, 1, 15);
        assert_eq!(renewal_calendar(today, [(today, eur(i64::MAX)), (today, eur(1))]), Err(MoneyError::Overflow));
    }

    #[test]
    fn dates_at_chronos_limits_do_not_panic() {
        let first = spending_months(NaiveDate::MIN);
        assert!(first.iter().all(|m| *m == month_start(NaiveDate::MIN)));
        let last = calendar_months(NaiveDate::MAX);
        assert_eq!(last[0], month_start(NaiveDate::MAX));
        assert!(within_horizon(NaiveDate::MAX, NaiveDate::MAX));
        assert!(!within_horizon(NaiveDate::MAX, NaiveDate::MIN));
        assert_eq!(renewal_calendar(NaiveDate::MAX, [(NaiveDate::MAX, eur(1))]).unwrap()[0].totals.len(), 1);
    }
}
