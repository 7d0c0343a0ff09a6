//! Limits on size-like arguments, shared by every kernel crate, and the
//! O(1) checks that apply them *before* anything is allocated.
//!
//! A size-like argument (an iteration count, a number of components or
//! neighbours, a dimension, an output of N x K values) is checked against a
//! documented constant, not only against its domain: a value such as
//! `iterations = 1e12` is refused at once with an error naming the argument,
//! the value and the limit, instead of an allocation that aborts the process.

use std::fmt;

/// Most elements of one output array: the longest typed array Node (V8) can
/// create, 2^32 elements. Applies to N x K planes, N x k neighbours, n x n
/// matrices, n x dims embeddings and width x height images.
pub const MAX_OUTPUT_ELEMENTS: usize = 1 << 32;

/// Largest `threads` value the native backend accepts (one rayon pool per
/// distinct value is kept for the life of the process, so the bound also
/// caps the threads a caller can make the process start).
///
/// Note for the binding: `crates/node/src/pool.rs` still defines its own
/// `MAX_THREADS`; it should use this one.
pub const MAX_THREADS: u32 = 256;

/// A size-like argument over its documented limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LimitError {
    /// `name` is larger than `limit` (the constant `limit_name`).
    AtMost {
        name: &'static str,
        value: u128,
        limit: u128,
        limit_name: &'static str,
    },
    /// `a_name × b_name` elements exceed `limit` (the constant `limit_name`).
    Product {
        a_name: &'static str,
        a: u128,
        b_name: &'static str,
        b: u128,
        what: &'static str,
        limit: u128,
        limit_name: &'static str,
    },
}

impl fmt::Display for LimitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AtMost {
                name,
                value,
                limit,
                limit_name,
            } => write!(f, "{name} must be at most {limit} ({limit_name}), got {value}"),
            Self::Product {
                a_name,
                a,
                b_name,
                b,
                what,
                limit,
                limit_name,
            } => write!(
                f,
                "{a_name} × {b_name} = {a} × {b} = {} {what} would exceed the largest typed array ({limit} elements, {limit_name}); process the data in smaller parts",
                a * b
            ),
        }
    }
}

impl std::error::Error for LimitError {}

/// `value <= limit`, else an error naming the argument, value and limit.
#[inline]
pub fn at_most(
    name: &'static str,
    value: usize,
    limit: usize,
    limit_name: &'static str,
) -> Result<(), LimitError> {
    if value <= limit {
        Ok(())
    } else {
        Err(LimitError::AtMost {
            name,
            value: value as u128,
            limit: limit as u128,
            limit_name,
        })
    }
}

/// `a * b <= limit` (computed without overflow), returning the product.
#[inline]
pub fn product_at_most(
    a_name: &'static str,
    a: usize,
    b_name: &'static str,
    b: usize,
    what: &'static str,
    limit: usize,
    limit_name: &'static str,
) -> Result<usize, LimitError> {
    match a.checked_mul(b) {
        Some(p) if p <= limit => Ok(p),
        _ => Err(LimitError::Product {
            a_name,
            a: a as u128,
            b_name,
            b: b as u128,
            what,
            limit: limit as u128,
            limit_name,
        }),
    }
}

/// [`product_at_most`] against [`MAX_OUTPUT_ELEMENTS`].
#[inline]
pub fn output_elements(
    a_name: &'static str,
    a: usize,
    b_name: &'static str,
    b: usize,
    what: &'static str,
) -> Result<usize, LimitError> {
    product_at_most(
        a_name,
        a,
        b_name,
        b,
        what,
        MAX_OUTPUT_ELEMENTS,
        "MAX_OUTPUT_ELEMENTS",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_argument_value_and_limit() {
        let e = at_most(
            "iterations",
            1_000_000_000_000,
            10_000_000,
            "MAX_ITERATIONS",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "iterations must be at most 10000000 (MAX_ITERATIONS), got 1000000000000"
        );
        assert!(at_most("k", 5, 5, "K").is_ok());
        let e = output_elements("data.length", usize::MAX, "K", 3, "values").unwrap_err();
        assert!(e.to_string().starts_with(&format!(
            "data.length × K = {} × 3 = {} values would exceed the largest typed array (4294967296 elements, MAX_OUTPUT_ELEMENTS)",
            usize::MAX,
            usize::MAX as u128 * 3
        )));
        assert_eq!(
            output_elements("n", 1 << 16, "n", 1 << 16, "values"),
            Ok(1 << 32)
        );
    }
}
