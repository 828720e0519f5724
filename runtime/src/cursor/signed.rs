//! Signed cursors (feature `signed`): a cursor sealed with an HMAC-SHA-256
//! tag under a server key, so that a client can hand back only cursors the
//! server minted, unaltered and, if asked, not expired.
//!
//! A plain cursor is opaque, not secret, and not tamper-evident: a client
//! that decodes one can write another, which pages from a position of its
//! choosing. That is harmless for most lists (every position is one the
//! client could reach by walking), and is what signing is for where it is
//! not: a cursor that must not be forged (a position the client may not
//! start from, as a stable walk's pinned bound), or one that must stop
//! working after a while.
//!
//! # Wire format
//!
//! ```text
//! <plain cursor> "." base64url([format = 1][key id: u8][expiry: LEB128 u64][tag])
//! ```
//!
//! The plain cursor is the one the ordering mints, unchanged (so it stays
//! bound to its ordering, and its length bound still applies). The expiry is
//! in Unix seconds, `0` for none. The tag is the first
//! [`tag_len`](CursorKeys::tag_len) bytes (default [`DEFAULT_TAG_LEN`], 16:
//! 128 bits) of HMAC-SHA-256 over a domain string, the bytes before the tag
//! and the plain cursor, keyed by the key the id names; it is compared in
//! constant time. Signing adds 27 characters to a cursor, 32 with an expiry
//! (the default tag): a cursor of two `i64` keys grows from 10-34
//! characters to 42-66.
//!
//! # Keys and rotation
//!
//! [`CursorKeys`] holds one signing key and any number of keys that are
//! only verified, each under a one-byte id carried in the cursor. To rotate:
//! deploy the new key as a verifying key everywhere, then make it the
//! signing key (the old one verifying), then drop the old one once the
//! longest-lived cursor it signed has expired or may be refused.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::codec::{
    decode_base64, decoded_len, encode_base64, encoded_len, varint_u64, write_varint,
};
use crate::args::PageArgs;
use crate::error::{CursorError, PageError};
use crate::page::Page;

type HmacSha256 = Hmac<Sha256>;

/// The shortest secret [`CursorKeys`] accepts, in bytes: 256 bits, the
/// output size of SHA-256 (a shorter key weakens the MAC).
pub const MIN_SECRET_LEN: usize = 32;
/// The tag length signed cursors carry unless
/// [`CursorKeys::tag_len`] says otherwise: 16 bytes, 128 bits.
pub const DEFAULT_TAG_LEN: usize = 16;
/// The shortest tag [`CursorKeys::tag_len`] accepts: 10 bytes, 80 bits,
/// the least RFC 2104 allows for a truncated HMAC.
pub const MIN_TAG_LEN: usize = 10;
/// The longest tag: all 32 bytes of HMAC-SHA-256.
pub const MAX_TAG_LEN: usize = 32;

/// The seal's format byte.
const FORMAT: u8 = 1;
/// Separates a signed cursor's tag from any other HMAC-SHA-256 use of the
/// same key.
const DOMAIN: &[u8] = b"keypage signed cursor\0";
/// Between the plain cursor and its seal: not a base64url character, so a
/// plain cursor never holds one.
const SEPARATOR: char = '.';
/// Format byte, key id, and a `u64` varint of at most 10 bytes.
const MAX_HEADER: usize = 2 + 10;
/// The longest seal of any tag length, in characters.
const MAX_SEAL_CHARS: usize = encoded_len(MAX_HEADER + MAX_TAG_LEN);

