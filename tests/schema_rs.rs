//! The CMS's `schema.rs` matches the head of its history, and a `schema.rs`
//! that drifted from the migrations is caught with what differs.

use migration_runtime::testing::{assert_schema_rs_matches, schema_rs_differences};

const SCHEMA_RS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/cms/src/schema.rs");

#[test]
fn the_cms_schema_rs_matches_the_head_of_history() {
    assert_schema_rs_matches(cms::history::MIGRATIONS, SCHEMA_RS);
}

#[test]
fn a_drifted_schema_rs_is_caught() {
    let source = std::fs::read_to_string(SCHEMA_RS).expect("read schema.rs");
    let drifted = source
        .replace(
            "#[max_length = 50]\n        phone_number",
            "#[max_length = 20]\n        phone_number",
        )
        .replace(
            "        #[max_length = 20]\n        status -> Varchar,\n",
            "",
        )
        .replace(
            "        is_active -> Bool,",
            "        is_active -> Nullable<Bool>,",
        )
        .replace("        member_id -> Uuid,", "        member_id -> Int4,")
        + "\ndiesel::table! {\n    audit_log (id) {\n        id -> Int8,\n    }\n}\n";
    let differences = schema_rs_differences(cms::history::MIGRATIONS, &drifted).expect("parse");
    assert_eq!(
        differences,
        [
            "column `members.phone_number` is varchar(50) in the migrations but `Varchar` with max_length = 20 in schema.rs",
            "column `members.status` is missing from schema.rs",
            "column `users.is_active` is NOT NULL in the migrations but Nullable in schema.rs",
            "column `event_participants.member_id` is uuid() in the migrations but `Int4` in schema.rs",
            "table `audit_log` in schema.rs does not exist at head",
        ]
    );
}

#[test]
fn check_fails_when_schema_rs_drifted_from_the_head() {
    use clap::Parser;
    use migration_runtime::cli::{Cli, run};

    let database = std::env::temp_dir().join(format!("schema-rs-check-{}.db", std::process::id()));
    let drifted = std::env::temp_dir().join(format!("schema-rs-check-{}.rs", std::process::id()));
    let _ = std::fs::remove_file(&database);
    let source = std::fs::read_to_string(SCHEMA_RS).expect("read schema.rs");
    std::fs::write(&drifted, source.replace("        is_active -> Bool,\n", "")).expect("write");
    let check = |schema_rs: &str| {
        let argv = [
            "cms",
            "--database-url",
            database.to_str().expect("utf-8"),
            "check",
            "--schema-rs",
            schema_rs,
        ];
        let mut out = Vec::new();
        let code = run(
            cms::history::MIGRATIONS,
            Cli::try_parse_from(argv).expect("arguments"),
            &mut out,
        )
        .expect("check");
        (code, String::from_utf8(out).expect("utf-8"))
    };
    let upgrade = Cli::try_parse_from([
        "cms",
        "--database-url",
        database.to_str().expect("utf-8"),
        "upgrade",
    ]);
    run(
        cms::history::MIGRATIONS,
        upgrade.expect("arguments"),
        &mut Vec::new(),
    )
    .expect("upgrade");

    let (code, out) = check(SCHEMA_RS);
    assert_eq!(
        (code, out.as_str()),
        (std::process::ExitCode::SUCCESS, "up to date\n")
    );
    let drifted_path = drifted.to_str().expect("utf-8");
    let (code, out) = check(drifted_path);
    assert_eq!(code, std::process::ExitCode::from(1));
    assert_eq!(
        out,
        format!("{drifted_path}: column `users.is_active` is missing from schema.rs\n")
    );
    std::fs::remove_file(database).expect("clean up");
    std::fs::remove_file(drifted).expect("clean up");
}

#[test]
fn foreign_keys_are_compared_with_joinable() {
    let source = std::fs::read_to_string(SCHEMA_RS).expect("read schema.rs");
    let drifted = source.replace(
        "diesel::joinable!(event_participants -> members (member_id));",
        "diesel::joinable!(users -> members (id));",
    );
    let differences = schema_rs_differences(cms::history::MIGRATIONS, &drifted).expect("parse");
    assert_eq!(
        differences,
        [
            "foreign key `event_participants_member_id_fkey` (event_participants.member_id -> members) has no joinable! in schema.rs",
            "joinable!(users -> members (id)) in schema.rs has no foreign key at head",
        ]
    );
}
