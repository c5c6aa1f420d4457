//! Domain enums stored as their text codes (`'active'`, `'1y'`, `'buyer'`, `'EUR'`, `'card'`):
//! the store binds and decodes them as the enums themselves, so a bad code in the database is
//! a decode error at the store's edge and never a string compared deep inside a service.

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Database, Decode, Encode, Type};

use crate::domain::approval::{ApprovalKind, ApprovalStatus};
use crate::domain::authz::Role;
use crate::domain::invoice::InvoiceStatus;
use crate::domain::locale::Locale;
use crate::domain::mail_routing::MailKind;
use crate::domain::money::Currency;
use crate::domain::payment::PaymentKind;
use crate::domain::quote::{QuoteOrigin, QuoteStatus};
use crate::domain::status::Status;
use crate::domain::term::Term;

macro_rules! text_code {
    ($($ty:ty => $what:literal),* $(,)?) => {$(
        impl<DB: Database> Type<DB> for $ty
        where
            String: Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <String as Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <String as Type<DB>>::compatible(ty)
            }
        }

        impl<'q, DB: Database> Encode<'q, DB> for $ty
        where
            String: Encode<'q, DB>,
        {
            fn encode_by_ref(&self, buf: &mut <DB as Database>::ArgumentBuffer<'q>) -> Result<IsNull, BoxDynError> {
                <String as Encode<'q, DB>>::encode(self.code().to_string(), buf)
            }
        }

        impl<'r, DB: Database> Decode<'r, DB> for $ty
        where
            String: Decode<'r, DB>,
        {
            fn decode(value: <DB as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
                let code = <String as Decode<'r, DB>>::decode(value)?;
                <$ty>::parse(&code).ok_or_else(|| format!("unknown {} code {code:?}", $what).into())
            }
        }
    )*};
}

text_code! {
    Status => "status",
    Term => "term",
    Role => "role",
    Currency => "currency",
    PaymentKind => "payment kind",
    MailKind => "mail kind",
    Locale => "language",
    QuoteStatus => "quote status",
    QuoteOrigin => "quote origin",
    ApprovalStatus => "approval status",
    ApprovalKind => "approval kind",
    InvoiceStatus => "invoice status",
}