/// Why a [`CursorKeys`] was not built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SigningKeyError {
    /// A secret shorter than [`MIN_SECRET_LEN`] bytes.
    #[error("the secret of key {key_id} is {len} bytes long; at least {min} are required")]
    SecretTooShort {
        /// The key's id.
        key_id: u8,
        /// The secret's length in bytes.
        len: usize,
        /// [`MIN_SECRET_LEN`].
        min: usize,
    },
    /// Two keys under one id: a cursor names its key by id alone.
    #[error("key id {key_id} is given twice; each key needs an id of its own")]
    DuplicateKeyId {
        /// The id given twice.
        key_id: u8,
    },
    /// A tag length outside [`MIN_TAG_LEN`]`..=`[`MAX_TAG_LEN`].
    #[error("`tag_len` must be between {min} and {max} bytes, got {value}")]
    TagLenOutOfRange {
        /// The length asked for.
        value: usize,
        /// [`MIN_TAG_LEN`].
        min: usize,
        /// [`MAX_TAG_LEN`].
        max: usize,
    },
}

/// The server's cursor keys: one that signs, any number that only verify,
/// the tag length and an optional lifetime. Cheap to clone (shared), so
/// one set can be schema data and every resolver's.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use keypage_runtime::cursor::CursorKeys;
/// use keypage_runtime::CursorError;
///
/// let keys = CursorKeys::new(2, b"a secret of at least thirty-two bytes!")?
///     .verify_also(1, b"last month's secret, still accepted....")?
///     .expire_after(Duration::from_secs(3600));
/// let now = SystemTime::now();
/// let signed = keys.sign_at("AZQPaeIf", now);
/// assert_eq!(keys.verify_at(&signed, now), Ok("AZQPaeIf"));
///
/// // Any change is refused, and so is the plain cursor, and the signed one after its hour.
/// let altered = signed.replacen("AZQ", "AZR", 1);
/// assert_eq!(keys.verify_at(&altered, now), Err(CursorError::BadSignature));
/// assert_eq!(keys.verify_at("AZQPaeIf", now), Err(CursorError::Unsigned));
/// let later = now + Duration::from_secs(3601);
/// assert!(matches!(keys.verify_at(&signed, later), Err(CursorError::Expired { .. })));
/// # Ok::<_, keypage_runtime::cursor::SigningKeyError>(())
/// ```
#[derive(Clone)]
pub struct CursorKeys {
    inner: Arc<Keys>,
}

#[derive(Clone)]
struct Keys {
    /// The signing key's id; its MAC is in `keys` too.
    signing: u8,
    /// Every key that verifies, the signing one included, each keyed
    /// once: a MAC is cloned per cursor, not keyed again.
    keys: Vec<(u8, HmacSha256)>,
    ttl: Option<Duration>,
    tag_len: usize,
}

impl CursorKeys {
    /// Cursors signed with `secret` under the id `key_id` (any byte; the
    /// cursor carries it, to find the key again after a rotation).
    ///
    /// # Errors
    ///
    /// [`SigningKeyError::SecretTooShort`] for a secret under
    /// [`MIN_SECRET_LEN`] bytes.
    pub fn new(key_id: u8, secret: impl AsRef<[u8]>) -> Result<Self, SigningKeyError> {
        Ok(CursorKeys {
            inner: Arc::new(Keys {
                signing: key_id,
                keys: vec![(key_id, keyed(key_id, secret.as_ref())?)],
                ttl: None,
                tag_len: DEFAULT_TAG_LEN,
            }),
        })
    }

    /// Also accepts cursors signed with `secret` under `key_id` (a key
    /// being rotated in or out), without signing with it.
    ///
    /// # Errors
    ///
    /// [`SigningKeyError::DuplicateKeyId`] when `key_id` already names a
    /// key, [`SigningKeyError::SecretTooShort`] as for [`new`](Self::new).
    pub fn verify_also(
        mut self,
        key_id: u8,
        secret: impl AsRef<[u8]>,
    ) -> Result<Self, SigningKeyError> {
        if self.inner.keys.iter().any(|(id, _)| *id == key_id) {
            return Err(SigningKeyError::DuplicateKeyId { key_id });
        }
        let mac = keyed(key_id, secret.as_ref())?;
        Arc::make_mut(&mut self.inner).keys.push((key_id, mac));
        Ok(self)
    }

