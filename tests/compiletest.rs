//! Compile-fail cases for every diagnostic of `#[derive(Paginate)]`, and
//! pass cases for hygiene. The `.stderr` files are blessed on the pinned
//! toolchain with `TRYBUILD=overwrite cargo test --test compiletest`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
