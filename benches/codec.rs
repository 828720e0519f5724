//! Benchmark 1: the cursor codec.
//!
//! Encode, decode and round trip of keypage's derived cursors against
//! async-graphql 7's `OpaqueCursor` (serde_json + URL-safe base64) holding
//! the same values, for a `(created_at desc, id desc)` ordering and a 4-key
//! ordering with a `String` and an `Option`, on typical and worst-case
//! values; and the same keypage cursors signed (`keypage::signed`, HMAC-SHA-256
//! with the default 16-byte tag and a one-hour expiry): sign after encode,
//! verify before decode. Prints a summary table (medians, ratios, encoded
//! lengths) at the end and writes it to
//! `$CARGO_TARGET_DIR/keypage-bench/codec.md`.
//!
//! ```sh
//! CARGO_TARGET_DIR=target cargo bench --bench codec
//! ```

use std::hint::black_box;
use std::sync::LazyLock;
use std::time::Duration;

use async_graphql::connection::{CursorType, OpaqueCursor};
use criterion::Criterion;
use keypage::Cursor as _;
use keypage::signed::CursorKeys;

#[path = "common/report.rs"]
mod report;

/// `(created_at, id)`: the cursor of the classic feed ordering.
#[derive(keypage::Paginate)]
#[paginate(order_by = "created_at desc, id desc")]
#[allow(dead_code)]
struct Article {
    #[paginate(unique)]
    id: i64,
    created_at: i64,
}

/// A 4-key ordering with a `String` and an `Option`.
#[derive(keypage::Paginate)]
#[paginate(order_by = "author asc, priority desc nulls last, created_at desc, id asc")]
#[allow(dead_code)]
struct Task {
    #[paginate(unique)]
    id: i64,
    author: String,
    priority: Option<i32>,
    created_at: i64,
}

/// The signed cases' keys: a one-hour expiry, as a server that bounds how
/// long a walk may pause would set.
static KEYS: LazyLock<CursorKeys> = LazyLock::new(|| {
    CursorKeys::new(1, [0x5a; 32])
        .unwrap()
        .expire_after(Duration::from_secs(3600))
});

/// `encode`, then signed.
fn signed(encode: &dyn Fn() -> String) -> String {
    KEYS.sign(&encode())
}

/// Verified, then `decode`d.
fn verified(s: &str, decode: &dyn Fn(&str) -> bool) -> bool {
    KEYS.verify(black_box(s)).is_ok_and(decode)
}

type Opaque2 = OpaqueCursor<(i64, i64)>;
type Opaque4 = OpaqueCursor<(String, Option<i32>, i64, i64)>;

struct Case {
    name: &'static str,
    keypage: Box<dyn Fn() -> String>,
    keypage_rt: Box<dyn Fn(&str) -> bool>,
    opaque: Box<dyn Fn() -> String>,
    opaque_rt: Box<dyn Fn(&str) -> bool>,
}

fn two_key(name: &'static str, created_at: i64, id: i64) -> Case {
    let k = ArticleCursor { created_at, id };
    let o = OpaqueCursor((created_at, id));
    Case {
        name,
        keypage: Box::new(move || black_box(&k).encode()),
        keypage_rt: Box::new(|s| black_box(ArticleCursor::decode(black_box(s))).is_ok()),
        opaque: Box::new(move || black_box(&o).encode_cursor()),
        opaque_rt: Box::new(|s| black_box(Opaque2::decode_cursor(black_box(s))).is_ok()),
    }
}

fn four_key(
    name: &'static str,
    author: &str,
    priority: Option<i32>,
    created_at: i64,
    id: i64,
) -> Case {
    let k = TaskCursor {
        author: author.to_owned(),
        priority,
        created_at,
        id,
    };
    let o = OpaqueCursor((author.to_owned(), priority, created_at, id));
    Case {
        name,
        keypage: Box::new(move || black_box(&k).encode()),
        keypage_rt: Box::new(|s| black_box(TaskCursor::decode(black_box(s))).is_ok()),
        opaque: Box::new(move || black_box(&o).encode_cursor()),
        opaque_rt: Box::new(|s| black_box(Opaque4::decode_cursor(black_box(s))).is_ok()),
    }
}

fn cases() -> Vec<Case> {
    vec![
        // A millisecond timestamp of late 2024 and a six-digit id.
        two_key("2key_typical", 1_732_000_000_123, 123_456),
        // The longest either encoding gets: the most negative i64 twice.
        two_key("2key_worst", i64::MIN, i64::MIN),
        four_key(
            "4key_typical",
            "ada.lovelace",
            Some(3),
            1_732_000_000_123,
            123_456,
        ),
        // Worst for the fixed-size parts; a String key grows both encodings
        // by its length.
        four_key(
            "4key_worst",
            "ada.lovelace",
            Some(i32::MIN),
            i64::MIN,
            i64::MIN,
        ),
    ]
}