    /// Cursors signed from now on expire `ttl` after they are signed
    /// (rounded up to whole seconds, at least one); verifying refuses them
    /// from then on with [`CursorError::Expired`]. Expiry is checked
    /// against this machine's clock, so servers behind one load balancer
    /// need clocks within a few seconds of each other.
    #[must_use]
    pub fn expire_after(mut self, ttl: Duration) -> Self {
        Arc::make_mut(&mut self.inner).ttl = Some(ttl);
        self
    }

    /// The tag length of cursors signed from now on, in bytes: between
    /// [`MIN_TAG_LEN`] and [`MAX_TAG_LEN`] (default [`DEFAULT_TAG_LEN`]).
    /// Verifying accepts only this length, so a change refuses every cursor
    /// signed before it.
    ///
    /// # Errors
    ///
    /// [`SigningKeyError::TagLenOutOfRange`], naming the allowed range.
    pub fn tag_len(mut self, len: usize) -> Result<Self, SigningKeyError> {
        if !(MIN_TAG_LEN..=MAX_TAG_LEN).contains(&len) {
            return Err(SigningKeyError::TagLenOutOfRange {
                value: len,
                min: MIN_TAG_LEN,
                max: MAX_TAG_LEN,
            });
        }
        Arc::make_mut(&mut self.inner).tag_len = len;
        Ok(self)
    }

    /// The most characters signing adds to a cursor: the separator and the
    /// seal (format, key id, expiry and tag, in base64).
    pub fn overhead(&self) -> usize {
        1 + encoded_len(MAX_HEADER + self.inner.tag_len)
    }

    /// `cursor` signed with the signing key, its expiry counted from now.
    pub fn sign(&self, cursor: &str) -> String {
        self.sign_at(cursor, SystemTime::now())
    }

    /// `cursor` signed with the signing key, its expiry counted from `now`.
    pub fn sign_at(&self, cursor: &str, now: SystemTime) -> String {
        self.sealer(now).seal(cursor)
    }

