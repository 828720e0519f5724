//! Compile-fail cases for every diagnostic of `#[derive(Paginate)]` and
//! `#[keypage::connections]`, and pass cases for hygiene, all built with
//! the features this package's manifest turns on for keypage (so one
//! expected output each, whatever the workspace's features). The `.stderr`
//! files are blessed on the pinned toolchain with
//! `TRYBUILD=overwrite cargo nextest run -p keypage-ui-tests`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("derive/*.rs");
    // rustc lists the `CursorValue` implementors here, keypage's `chrono`,
    // `time` and `uuid` types among them.
    t.compile_fail("key_types/*.rs");
    t.compile_fail("graphql/*.rs");
    t.pass("pass/*.rs");
}
