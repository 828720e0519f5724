//! Cursors bound to the filters they were minted under: a cursor of
//! `articles(authorId: 7, createdAt: { gte: 100 })` handed back with other
//! filters is refused ([`CursorError::FilterMismatch`], code
//! `CURSOR_FILTER_MISMATCH`) rather than applied to another list, where its
//! position would silently mean something else.
//!
//! # Wire format
//!
//! ```text
//! <plain cursor> "~" base64url([format = 1][filter fingerprint: u32 little-endian])
//! ```
//!
//! The plain cursor is the ordering's, unchanged (so its ordering check and
//! length bound still apply); the suffix adds [`OVERHEAD`] characters. The
//! fingerprint is the 32-bit FNV-1a hash of the filter key the schema
//! author builds from the filters' values: it catches a cursor reused with
//! other filters, not an adversary, who can compute it. Where a client
//! must not forge one, sign the cursors too (feature `signed`): the
//! signature then covers the binding.

use super::codec::{decode_base64, decoded_len, encode_base64, encoded_len};
use crate::args::PageArgs;
use crate::error::{CursorError, PageError};
use crate::ordering::fingerprint;
use crate::page::Page;

/// The suffix's format byte.
const FORMAT: u8 = 1;
/// Between the plain cursor and the suffix: not a base64url character, so
/// a plain cursor never holds one, and unreserved in URLs.
const SEPARATOR: char = '~';
/// The suffix's bytes: the format and the fingerprint.
const SUFFIX_BYTES: usize = 1 + 4;
/// A suffix keypage did not write.
const NOT_OURS: CursorError = CursorError::Malformed("its filter binding is not keypage's");
/// The characters binding adds to a cursor: the separator and the suffix.
pub const OVERHEAD: usize = 1 + encoded_len(SUFFIX_BYTES);

/// The filters a connection's cursors are bound to, named by a key the
/// schema author builds from the filters' values (as for a shared
/// `totalCount`): `FilterBinding::new(format!("{author_id:?}/{created_at:?}"))`.
/// Every cursor of a page is bound ([`bind_page`](Self::bind_page)), and
/// `after`/`before` must be bound to the same key
/// ([`open_args`](Self::open_args)). A GraphQL resolver says
/// `ConnectionRequest::bind_filters(key)` instead.
///
/// The empty key names the list without filters: its cursors are the plain
/// ones, unchanged (so they are also those of a field that binds nothing),
/// and a cursor bound to any filters is refused. A resolver whose filters
/// are all optional builds its key of the filters given, and an unfiltered
/// request stays compatible with every plain cursor.
///
/// ```
/// use keypage_runtime::cursor::FilterBinding;
/// use keypage_runtime::CursorError;
///
/// let authors_7 = FilterBinding::new("author=7");
/// let bound = authors_7.bind("AZQPaeIf");
/// assert_eq!(bound, "AZQPaeIf~AbfSBbg");
/// assert_eq!(authors_7.open(&bound), Ok("AZQPaeIf"));
/// // Another author's list, or a cursor minted without filters: refused.
/// assert_eq!(FilterBinding::new("author=8").open(&bound), Err(CursorError::FilterMismatch));
/// assert_eq!(authors_7.open("AZQPaeIf"), Err(CursorError::FilterMismatch));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FilterBinding {
    /// `None` for the empty key: no filters, plain cursors.
    fingerprint: Option<u32>,
}

impl FilterBinding {
    /// The binding to the filters `key` names. The key must change whenever
    /// the rows the filters keep may (every filter's value, `None`
    /// included, in a fixed order); the `Debug` form of the values does.
    pub fn new(key: impl AsRef<str>) -> Self {
        let key = key.as_ref();
        FilterBinding {
            fingerprint: (!key.is_empty()).then(|| fingerprint(&[key])),
        }
    }

    /// Whether `cursor` carries a filter binding at all (any key's).
    #[cfg_attr(not(feature = "graphql"), allow(dead_code))]
    pub(crate) fn is_bound(cursor: &str) -> bool {
        cursor.contains(SEPARATOR)
    }

    /// `cursor` bound to these filters (unchanged for the empty key).
    pub fn bind(&self, cursor: &str) -> String {
        let Some(fingerprint) = self.fingerprint else {
            return cursor.to_owned();
        };
        let mut bytes = [0; SUFFIX_BYTES];
        bytes[0] = FORMAT;
        bytes[1..].copy_from_slice(&fingerprint.to_le_bytes());
        let suffix = encode_base64(&bytes);
        let mut out = String::with_capacity(cursor.len() + OVERHEAD);
        out.push_str(cursor);
        out.push(SEPARATOR);
        out.push_str(&suffix);
        out
    }

