//! The README's first command: the example applies its migrations to a
//! SQLite file in the working folder, and a second run applies nothing.

use std::path::Path;
use std::process::Command;

fn run_in(folder: &Path) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_cms"))
        .current_dir(folder)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run the cms binary");
    assert!(
        output.status.success(),
        "cms failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8 output")
}

#[test]
fn first_run_applies_every_migration_and_second_run_applies_none() {
    let folder = std::env::temp_dir().join(format!("cms-binary-test-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("create a working folder");

    let first = run_in(&folder);
    assert!(
        first.contains("applied 2024_01_10_000001 create_members"),
        "{first}"
    );
    assert!(
        first.contains("applied 2024_01_10_000002 create_users"),
        "{first}"
    );
    assert!(
        folder.join("cms.db").exists(),
        "the SQLite file is created in the working folder"
    );

    let second = run_in(&folder);
    assert!(second.contains("nothing to apply"), "{second}");
    assert!(!second.contains("applied 2024"), "{second}");

    std::fs::remove_dir_all(&folder).expect("clean up");
}

#[test]
fn upgrade_backs_up_first_when_a_migration_drops_data() {
    let folder = std::env::temp_dir().join(format!("cms-backup-test-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("create a working folder");
    let output = Command::new(env!("CARGO_BIN_EXE_cms"))
        .current_dir(&folder)
        .env_remove("DATABASE_URL")
        .args(["upgrade", "--backup-if-dropping"])
        .output()
        .expect("run the cms binary");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("utf-8 output");
    let first_line = stdout.lines().next().expect("some output");
    assert!(first_line.starts_with("backed up to backup_"), "{stdout}");
    assert!(
        first_line.ends_with("_before_2024_01_20_000001.db (2024_01_20_000001 drops data)"),
        "{stdout}"
    );
    let file = first_line
        .trim_start_matches("backed up to ")
        .split(' ')
        .next()
        .expect("a file name");
    assert!(folder.join(file).exists(), "{file} was written");
    assert!(
        stdout.contains("applied 2024_02_01_000001 split_full_name"),
        "{stdout}"
    );
    std::fs::remove_dir_all(&folder).expect("clean up");
}

#[test]
fn a_dot_env_file_chooses_the_database() {
    let folder = std::env::temp_dir().join(format!("cms-dotenv-test-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("create a working folder");
    std::fs::write(folder.join(".env"), "DATABASE_URL=from-dotenv.db\n").expect("write .env");
    let output = Command::new(env!("CARGO_BIN_EXE_cms"))
        .current_dir(&folder)
        .env_remove("DATABASE_URL")
        .arg("current")
        .output()
        .expect("run the cms binary");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        folder.join("from-dotenv.db").exists(),
        "the database named in .env was used"
    );
    assert!(!folder.join("cms.db").exists(), "not the default one");
    std::fs::remove_dir_all(&folder).expect("clean up");
}