    /// The plain cursor inside `signed`, if the signature is one of these
    /// keys' and the cursor has not expired.
    ///
    /// # Errors
    ///
    /// [`CursorError::Unsigned`] for a cursor without a signature,
    /// [`CursorError::BadSignature`] for an altered or forged one,
    /// [`CursorError::RetiredKey`] for one signed with a key these keys no
    /// longer hold, [`CursorError::Expired`] for one past its expiry.
    pub fn verify<'a>(&self, signed: &'a str) -> Result<&'a str, CursorError> {
        self.verify_at(signed, SystemTime::now())
    }

    /// [`verify`](Self::verify), with expiry judged at `now`.
    ///
    /// # Errors
    ///
    /// As [`verify`](Self::verify).
    pub fn verify_at<'a>(&self, signed: &'a str, now: SystemTime) -> Result<&'a str, CursorError> {
        let (plain, seal) = signed.rsplit_once(SEPARATOR).ok_or(CursorError::Unsigned)?;
        let n = decoded_len(seal.len())
            .filter(|_| seal.len() <= MAX_SEAL_CHARS)
            .ok_or(CursorError::BadSignature)?;
        let mut buf = [0; MAX_HEADER + MAX_TAG_LEN + 2];
        decode_base64(seal.as_bytes(), &mut buf).map_err(|_| CursorError::BadSignature)?;
        let bytes = &buf[..n];
        let &[FORMAT, key_id, ref rest @ ..] = bytes else {
            return Err(CursorError::BadSignature);
        };
        // Canonical and in range, so each expiry has one encoding.
        let (expiry, varint_len) = varint_u64(rest, 64).map_err(|_| CursorError::BadSignature)?;
        let tag = &rest[varint_len..];
        if tag.len() != self.inner.tag_len {
            return Err(CursorError::BadSignature);
        }
        let key = (self.inner.keys.iter())
            .find(|(id, _)| *id == key_id)
            .ok_or(CursorError::RetiredKey { key_id })?;
        let mut mac = key.1.clone();
        mac.update(DOMAIN);
        mac.update(&bytes[..2 + varint_len]);
        mac.update(plain.as_bytes());
        mac.verify_truncated_left(tag)
            .map_err(|_| CursorError::BadSignature)?;
        // Judged only once the expiry is known to be the server's own.
        if expiry != 0 && unix_seconds(now) >= expiry {
            return Err(CursorError::Expired { at: expiry });
        }
        Ok(plain)
    }

    /// `args` with its `after` and `before` verified and replaced by the
    /// plain cursors inside, ready for [`PageArgs::validate`]; `K` is the
    /// ordering's cursor type, whose length bound (plus the signature's)
    /// refuses longer input before any work.
    ///
    /// ```
    /// # mod doc_support { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/src/doc_support.rs")); }
    /// # use doc_support::*;
    /// use keypage_runtime::cursor::CursorKeys;
    /// use keypage_runtime::{PageArgs, paginate_slice};
    ///
    /// let keys = CursorKeys::new(1, [7; 32])?;
    /// let rows: Vec<Row> = (1..=5).map(|id| Row { id }).collect();
    /// let page = keys.sign_page(paginate_slice::<RowCursor>(&rows, &PageArgs::first(2)).unwrap());
    /// let args = PageArgs::first(2).after(page.page_info.end_cursor.unwrap());
    /// let next = paginate_slice::<RowCursor>(&rows, &keys.verify_args::<RowCursor>(&args)?).unwrap();
    /// assert_eq!(next.nodes().map(|r| r.id).collect::<Vec<_>>(), [3, 4]);
    /// // The signed cursor itself is not a plain one.
    /// assert_eq!(paginate_slice::<RowCursor>(&rows, &args).unwrap_err().code(), "INVALID_CURSOR");
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`PageError::InvalidCursor`] naming the argument, with
    /// [`CursorError::TooLong`] or one of [`verify`](Self::verify)'s.
    pub fn verify_args<K: super::Cursor>(&self, args: &PageArgs) -> Result<PageArgs, PageError> {
        self.verify_args_within(args, K::MAX_LEN, SystemTime::now())
    }

    /// [`verify_args`](Self::verify_args) for a plain cursor bound of
    /// `max_len` characters, expiry judged at `now`.
    pub(crate) fn verify_args_within(
        &self,
        args: &PageArgs,
        max_len: usize,
        now: SystemTime,
    ) -> Result<PageArgs, PageError> {
        args.open_cursors(max_len + self.overhead(), |_, cursor| {
            self.verify_at(cursor, now)
        })
    }

    /// `page` with every cursor signed (the edges', and so `pageInfo`'s),
    /// all with one expiry.
    pub fn sign_page<N>(&self, page: Page<N>) -> Page<N> {
        let sealer = self.sealer(SystemTime::now());
        page.map_cursors(|cursor| sealer.seal(cursor))
    }

    /// What every cursor signed at `now` shares: the header and the keyed MAC.
    fn sealer(&self, now: SystemTime) -> Sealer {
        let keys = &*self.inner;
        let expiry = keys.ttl.map_or(0, |ttl| {
            let secs = ttl.as_secs() + u64::from(ttl.subsec_nanos() > 0);
            unix_seconds(now).saturating_add(secs.max(1))
        });
        let mut header = [0; MAX_HEADER];
        header[0] = FORMAT;
        header[1] = keys.signing;
        let len = 2 + write_varint(u128::from(expiry), &mut header[2..]);
        let mac = &(keys.keys.iter())
            .find(|(id, _)| *id == keys.signing)
            .expect("the signing key is among the keys")
            .1;
        let mut mac = mac.clone();
        mac.update(DOMAIN);
        mac.update(&header[..len]);
        Sealer {
            header,
            len,
            mac,
            tag_len: keys.tag_len,
        }
    }
}

