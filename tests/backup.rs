//! Backup then restore gives back the same schema and rows, on both backends.

use std::path::PathBuf;

use migration_runtime::backup::{backup, restore};
use migration_runtime::testing::{PgTestDatabase, contents};
use migration_runtime::{AnyConnection, Error, Runner};

const MEMBERS: &str = "INSERT INTO members (first_name, last_name, email) VALUES \
    ('Ada', 'Lovelace', 'ada@example.org'), ('Zoë', 'O''Brien', 'zoe@example.org')";

fn scratch(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("backup-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

/// Backs up at `add_full_name` with members in it, changes the database in
/// every way (more migrations, rows deleted), restores, and compares.
fn backup_and_restore(url: &str, file: &std::path::Path) {
    let mut conn = AnyConnection::establish(url).expect("connect");
    Runner::new(&mut conn, cms::history::MIGRATIONS)
        .upgrade("+1")
        .expect("create members");
    conn.batch_execute(MEMBERS).expect("insert members");
    Runner::new(&mut conn, cms::history::MIGRATIONS)
        .upgrade("2024_01_15_000003")
        .expect("upgrade");
    let before = contents(&mut conn).expect("read the database");
    drop(conn);

    backup(url, file).expect("backup");
    let again = backup(url, file).expect_err("an existing backup is never overwritten");
    assert!(matches!(again, Error::Backup(_)), "{again}");

    let mut conn = AnyConnection::establish(url).expect("connect");
    Runner::new(&mut conn, cms::history::MIGRATIONS)
        .upgrade("head")
        .expect("upgrade to head");
    conn.batch_execute("DELETE FROM event_participants; DELETE FROM members")
        .expect("delete rows");
    assert_ne!(contents(&mut conn).expect("read"), before);
    drop(conn);

    restore(url, file).expect("restore");
    let mut conn = AnyConnection::establish(url).expect("connect");
    assert_eq!(
        contents(&mut conn).expect("read the restored database"),
        before
    );
    let current: Vec<String> = Runner::new(&mut conn, cms::history::MIGRATIONS)
        .applied()
        .expect("applied")
        .into_iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(
        current.last().map(String::as_str),
        Some("2024_01_15_000003")
    );
}

#[test]
fn postgres_backup_then_restore_gives_back_schema_and_rows() {
    let Some(db) = PgTestDatabase::create() else {
        return;
    };
    let file = scratch("pg.sql");
    backup_and_restore(db.url(), &file);
    std::fs::remove_file(file).expect("clean up");
}

#[test]
fn sqlite_backup_then_restore_gives_back_schema_and_rows() {
    let database = scratch("cms.db");
    let file = scratch("cms-backup.db");
    backup_and_restore(database.to_str().expect("utf-8 path"), &file);
    std::fs::remove_file(file).expect("clean up");
    std::fs::remove_file(database).expect("clean up");
}

#[test]
fn a_missing_pg_dump_is_a_clear_error() {
    let Some(db) = PgTestDatabase::create() else {
        return;
    };
    let file = scratch("never.sql");
    // A child process with an empty PATH, where the tool cannot be found.
    let output = std::process::Command::new(std::env::current_exe().expect("this binary"))
        .args(["--exact", "backup_child_without_path", "--nocapture"])
        .env("BACKUP_CHILD_URL", db.url())
        .env("BACKUP_CHILD_FILE", &file)
        .env("PATH", "")
        .output()
        .expect("run the child");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("1 passed"),
        "the child ran the check"
    );
}

/// Run by `a_missing_pg_dump_is_a_clear_error` with an empty PATH.
#[test]
fn backup_child_without_path() {
    let (Ok(url), Ok(file)) = (
        std::env::var("BACKUP_CHILD_URL"),
        std::env::var("BACKUP_CHILD_FILE"),
    ) else {
        return;
    };
    let error = backup(&url, std::path::Path::new(&file)).expect_err("no pg_dump");
    let message = error.to_string();
    assert!(
        message.starts_with("backup: cannot run `pg_dump`"),
        "{message}"
    );
    assert!(
        message.contains("apt-get install postgresql-client"),
        "{message}"
    );
}
