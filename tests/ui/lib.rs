//! Empty: this package holds keypage's compile-fail cases, run by its
//! `compiletest` test (`cargo nextest run -p keypage-ui-tests`).