impl core::fmt::Debug for CursorKeys {
    /// Key ids, never secrets.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let keys = &*self.inner;
        f.debug_struct("CursorKeys")
            .field("signing", &keys.signing)
            .field(
                "verifying",
                &keys.keys.iter().map(|(id, _)| id).collect::<Vec<_>>(),
            )
            .field("ttl", &keys.ttl)
            .field("tag_len", &keys.tag_len)
            .finish()
    }
}

struct Sealer {
    header: [u8; MAX_HEADER],
    len: usize,
    /// Keyed, with the domain and header already fed.
    mac: HmacSha256,
    tag_len: usize,
}

impl Sealer {
    fn seal(&self, cursor: &str) -> String {
        let mut mac = self.mac.clone();
        mac.update(cursor.as_bytes());
        let tag = mac.finalize().into_bytes();
        let mut seal = [0; MAX_HEADER + MAX_TAG_LEN];
        seal[..self.len].copy_from_slice(&self.header[..self.len]);
        seal[self.len..self.len + self.tag_len].copy_from_slice(&tag[..self.tag_len]);
        let seal = encode_base64(&seal[..self.len + self.tag_len]);
        let mut out = String::with_capacity(cursor.len() + 1 + seal.len());
        out.push_str(cursor);
        out.push(SEPARATOR);
        out.push_str(&seal);
        out
    }
}

fn keyed(key_id: u8, secret: &[u8]) -> Result<HmacSha256, SigningKeyError> {
    if secret.len() < MIN_SECRET_LEN {
        return Err(SigningKeyError::SecretTooShort {
            key_id,
            len: secret.len(),
            min: MIN_SECRET_LEN,
        });
    }
    Ok(HmacSha256::new_from_slice(secret).expect("HMAC takes a key of any length"))
}