fn bench(c: &mut Criterion) {
    for case in cases() {
        let k_str = (case.keypage)();
        let o_str = (case.opaque)();
        assert!((case.keypage_rt)(&k_str) && (case.opaque_rt)(&o_str));
        let mut g = c.benchmark_group(format!("codec/{}", case.name));
        g.bench_function("keypage/encode", |b| b.iter(|| (case.keypage)()));
        g.bench_function("keypage/decode", |b| b.iter(|| (case.keypage_rt)(&k_str)));
        g.bench_function("keypage/roundtrip", |b| {
            b.iter(|| (case.keypage_rt)(&(case.keypage)()))
        });
        let s_str = signed(&case.keypage);
        assert!(verified(&s_str, &case.keypage_rt));
        g.bench_function("signed/encode", |b| b.iter(|| signed(&case.keypage)));
        g.bench_function("signed/decode", |b| {
            b.iter(|| verified(&s_str, &case.keypage_rt))
        });
        g.bench_function("signed/roundtrip", |b| {
            b.iter(|| verified(&signed(&case.keypage), &case.keypage_rt))
        });
        g.bench_function("opaque/encode", |b| b.iter(|| (case.opaque)()));
        g.bench_function("opaque/decode", |b| b.iter(|| (case.opaque_rt)(&o_str)));
        g.bench_function("opaque/roundtrip", |b| {
            b.iter(|| (case.opaque_rt)(&(case.opaque)()))
        });
        g.finish();
    }
}

fn summary() {
    let est = report::Estimates::new();
    let mut t = report::Table::new(&[
        "case",
        "op",
        "keypage (ns)",
        "OpaqueCursor (ns)",
        "OpaqueCursor / keypage",
        "keypage signed (ns)",
        "signed / keypage",
    ]);
    let mut lens = report::Table::new(&[
        "case",
        "keypage cursor",
        "OpaqueCursor",
        "keypage / OpaqueCursor",
        "keypage signed",
    ]);
    for case in cases() {
        for op in ["encode", "decode", "roundtrip"] {
            let group = format!("codec/{}", case.name);
            let k = est.median_ns(&group, &format!("keypage_{op}"));
            let o = est.median_ns(&group, &format!("opaque_{op}"));
            let signed = est.median_ns(&group, &format!("signed_{op}"));
            t.row(vec![
                case.name.into(),
                op.into(),
                report::ns(k),
                report::ns(o),
                report::ratio(o, k),
                report::ns(signed),
                report::ratio(signed, k),
            ]);
        }
        let (k, o, signed) = ((case.keypage)(), (case.opaque)(), signed(&case.keypage));
        lens.row(vec![
            case.name.into(),
            format!("{} chars `{k}`", k.len()),
            format!("{} chars `{o}`", o.len()),
            format!("{:.0}%", 100.0 * k.len() as f64 / o.len() as f64),
            format!("{} chars (+{})", signed.len(), signed.len() - k.len()),
        ]);
    }
    let text = format!(
        "### Codec: median time per operation\n\n{}\n### Codec: encoded length\n\n{}",
        t.markdown(),
        lens.markdown()
    );
    report::emit("codec.md", &text);
}

/// `KEYPAGE_CODEC_PROFILE=2key_typical/keypage/100000` runs that round trip
/// that many times and exits, for `valgrind --tool=callgrind` (instruction
/// counts do not care how busy the machine is): run it with 0 and with N,
/// the difference over N is the instructions per round trip.
/// `CASE/WHO/OP/N`, with OP `encode`, `decode` or `roundtrip`, profiles one
/// operation alone (decode reads a cursor encoded once up front).
fn profile(spec: &str) {
    let parts: Vec<&str> = spec.split('/').collect();
    let (case, who, op, n) = match parts[..] {
        [case, who, n] => (case, who, "roundtrip", n),
        [case, who, op, n] => (case, who, op, n),
        _ => panic!(
            "CASE/keypage|signed|opaque/N or CASE/keypage|signed|opaque/encode|decode|roundtrip/N"
        ),
    };
    let n: u64 = n.parse().expect("N, a count");
    let case = cases()
        .into_iter()
        .find(|c| c.name == case)
        .expect("a case name, e.g. 2key_typical");
    let signed_encode: Box<dyn Fn() -> String> = Box::new(|| signed(&case.keypage));
    let signed_decode: Box<dyn Fn(&str) -> bool> = Box::new(|s| verified(s, &case.keypage_rt));
    let (encode, decode) = match who {
        "keypage" => (&case.keypage, &case.keypage_rt),
        "signed" => (&signed_encode, &signed_decode),
        "opaque" => (&case.opaque, &case.opaque_rt),
        _ => panic!("keypage, signed or opaque"),
    };
    let encoded = encode();
    for _ in 0..n {
        let ok = match op {
            "roundtrip" => decode(&encode()),
            "encode" => !black_box(encode()).is_empty(),
            "decode" => decode(black_box(&encoded)),
            _ => panic!("encode, decode or roundtrip"),
        };
        assert!(black_box(ok));
    }
}

fn main() {
    report::started();
    if let Ok(spec) = std::env::var("KEYPAGE_CODEC_PROFILE") {
        return profile(&spec);
    }
    let mut c = Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2))
        .configure_from_args();
    bench(&mut c);
    c.final_summary();
    summary();
}
