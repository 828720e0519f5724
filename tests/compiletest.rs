//! Compile-fail cases for every diagnostic of `#[derive(Paginate)]` and
//! `#[keypage::connections]`, and
//! pass cases for hygiene. The `.stderr` files are blessed on the pinned
//! toolchain with `TRYBUILD=overwrite cargo test --test compiletest`, and
//! (for `tests/ui/features/all/`) again with `--all-features`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    // rustc's list of the `CursorValue` implementors in this diagnostic
    // grows with keypage's `chrono`, `time` and `uuid` features: one expected
    // output for the default features, one for all of them (as CI runs).
    if cfg!(all(feature = "chrono", feature = "time", feature = "uuid")) {
        t.compile_fail("tests/ui/features/all/*.rs");
    } else if cfg!(not(any(
        feature = "chrono",
        feature = "time",
        feature = "uuid"
    ))) {
        t.compile_fail("tests/ui/features/default/*.rs");
    }
    // `#[keypage::connections]` exists with the `graphql` feature only.
    if cfg!(feature = "graphql") {
        t.compile_fail("tests/ui/graphql/*.rs");
    }
    t.pass("tests/ui/pass/*.rs");
}
