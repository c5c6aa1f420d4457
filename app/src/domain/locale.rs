//! The portal's languages and how each writes dates, numbers, amounts and plurals. Pure code,
//! compiled for the server (pages, mail) and the browser, from exact values: an amount is
//! formatted from its integer minor units, never through a float.
//!
//! The formats follow CLDR for each language's main region (en-GB, fi-FI, sv-SE, fr-FR,
//! de-DE); docs/decisions.md says why they are written here rather than taken from ICU.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::money::{Currency, Money, group_thousands};

/// A language the portal speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
pub enum Locale {
    #[default]
    En,
    Fi,
    Sv,
    Fr,
    De,
}

/// The plural forms these languages distinguish for whole numbers (CLDR cardinal rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plural {
    One,
    Other,
}

const NBSP: char = '\u{a0}';
/// French groups thousands with a narrow no-break space.
const NNBSP: char = '\u{202f}';

impl Locale {
    pub const ALL: [Locale; 5] = [Locale::En, Locale::Fi, Locale::Sv, Locale::Fr, Locale::De];

    /// The BCP 47 language tag, as in `<html lang>`, cookies and the database.
    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Fi => "fi",
            Locale::Sv => "sv",
            Locale::Fr => "fr",
            Locale::De => "de",
        }
    }

    /// A language tag ("fr", "fr-CA", "FR") as one of ours, by its primary subtag.
    pub fn parse(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Locale::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The language's name in itself, for the language switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::Fi => "Suomi",
            Locale::Sv => "Svenska",
            Locale::Fr => "Français",
            Locale::De => "Deutsch",
        }
    }

    /// The best of our languages for an `Accept-Language` header: the highest `q` first, and
    /// among equal ones the order the browser gave; `None` when none is ours.
    pub fn negotiate(accept_language: &str) -> Option<Locale> {
        let mut ranked: Vec<(u16, usize, Locale)> = accept_language
            .split(',')
            .enumerate()
            .filter_map(|(position, item)| {
                let mut parts = item.split(';');
                let locale = Locale::parse(parts.next()?)?;
                let q = parts.filter_map(|p| p.trim().strip_prefix("q=")).next().map_or(Some(1000), |q| {
                    q.trim().parse::<f32>().ok().map(|q| (q.clamp(0.0, 1.0) * 1000.0) as u16)
                })?;
                (q > 0).then_some((q, position, locale))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked.first().map(|(_, _, l)| *l)
    }

    /// "9 June 2025", "9. kesäkuuta 2025", "9 juni 2025", "9 juin 2025", "9. Juni 2025".
    pub fn date_long(self, date: NaiveDate) -> String {
        let (d, y) = (date.day(), date.year());
        let month = self.month_long(date.month0() as usize);
        match self {
            Locale::Fi | Locale::De => format!("{d}. {month} {y}"),
            Locale::En | Locale::Sv | Locale::Fr => format!("{d} {month} {y}"),
        }
    }

    /// "9 Jun 2025", "9.6.2025", "2025-06-09", "09/06/2025", "09.06.2025".
    pub fn date_short(self, date: NaiveDate) -> String {
        let (d, m, y) = (date.day(), date.month(), date.year());
        match self {
            Locale::En => format!("{d} {} {y}", EN_MONTHS_SHORT[date.month0() as usize]),
            Locale::Fi => format!("{d}.{m}.{y}"),
            Locale::Sv => format!("{y}-{m:02}-{d:02}"),
            Locale::Fr => format!("{d:02}/{m:02}/{y}"),
            Locale::De => format!("{d:02}.{m:02}.{y}"),
        }
    }

    /// A month as a table names it: "November 2026", "marraskuu 2026", "november 2026".
    pub fn month_year(self, month: NaiveDate) -> String {
        let name = self.month_long(month.month0() as usize);
        // The Finnish names are kept in the partitive a date needs ("marraskuuta"); a month on
        // its own is in the nominative ("marraskuu").
        let name = if self == Locale::Fi { name.strip_suffix("ta").unwrap_or(name) } else { name };
        format!("{name} {}", month.year())
    }

    /// A month as a chart's axis names it, short: "Nov 2026", "11/2026", "2026-11", "11.2026".
    pub fn month_short(self, month: NaiveDate) -> String {
        let (m, y) = (month.month(), month.year());
        match self {
            Locale::En => format!("{} {y}", EN_MONTHS_SHORT[month.month0() as usize]),
            Locale::Fi | Locale::Fr => format!("{m}/{y}"),
            Locale::Sv => format!("{y}-{m:02}"),
            Locale::De => format!("{m:02}.{y}"),
        }
    }

    fn month_long(self, month0: usize) -> &'static str {
        match self {
            Locale::En => EN_MONTHS[month0],
            Locale::Fi => FI_MONTHS_PARTITIVE[month0],
            Locale::Sv => SV_MONTHS[month0],
            Locale::Fr => FR_MONTHS[month0],
            Locale::De => DE_MONTHS[month0],
        }
    }

    /// (group separator, decimal separator).
    fn separators(self) -> (char, char) {
        match self {
            Locale::En => (',', '.'),
            Locale::Fi | Locale::Sv => (NBSP, ','),
            Locale::Fr => (NNBSP, ','),
            Locale::De => ('.', ','),
        }
    }

    /// A whole number with the language's grouping: "1,234", "1 234", "1.234".
    pub fn integer(self, n: i64) -> String {
        let (group, _) = self.separators();
        let digits = group_thousands(&n.unsigned_abs().to_string(), group);
        if n < 0 { format!("-{digits}") } else { digits }
    }

    /// A decimal number written as text with a point ("25.5"), with the language's decimal
    /// separator ("25,5").
    pub fn decimal_text(self, text: &str) -> String {
        let (_, decimal) = self.separators();
        text.replace('.', &decimal.to_string())
    }

    /// An amount with its currency as the language writes it: "€1,234.56", "1 234,56 €",
    /// "1.234,56 €", "SEK 1,234.56", "1 234,56 kr". Exact: from the minor units.
    pub fn money(self, amount: Money) -> String {
        let currency = amount.currency();
        let (group, decimal) = self.separators();
        let number = amount.unsigned_number(group, decimal);
        let sign = if amount.minor() < 0 { "-" } else { "" };
        let symbol = self.currency_symbol(currency);
        match self {
            // English puts a symbol before the number, and a code ("SEK") with a space.
            Locale::En if symbol.bytes().all(|b| b.is_ascii_uppercase()) => format!("{sign}{symbol}{NBSP}{number}"),
            Locale::En => format!("{sign}{symbol}{number}"),
            _ => format!("{sign}{number}{NBSP}{symbol}"),
        }
    }

    /// The currency's sign in this language: a symbol where the language uses one for it, its
    /// ISO code otherwise (CLDR).
    fn currency_symbol(self, currency: Currency) -> &'static str {
        match (self, currency) {
            (_, Currency::Eur) => "€",
            (_, Currency::Gbp) => "£",
            (Locale::Sv, Currency::Sek) => "kr",
            (Locale::En, Currency::Usd) => "US$",
            (Locale::Fr, Currency::Usd) => "$US",
            (Locale::Fi | Locale::Sv | Locale::De, Currency::Usd) => "$",
            (Locale::En | Locale::Fr, Currency::Jpy) => "JP¥",
            (Locale::Fi | Locale::Sv | Locale::De, Currency::Jpy) => "¥",
            (_, c) => c.code(),
        }
    }

    /// The plural form of `n` (CLDR): French counts 0 and 1 as singular, the others only 1.
    pub fn plural(self, n: i64) -> Plural {
        let one = match self {
            Locale::Fr => n == 0 || n == 1,
            _ => n == 1,
        };
        if one { Plural::One } else { Plural::Other }
    }
}

