//! Hand-written SQL with bound values (Django's `connection.cursor()` and `Manager.raw()`):
//! the values a statement binds ([`Params`]) and the typed rows it decodes into
//! ([`RawRow`]). Placeholders are written `?` on every backend; the dialect numbers them
//! where the backend wants `$1`, `$2`, ... Values are always bound, never written into the
//! SQL text.

use crate::db::Statement;
use crate::dialect::Dialect;
use crate::driver::{Args, RowRef};
use crate::error::{Error, Result};
use crate::value::{FieldType, Value};

/// One value a raw statement binds: any field type (`i64`, `String`, `Option<T>`, chrono's
/// types, your own [`FieldType`]s), a `&str` or `&String`, or a dynamic [`Value`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be bound as a raw SQL parameter",
    label = "not a kata field type",
    note = "bind field types (i64, String, Option<T>, chrono types, ...), `&str`, `&String` or `kata::Value`"
)]
pub trait Param {
    /// Binds the value as the next parameter.
    #[doc(hidden)]
    fn __bind(&self, args: &mut Args) -> Result<()>;
}

impl<T: FieldType> Param for T {
    fn __bind(&self, args: &mut Args) -> Result<()> {
        self.bind(args)
    }
}

impl Param for &str {
    fn __bind(&self, args: &mut Args) -> Result<()> {
        (*self).to_owned().bind(args)
    }
}

impl Param for &String {
    fn __bind(&self, args: &mut Args) -> Result<()> {
        (*self).clone().bind(args)
    }
}

impl Param for Value {
    fn __bind(&self, args: &mut Args) -> Result<()> {
        self.bind(args)
    }
}

/// The values of a raw statement, one per `?` in order: `()` for none, a tuple
/// (`(5,)`, `("ann", true)`), an array or a `Vec` of one type (`[1, 2, 3]`,
/// `Vec<kata::Value>` for a list built at run time).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a list of raw SQL parameters",
    label = "expected `()`, a tuple such as `(5,)`, an array or a Vec",
    note = "a single value is a one-element tuple: `(value,)`"
)]
pub trait Params {
    /// How many values there are.
    #[doc(hidden)]
    fn __len(&self) -> usize;
    /// Binds them in order.
    #[doc(hidden)]
    fn __bind_all(self, args: &mut Args) -> Result<()>;
}

impl Params for () {
    fn __len(&self) -> usize {
        0
    }
    fn __bind_all(self, _args: &mut Args) -> Result<()> {
        Ok(())
    }
}

impl<P: Param> Params for Vec<P> {
    fn __len(&self) -> usize {
        self.len()
    }
    fn __bind_all(self, args: &mut Args) -> Result<()> {
        self.iter().try_for_each(|p| p.__bind(args))
    }
}

impl<P: Param> Params for &[P] {
    fn __len(&self) -> usize {
        self.len()
    }
    fn __bind_all(self, args: &mut Args) -> Result<()> {
        self.iter().try_for_each(|p| p.__bind(args))
    }
}

impl<P: Param, const N: usize> Params for [P; N] {
    fn __len(&self) -> usize {
        N
    }
    fn __bind_all(self, args: &mut Args) -> Result<()> {
        self.iter().try_for_each(|p| p.__bind(args))
    }
}

macro_rules! tuple_params {
    ($(($($p:ident),+))*) => {$(
        impl<$($p: Param),+> Params for ($($p,)+) {
            fn __len(&self) -> usize {
                [$(stringify!($p)),+].len()
            }
            #[allow(non_snake_case)]
            fn __bind_all(self, args: &mut Args) -> Result<()> {
                let ($($p,)+) = self;
                $($p.__bind(args)?;)+
                Ok(())
            }
        }
    )*};
}
tuple_params! {
    (A) (A, B) (A, B, C) (A, B, C, D) (A, B, C, D, E) (A, B, C, D, E, F) (A, B, C, D, E, F, G)
    (A, B, C, D, E, F, G, H) (A, B, C, D, E, F, G, H, I) (A, B, C, D, E, F, G, H, I, J)
    (A, B, C, D, E, F, G, H, I, J, K) (A, B, C, D, E, F, G, H, I, J, K, L)
}

/// What one row of [`raw_query`](crate::Executor::raw_query) decodes into, by column
/// position: a field type for a one-column result (`i64`, `String`, `Option<T>`, ...) or a
/// tuple of them (`(i64, String)`). The query must return exactly that many columns
/// ([`Error::ColumnCount`] otherwise).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be decoded from a raw row",
    label = "expected a field type or a tuple of field types",
    note = "raw_query decodes rows by position into a field type (`i64`, `String`, ...) or a tuple of them; \
            decode whole models with `Model::objects().araw(..)`"
)]
pub trait RawRow: Sized + Send + 'static {
    /// How many columns it reads.
    #[doc(hidden)]
    const WIDTH: usize;
    /// The type, for error messages.
    #[doc(hidden)]
    fn __describe() -> String;
    /// Decodes the row's columns from the first on.
    #[doc(hidden)]
    fn __decode(row: RowRef<'_>) -> Result<Self>;
}

impl<T: FieldType> RawRow for T {
    const WIDTH: usize = 1;
    fn __describe() -> String {
        std::any::type_name::<T>().to_owned()
    }
    fn __decode(row: RowRef<'_>) -> Result<Self> {
        T::decode(row, 0)
    }
}

macro_rules! tuple_rows {
    ($(($($t:ident $i:tt),+))*) => {$(
        impl<$($t: FieldType),+> RawRow for ($($t,)+) {
            const WIDTH: usize = [$($i),+].len();
            fn __describe() -> String {
                std::any::type_name::<Self>().to_owned()
            }
            fn __decode(row: RowRef<'_>) -> Result<Self> {
                Ok(($($t::decode(row, $i)?,)+))
            }
        }
    )*};
}
tuple_rows! {
    (A 0) (A 0, B 1) (A 0, B 1, C 2) (A 0, B 1, C 2, D 3) (A 0, B 1, C 2, D 3, E 4)
    (A 0, B 1, C 2, D 3, E 4, F 5) (A 0, B 1, C 2, D 3, E 4, F 5, G 6)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7) (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11)
}

/// The statement for hand-written `sql` with `params` bound: `?` placeholders written as
/// the dialect's, and `Error::InvalidQuery` when their number is not the number of values.
pub(crate) fn statement(dialect: &'static dyn Dialect, sql: &str, params: impl Params) -> Result<Statement> {
    let (text, placeholders) = dialect.raw_sql(sql)?;
    let given = params.__len();
    if placeholders != given {
        return Err(Error::InvalidQuery(format!(
            "the SQL has {placeholders} `?` placeholder{} but {given} value{} given \
             (write each placeholder as `?`, outside quotes and comments)",
            if placeholders == 1 { "" } else { "s" },
            if given == 1 { " was" } else { "s were" },
        )));
    }
    let mut args = Args::new(dialect.backend())?;
    params.__bind_all(&mut args)?;
    Ok(Statement { sql: text, args, route: Default::default() })
}

/// `Error::ColumnCount` unless `row` has `expected` columns.
pub(crate) fn check_width(row: RowRef<'_>, expected: usize, target: impl FnOnce() -> String) -> Result<()> {
    let found = crate::driver::column_count(row);
    if found == expected { Ok(()) } else { Err(Error::ColumnCount { target: target(), expected, found }) }
}