    /// The plain cursor inside `bound`, if it is bound to these filters.
    ///
    /// # Errors
    ///
    /// [`CursorError::FilterMismatch`] for a cursor bound to other filters
    /// or to none (for the empty key: bound to any),
    /// [`CursorError::Malformed`] for a suffix keypage did not write.
    pub fn open<'a>(&self, bound: &'a str) -> Result<&'a str, CursorError> {
        let Some((plain, suffix)) = bound.rsplit_once(SEPARATOR) else {
            return match self.fingerprint {
                Some(_) => Err(CursorError::FilterMismatch),
                None => Ok(bound),
            };
        };
        if decoded_len(suffix.len()) != Some(SUFFIX_BYTES) {
            return Err(NOT_OURS);
        }
        let mut bytes = [0; SUFFIX_BYTES + 3];
        decode_base64(suffix.as_bytes(), &mut bytes).map_err(|_| NOT_OURS)?;
        let [FORMAT, a, b, c, d, ..] = bytes else {
            return Err(NOT_OURS);
        };
        if Some(u32::from_le_bytes([a, b, c, d])) != self.fingerprint {
            return Err(CursorError::FilterMismatch);
        }
        Ok(plain)
    }

    /// `page` with every cursor bound (the edges', and so `pageInfo`'s).
    pub fn bind_page<N>(&self, page: Page<N>) -> Page<N> {
        page.map_cursors(|cursor| self.bind(cursor))
    }

    /// `args` with `after` and `before` opened ([`open`](Self::open)) to
    /// the plain cursors inside, ready for [`PageArgs::validate`]; `K` is
    /// the ordering's cursor type, whose length bound (plus [`OVERHEAD`])
    /// refuses longer input before any work.
    ///
    /// # Errors
    ///
    /// [`PageError::InvalidCursor`] naming the argument, with
    /// [`CursorError::TooLong`] or one of [`open`](Self::open)'s.
    pub fn open_args<K: super::Cursor>(&self, args: &PageArgs) -> Result<PageArgs, PageError> {
        self.open_args_within(args, K::MAX_LEN)
    }

    /// [`open_args`](Self::open_args) for a plain cursor bound of `max_len`.
    pub(crate) fn open_args_within(
        &self,
        args: &PageArgs,
        max_len: usize,
    ) -> Result<PageArgs, PageError> {
        args.open_cursors(max_len + OVERHEAD, |_, cursor| self.open(cursor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc_support::{Row, RowCursor};
    use crate::{PageArgs, paginate_slice};

    #[test]
    fn a_walk_stays_on_its_filters() {
        let rows: Vec<Row> = (1..=5).map(|id| Row { id }).collect();
        let binding = FilterBinding::new("all");
        let first = paginate_slice::<RowCursor>(&rows, &PageArgs::first(2)).unwrap();
        let first = binding.bind_page(first);
        let end = first.page_info.end_cursor.clone().unwrap();
        assert_eq!(Some(&end), first.edges.last().map(|e| &e.cursor));
        let args = binding.open_args::<RowCursor>(&PageArgs::first(2).after(end.clone()));
        let next = paginate_slice::<RowCursor>(&rows, &args.unwrap()).unwrap();
        assert_eq!(next.nodes().map(|r| r.id).collect::<Vec<_>>(), [3, 4]);

        let other = FilterBinding::new("some");
        let err = other
            .open_args::<RowCursor>(&PageArgs::first(2).before(end.clone()))
            .unwrap_err();
        assert_eq!(err.code(), "CURSOR_FILTER_MISMATCH");
        assert_eq!(err.argument(), Some("before"));
        assert_eq!(
            err.to_string(),
            "`before` is not a valid cursor: cursor was handed out under other filters than this request's; start again from the first page"
        );
        // Too long for the ordering before anything is parsed.
        let long = format!("{end}{}", "A".repeat(<RowCursor as crate::Cursor>::MAX_LEN));
        let err = binding.open_args::<RowCursor>(&PageArgs::first(2).after(long));
        assert!(matches!(
            err,
            Err(PageError::InvalidCursor {
                source: CursorError::TooLong { .. },
                ..
            })
        ));
    }

    #[test]
    fn the_empty_key_is_the_plain_cursor() {
        let none = FilterBinding::new("");
        assert_eq!(none.bind("AQ"), "AQ");
        assert_eq!(none.open("AQ"), Ok("AQ"));
        let bound = FilterBinding::new("k").bind("AQ");
        assert_eq!(none.open(&bound), Err(CursorError::FilterMismatch));
        assert!(matches!(none.open("AQ~!"), Err(CursorError::Malformed(_))));
    }

    #[test]
    fn malformed_suffixes_are_refused() {
        let binding = FilterBinding::new("k");
        let bound = binding.bind("AQ");
        assert_eq!(bound.len(), 2 + OVERHEAD);
        for bad in [
            "AQ~",
            "AQ~AAAAAAA",
            "AQ~AWvYhU",
            "AQ~AWvYhUcA",
            "AQ~!!!!!!!",
        ] {
            assert!(
                matches!(binding.open(bad), Err(CursorError::Malformed(_))),
                "{bad}"
            );
        }
        // Every single-character change of the suffix is caught.
        let (plain, suffix) = bound.split_once('~').unwrap();
        for i in 0..suffix.len() {
            let mut changed = suffix.as_bytes().to_vec();
            changed[i] = if changed[i] == b'B' { b'C' } else { b'B' };
            let changed = format!("{plain}~{}", String::from_utf8(changed).unwrap());
            assert!(binding.open(&changed).is_err(), "{changed}");
        }
    }
}
