//! Typed SQL expressions: `F`, `Q`, lookups, ordering, assignments and aggregates.
//!
//! Everything here only *describes* SQL; `query::sql` renders it for a backend. Each concept
//! has its module: the untyped tree (`nodes`), typed expressions and their conversions
//! (`typed`, `operand`), `F` and arithmetic, the lookups, `Q`, ordering, assignments and
//! aggregates.

mod aggregates;
mod arithmetic;
mod array;
mod assignment;
mod comparand;
mod functions;
mod json;
mod lookups;
mod nodes;
mod operand;
mod ordering;
mod q;
mod related;
mod typed;

pub use aggregates::{Avg, Count, CountOf, Max, Min, StdDev, StringAgg, Sum, Variance};
pub use arithmetic::{F, NumericOperand};
pub use array::ArrayAgg;
pub use assignment::Assignment;
pub use comparand::Comparand;
pub use functions::{
    Case, Coalesce, Concat, Exists, Greatest, Least, Length, Lower, Now, NullIf, OuterRef, Subquery,
    SubqueryParts, SubquerySource, Substr, TimeTruncatable, Trim, TruncDate, TruncDay, TruncHour, TruncMonth,
    TruncYear, Truncatable, Upper, When, WithInner,
};
pub use json::{JsonField, JsonPath, JsonScalar};
pub use lookups::{ClockPart, ContainedBy, Contains, DayPart, Pattern};
pub use nodes::{
    Aggregate, ArrayOp, BinOp, DatePart, Func, JsonOp, JsonStep, Node, PatternKind, RelStep, Trunc,
};
pub use operand::Operand;
pub use ordering::OrderBy;
pub(crate) use ordering::{Nulls, OrderKey};
pub use q::Q;
pub(crate) use related::{correlated_aggregate, forward_value, over_pairs};
pub use typed::{Expr, IntoExpr};