const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const EN_MONTHS_SHORT: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/// Finnish dates take the month in the partitive: "9. kesäkuuta 2025".
const FI_MONTHS_PARTITIVE: [&str; 12] = [
    "tammikuuta",
    "helmikuuta",
    "maaliskuuta",
    "huhtikuuta",
    "toukokuuta",
    "kesäkuuta",
    "heinäkuuta",
    "elokuuta",
    "syyskuuta",
    "lokakuuta",
    "marraskuuta",
    "joulukuuta",
];
const SV_MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
];
const FR_MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const DE_MONTHS: [&str; 12] = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn spaced(s: &str) -> String {
        s.replace([NBSP, NNBSP], " ")
    }

    #[test]
    fn dates_in_each_language() {
        let date = d(2025, 6, 9);
        let long: Vec<String> = Locale::ALL.iter().map(|l| l.date_long(date)).collect();
        assert_eq!(long, ["9 June 2025", "9. kesäkuuta 2025", "9 juni 2025", "9 juin 2025", "9. Juni 2025"]);
        let short: Vec<String> = Locale::ALL.iter().map(|l| l.date_short(date)).collect();
        assert_eq!(short, ["9 Jun 2025", "9.6.2025", "2025-06-09", "09/06/2025", "09.06.2025"]);
        assert_eq!(Locale::Fr.date_long(d(2026, 2, 1)), "1 février 2026");
        assert_eq!(Locale::De.date_long(d(2026, 3, 31)), "31. März 2026");
    }

    #[test]
    fn amounts_with_their_currency_in_each_language() {
        let eur = Money::from_minor(1_234_56, Currency::Eur);
        let written: Vec<String> = Locale::ALL.iter().map(|l| spaced(&l.money(eur))).collect();
        assert_eq!(written, ["€1,234.56", "1 234,56 €", "1 234,56 €", "1 234,56 €", "1.234,56 €"]);
        // The separators are the no-break spaces each language uses, so an amount never wraps.
        assert_eq!(Locale::Fr.money(eur), "1\u{202f}234,56\u{a0}€");
        assert_eq!(Locale::Fi.money(eur), "1\u{a0}234,56\u{a0}€");
        let sek = Money::from_minor(98_765_432_10, Currency::Sek);
        assert_eq!(spaced(&Locale::Sv.money(sek)), "98 765 432,10 kr");
        assert_eq!(spaced(&Locale::En.money(sek)), "SEK 98,765,432.10");
        assert_eq!(spaced(&Locale::De.money(sek)), "98.765.432,10 SEK");
        let usd = Money::from_minor(25_000_00, Currency::Usd);
        assert_eq!(spaced(&Locale::En.money(usd)), "US$25,000.00");
        assert_eq!(spaced(&Locale::Fr.money(usd)), "25 000,00 $US");
        let gbp = Money::from_minor(5, Currency::Gbp);
        assert_eq!(Locale::En.money(gbp), "£0.05");
        let jpy = Money::from_minor(1235, Currency::Jpy);
        assert_eq!(spaced(&Locale::De.money(jpy)), "1.235 ¥");
        assert_eq!(Locale::En.money(jpy), "JP¥1,235");
        assert_eq!(Locale::En.money(Money::from_minor(-1_00, Currency::Eur)), "-€1.00");
    }

    #[test]
    fn whole_numbers_are_grouped() {
        assert_eq!(Locale::En.integer(5000), "5,000");
        assert_eq!(spaced(&Locale::Sv.integer(5000)), "5 000");
        assert_eq!(Locale::De.integer(-1234567), "-1.234.567");
        assert_eq!(Locale::Fi.integer(100), "100");
    }

    #[test]
    fn plurals_follow_each_language() {
        assert_eq!(Locale::En.plural(1), Plural::One);
        assert_eq!(Locale::En.plural(0), Plural::Other);
        assert_eq!(Locale::Fi.plural(100), Plural::Other);
        assert_eq!(Locale::Fr.plural(0), Plural::One, "zéro abonnement");
        assert_eq!(Locale::Fr.plural(2), Plural::Other);
    }

    #[test]
    fn the_browser_language_is_negotiated_by_quality_then_order() {
        assert_eq!(Locale::negotiate("fr-FR,fr;q=0.9,en;q=0.8"), Some(Locale::Fr));
        assert_eq!(Locale::negotiate("es-ES,es;q=0.9,de;q=0.5,sv;q=0.7"), Some(Locale::Sv));
        assert_eq!(Locale::negotiate("en;q=0.5, fi"), Some(Locale::Fi));
        assert_eq!(Locale::negotiate("da, nb;q=0.8"), None);
        assert_eq!(Locale::negotiate("de;q=0, fr;q=0.1"), Some(Locale::Fr));
        assert_eq!(Locale::negotiate("*"), None);
        assert_eq!(Locale::negotiate(""), None);
        assert_eq!(Locale::negotiate("sv;q=abc"), None, "a malformed quality is ignored");
    }

    #[test]
    fn tags_parse_by_their_primary_subtag() {
        assert_eq!(Locale::parse("fr-CA"), Some(Locale::Fr));
        assert_eq!(Locale::parse("SV_se"), Some(Locale::Sv));
        assert_eq!(Locale::parse("nl"), None);
        for l in Locale::ALL {
            assert_eq!(Locale::parse(l.code()), Some(l));
        }
    }
}
