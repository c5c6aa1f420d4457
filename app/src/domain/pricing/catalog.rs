//! Price lists and promotions (R-QUOTE-5).

use super::*;

/// One entry of a price list: the price of one seat for one term (the contract price, SRP).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListPrice {
    pub product_id: ProductId,
    pub term: Term,
    pub amount: Money,
    /// The local date from which this price applies; later entries replace earlier ones.
    pub valid_from: NaiveDate,
}

/// The price lists of all products, terms and currencies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceList(pub Vec<ListPrice>);

impl PriceList {
    /// The price of one seat of `product` for `term` in `currency` on `day`: the entry with the
    /// latest `valid_from` not after `day`.
    pub fn price(&self, product_id: ProductId, term: Term, currency: Currency, day: NaiveDate) -> Option<Money> {
        self.0
            .iter()
            .filter(|p| {
                p.product_id == product_id && p.term == term && p.amount.currency() == currency && p.valid_from <= day
            })
            .max_by_key(|p| p.valid_from)
            .map(|p| p.amount)
    }
}

/// What a promotion applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Purchase {
    New,
    Renewal,
    AddSeats,
    Extension,
}

impl Purchase {
    pub const ALL: [Purchase; 4] = [Purchase::New, Purchase::Renewal, Purchase::AddSeats, Purchase::Extension];

    pub fn code(self) -> &'static str {
        match self {
            Purchase::New => "new",
            Purchase::Renewal => "renewal",
            Purchase::AddSeats => "add_seats",
            Purchase::Extension => "extension",
        }
    }

    pub fn parse(code: &str) -> Option<Purchase> {
        Purchase::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// A percentage discount, applied automatically to the lines it matches (R-QUOTE-5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promotion {
    pub code: String,
    pub name: String,
    /// `None`: every product.
    pub product_id: Option<ProductId>,
    /// `None`: every term.
    pub term: Option<Term>,
    pub purchase: Purchase,
    pub percent_off: Decimal,
    /// Local dates, both included.
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
}

impl Promotion {
    pub fn applies(&self, product_id: ProductId, term: Term, purchase: Purchase, day: NaiveDate) -> bool {
        self.product_id.is_none_or(|p| p == product_id)
            && self.term.is_none_or(|t| t == term)
            && self.purchase == purchase
            && self.first_day <= day
            && day <= self.last_day
    }
}

/// The best promotion for a line: the largest discount; on a tie, the first code in order.
pub fn best_promotion(
    promotions: &[Promotion],
    product_id: ProductId,
    term: Term,
    purchase: Purchase,
    day: NaiveDate,
) -> Option<&Promotion> {
    promotions
        .iter()
        .filter(|p| p.applies(product_id, term, purchase, day))
        .max_by(|a, b| a.percent_off.cmp(&b.percent_off).then_with(|| b.code.cmp(&a.code)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::pricing::testing::*;

    #[test]
    fn promotions_apply_automatically_and_the_best_wins() {
        // R-QUOTE-5
        let promo = |code: &str, pct: i64, product: Option<i64>| Promotion {
            code: code.into(),
            name: code.into(),
            product_id: product.map(ProductId),
            term: Some(Term::Annual),
            purchase: Purchase::Renewal,
            percent_off: Decimal::from(pct),
            first_day: d(2026, 11, 1),
            last_day: d(2026, 11, 30),
        };
        let promos = vec![promo("ALL10", 10, None), promo("CAD15", 15, Some(1))];
        assert_eq!(
            best_promotion(&promos, ProductId(1), Term::Annual, Purchase::Renewal, d(2026, 11, 23)).unwrap().code,
            "CAD15"
        );
        assert_eq!(
            best_promotion(&promos, ProductId(2), Term::Annual, Purchase::Renewal, d(2026, 11, 23)).unwrap().code,
            "ALL10"
        );
        assert!(best_promotion(&promos, ProductId(1), Term::Monthly, Purchase::Renewal, d(2026, 11, 23)).is_none());
        assert!(best_promotion(&promos, ProductId(1), Term::Annual, Purchase::New, d(2026, 11, 23)).is_none());
        assert!(best_promotion(&promos, ProductId(1), Term::Annual, Purchase::Renewal, d(2026, 12, 1)).is_none());
        let line = price_line(eur(2_030_00), Term::Annual, 3, Span { whole_terms: 1, days: 0 }, promos.get(1)).unwrap();
        assert_eq!(line, LinePrice { list: eur(6_090_00), discount: eur(913_50), net: eur(5_176_50) });
    }

    #[test]
    fn price_lists_pick_the_latest_valid_price() {
        let list = PriceList(vec![
            ListPrice { product_id: ProductId(1), term: Term::Annual, amount: eur(100_00), valid_from: d(2020, 1, 1) },
            ListPrice { product_id: ProductId(1), term: Term::Annual, amount: eur(120_00), valid_from: d(2026, 12, 1) },
        ]);
        assert_eq!(list.price(ProductId(1), Term::Annual, Currency::Eur, d(2026, 11, 30)), Some(eur(100_00)));
        assert_eq!(list.price(ProductId(1), Term::Annual, Currency::Eur, d(2026, 12, 1)), Some(eur(120_00)));
        assert_eq!(list.price(ProductId(1), Term::Annual, Currency::Usd, d(2026, 12, 1)), None);
        assert_eq!(list.price(ProductId(1), Term::Monthly, Currency::Eur, d(2026, 12, 1)), None);
    }
}