fn unix_seconds(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::Cursor as _;
    use crate::doc_support::RowCursor;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
    const OTHER: &[u8] = b"fedcba9876543210fedcba9876543210";

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn plain(id: i64) -> String {
        RowCursor { id }.encode()
    }

    #[test]
    fn signed_cursors_open_to_the_plain_cursor() {
        let keys = CursorKeys::new(9, SECRET).unwrap();
        for id in [0, 1, -1, i64::MAX, i64::MIN] {
            let signed = keys.sign(&plain(id));
            assert!(
                signed.len() <= plain(id).len() + keys.overhead(),
                "{signed}"
            );
            assert_eq!(keys.verify(&signed), Ok(&*plain(id)));
            assert_eq!(
                RowCursor::decode(keys.verify(&signed).unwrap()).unwrap().id,
                id
            );
        }
        // Format, key id, no expiry (1 byte) and a 16-byte tag: 19 bytes,
        // 26 characters, and a dot.
        assert_eq!(keys.sign("AQ").len(), 2 + 1 + 26);
        let keys = keys.expire_after(Duration::from_secs(60));
        assert_eq!(
            keys.sign("AQ").len(),
            2 + 1 + 31,
            "a 5-byte expiry: 23 bytes"
        );
        assert_eq!(
            keys.tag_len(32).unwrap().sign("AQ").len(),
            2 + 1 + 52,
            "39 bytes"
        );
    }

    #[test]
    fn every_altered_character_is_refused() {
        let keys = CursorKeys::new(1, SECRET)
            .unwrap()
            .expire_after(Duration::from_secs(600));
        let signed = keys.sign_at(&plain(123_456_789), at(1_800_000_000));
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
        for i in 0..signed.len() {
            for &c in alphabet {
                let mut altered = signed.clone().into_bytes();
                if altered[i] == c {
                    continue;
                }
                altered[i] = c;
                let altered = String::from_utf8(altered).unwrap();
                assert!(
                    keys.verify_at(&altered, at(1_800_000_000)).is_err(),
                    "{altered} (from {signed}) was accepted"
                );
            }
        }
        // Cut short, or lengthened, anywhere.
        for i in 0..signed.len() {
            assert!(keys.verify_at(&signed[..i], at(1_800_000_000)).is_err());
            let mut longer = signed.clone();
            longer.insert(i, 'A');
            assert!(keys.verify_at(&longer, at(1_800_000_000)).is_err());
        }
    }

    #[test]
    fn keys_rotate_one_signing_several_verifying() {
        let january = CursorKeys::new(1, SECRET).unwrap();
        let old = january.sign(&plain(5));
        // The new key verifies before it signs, ...
        let rolling = CursorKeys::new(1, SECRET)
            .unwrap()
            .verify_also(2, OTHER)
            .unwrap();
        assert_eq!(rolling.verify(&old), Ok(&*plain(5)));
        // ... then signs, the old one still verifying ...
        let february = CursorKeys::new(2, OTHER)
            .unwrap()
            .verify_also(1, SECRET)
            .unwrap();
        let new = february.sign(&plain(6));
        assert_eq!(february.verify(&old), Ok(&*plain(5)));
        assert_eq!(rolling.verify(&new), Ok(&*plain(6)));
        assert_eq!(
            january.verify(&new),
            Err(CursorError::RetiredKey { key_id: 2 })
        );
        // ... and once dropped, its cursors are refused by name.
        let march = CursorKeys::new(2, OTHER).unwrap();
        assert_eq!(
            march.verify(&old),
            Err(CursorError::RetiredKey { key_id: 1 })
        );
        assert_eq!(march.verify(&new), Ok(&*plain(6)));
        // Another secret under the signing key's id is a forgery.
        let impostor = CursorKeys::new(2, SECRET).unwrap();
        assert_eq!(impostor.verify(&new), Err(CursorError::BadSignature));
    }

    #[test]
    fn cursors_expire_after_their_lifetime() {
        let keys = CursorKeys::new(1, SECRET)
            .unwrap()
            .expire_after(Duration::from_millis(59_500));
        let signed = keys.sign_at("AQ", at(1_000));
        assert_eq!(keys.verify_at(&signed, at(1_059)), Ok("AQ"));
        assert_eq!(
            keys.verify_at(&signed, at(1_060)),
            Err(CursorError::Expired { at: 1_060 })
        );
        // The expiry is signed: keys without a lifetime still refuse it.
        let forever = CursorKeys::new(1, SECRET).unwrap();
        assert_eq!(
            forever.verify_at(&signed, at(2_000)),
            Err(CursorError::Expired { at: 1_060 })
        );
        // A cursor signed without one never expires.
        assert_eq!(
            forever.verify_at(&forever.sign_at("AQ", at(0)), at(u64::MAX / 2)),
            Ok("AQ")
        );
        // Under a second still lasts one.
        let brief = CursorKeys::new(1, SECRET)
            .unwrap()
            .expire_after(Duration::ZERO);
        let signed = brief.sign_at("AQ", at(5));
        assert_eq!(brief.verify_at(&signed, at(5)), Ok("AQ"));
        assert!(brief.verify_at(&signed, at(6)).is_err());
    }

    #[test]
    fn configuration_errors_name_the_argument_and_range() {
        let short = CursorKeys::new(3, [0; 31]).unwrap_err();
        assert_eq!(
            short.to_string(),
            "the secret of key 3 is 31 bytes long; at least 32 are required"
        );
        let twice = CursorKeys::new(3, SECRET).unwrap().verify_also(3, OTHER);
        assert_eq!(
            twice.unwrap_err(),
            SigningKeyError::DuplicateKeyId { key_id: 3 }
        );
        for len in [0, 9, 33] {
            let err = CursorKeys::new(3, SECRET)
                .unwrap()
                .tag_len(len)
                .unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("`tag_len` must be between 10 and 32 bytes, got {len}")
            );
        }
        // A tag length change refuses the shorter tags, which would be easier to forge.
        let long = CursorKeys::new(1, SECRET).unwrap().tag_len(20).unwrap();
        let short = CursorKeys::new(1, SECRET).unwrap().tag_len(10).unwrap();
        assert_eq!(
            long.verify(&short.sign("AQ")),
            Err(CursorError::BadSignature)
        );
        assert_eq!(
            short.verify(&long.sign("AQ")),
            Err(CursorError::BadSignature)
        );
        // Debug shows ids, never a secret.
        let debug = format!("{:?}", long.verify_also(7, [b'z'; 40]).unwrap());
        assert_eq!(
            debug,
            "CursorKeys { signing: 1, verifying: [1, 7], ttl: None, tag_len: 20 }"
        );
    }

    #[test]
    fn page_arguments_are_verified_bounded_and_named() {
        let keys = CursorKeys::new(1, SECRET).unwrap();
        let args = PageArgs::first(2)
            .after(keys.sign(&plain(1)))
            .before(keys.sign(&plain(9)));
        let opened = keys.verify_args::<RowCursor>(&args).unwrap();
        assert_eq!(opened, PageArgs::first(2).after(plain(1)).before(plain(9)));
        let forged = PageArgs::last(2).before(plain(9));
        let err = keys.verify_args::<RowCursor>(&forged).unwrap_err();
        assert_eq!(
            (err.code(), err.argument(), err.to_string().as_str()),
            (
                "INVALID_CURSOR",
                Some("before"),
                "`before` is not a valid cursor: cursor is not signed; pass a cursor this server handed out"
            )
        );
        // Longer than any signed cursor of the ordering: refused unread.
        let max = RowCursor::MAX_LEN + keys.overhead();
        let long = PageArgs::first(1).after("A".repeat(max + 1));
        assert_eq!(
            keys.verify_args::<RowCursor>(&long).unwrap_err(),
            PageError::InvalidCursor {
                argument: "after",
                source: CursorError::TooLong { len: max + 1, max }
            }
        );
    }

    #[test]
    fn expiry_varints_have_one_form() {
        for v in [0, 1, 127, 128, 1_800_000_000, u64::MAX] {
            let mut buf = [0; 10];
            let n = write_varint(u128::from(v), &mut buf);
            assert_eq!(varint_u64(&buf[..n], 64), Ok((v, n)));
            assert!(varint_u64(&buf[..n - 1], 64).is_err());
        }
        assert!(
            varint_u64(&[0x80, 0x00], 64).is_err(),
            "not the shortest form"
        );
        let too_big: Vec<u8> = [0xff; 9].iter().chain(&[2]).copied().collect();
        assert!(varint_u64(&too_big, 64).is_err());
    }

    proptest! {
        /// Against the model "only the exact string signed opens, to the
        /// exact cursor signed": any other string is refused, whatever
        /// bytes it is made of.
        #[test]
        fn only_what_was_signed_opens(
            cursor in "[A-Za-z0-9_-]{0,40}",
            other in "[A-Za-z0-9_.-]{0,80}",
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
            ttl in proptest::option::of(0_u64..100_000),
            now in 0_u64..4_000_000_000,
        ) {
            let mut keys = CursorKeys::new(4, SECRET).unwrap().verify_also(5, OTHER).unwrap();
            if let Some(ttl) = ttl {
                keys = keys.expire_after(Duration::from_secs(ttl));
            }
            let signed = keys.sign_at(&cursor, at(now));
            prop_assert_eq!(keys.verify_at(&signed, at(now)), Ok(&*cursor));
            let mut bytes = signed.clone().into_bytes();
            for (i, b) in edits {
                let i = i.index(bytes.len());
                bytes[i] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."[usize::from(b) % 65];
            }
            let altered = String::from_utf8(bytes).unwrap();
            if altered != signed {
                prop_assert!(keys.verify_at(&altered, at(now)).is_err(), "{} from {}", altered, signed);
            }
            if other != signed {
                prop_assert!(keys.verify_at(&other, at(now)).is_err());
            }
        }
    }
}
