//! Every compile-time check has a case here: the migration that breaks it
//! and the message the author sees (in `tests/ui/*.stderr`).

#[test]
fn compile_errors_point_at_the_authors_tokens() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/*.rs");
}
