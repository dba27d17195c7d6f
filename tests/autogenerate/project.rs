//! A throwaway crate holding generated histories, built with cargo on this
//! workspace's `migration-runtime` (sharing its target folder, so only the
//! crate itself compiles), and the cases that fill it.

use std::path::{Path, PathBuf};
use std::process::Command;

/// One way of changing `schema.rs`, and what autogenerate must make of it.
pub struct Case {
    /// The case's name (its history is `src/case_<name>.rs`).
    pub name: &'static str,
    edits: Vec<(String, String)>,
    /// `--rename` hints.
    pub renames: Vec<&'static str>,
    /// Text the generated history must contain.
    pub writes: Vec<&'static str>,
    /// What the build says while the author has not decided.
    pub refusals: Vec<&'static str>,
    decisions: Vec<Decision>,
    /// Whether the generated (and decided) migration can be downgraded.
    pub reversible: bool,
}

enum Decision {
    Replace(String, String),
    Edit(fn(&str) -> String),
}

impl Case {
    /// A case that leaves `schema.rs` as it is, until edited.
    pub fn new(name: &'static str) -> Case {
        Case {
            name,
            edits: Vec::new(),
            renames: Vec::new(),
            writes: Vec::new(),
            refusals: Vec::new(),
            decisions: Vec::new(),
            reversible: true,
        }
    }

    /// Replaces `from` (which must be there) with `to` in `schema.rs`.
    pub fn edit(mut self, from: &str, to: &str) -> Case {
        self.edits.push((from.to_owned(), to.to_owned()));
        self
    }

    /// Passes `--rename hint`.
    pub fn rename(mut self, hint: &'static str) -> Case {
        self.renames.push(hint);
        self
    }

    /// The generated history must contain each of `texts`.
    pub fn writes(mut self, texts: &[&'static str]) -> Case {
        self.writes.extend(texts);
        self
    }

    /// The generated migration must not compile, with each of `messages`;
    /// until decided it cannot be downgraded.
    pub fn refused_with(mut self, messages: &[&'static str]) -> Case {
        self.refusals.extend(messages);
        self.reversible = false;
        self
    }

    /// The author's decision: replace `from` (which must be there) with `to`.
    pub fn decide(mut self, from: &str, to: &str) -> Case {
        self.decisions
            .push(Decision::Replace(from.to_owned(), to.to_owned()));
        self
    }

    /// The author's decision, as an edit of the whole history file.
    pub fn decide_by(mut self, edit: fn(&str) -> String) -> Case {
        self.decisions.push(Decision::Edit(edit));
        self
    }

    /// Once decided, the migration has a downgrade.
    pub fn reversible(mut self) -> Case {
        self.reversible = true;
        self
    }

    /// The case's `schema.rs`: the base one, edited.
    pub fn schema_rs(&self, base: &str) -> String {
        replace_all(self.name, base, &self.edits)
    }
}

fn replace_all(name: &str, text: &str, edits: &[(String, String)]) -> String {
    let mut text = text.to_owned();
    for (from, to) in edits {
        assert!(
            text.contains(from.as_str()),
            "{name}: no `{from}` in\n{text}"
        );
        text = text.replacen(from.as_str(), to, 1);
    }
    text
}

/// The throwaway crate, in a fresh temporary folder.
pub struct Project {
    dir: PathBuf,
    workspace: PathBuf,
}

impl Project {
    /// Creates the folder; the crate's files are written by [`Project::build`].
    pub fn new(name: &str) -> Project {
        let dir = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("src")).expect("create the project folder");
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("the workspace")
            .to_owned();
        Project { dir, workspace }
    }

    /// Removes the project's folder.
    pub fn remove(self) {
        std::fs::remove_dir_all(&self.dir).expect("remove the project folder");
    }

    /// A path in the project.
    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.join(relative)
    }

    /// Writes `contents` at `relative`; returns the path.
    pub fn write(&self, relative: &str, contents: &str) -> PathBuf {
        let path = self.path(relative);
        std::fs::write(&path, contents).expect("write a project file");
        path
    }

    /// Writes the author's decisions into the case's history.
    pub fn decide(&self, case: &Case) {
        let file = self.path(&format!("src/case_{}.rs", case.name));
        let mut text = std::fs::read_to_string(&file).expect("read the history");
        for decision in &case.decisions {
            text = match decision {
                Decision::Replace(from, to) => {
                    replace_all(case.name, &text, &[(from.clone(), to.clone())])
                }
                Decision::Edit(edit) => edit(&text),
            };
        }
        std::fs::write(file, text).expect("write the history");
    }

    /// rustfmt leaves the file as it is.
    pub fn assert_rustfmt_clean(&self, file: &Path) {
        let output = Command::new("rustfmt")
            .args(["--check", "--edition", "2024"])
            .arg(file)
            .current_dir(&self.workspace)
            .output()
            .expect("run rustfmt");
        assert!(
            output.status.success(),
            "{} is not as rustfmt writes it:\n{}",
            file.display(),
            String::from_utf8_lossy(&output.stdout)
        );
    }

    /// Builds a binary running the command line on any of `cases` (chosen by
    /// `AUTOGEN_CASE`); its path, or the compiler's messages.
    pub fn build(&self, cases: &[&Case], expect_success: bool) -> Result<PathBuf, String> {
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map_or_else(|| self.workspace.join("target"), PathBuf::from);
        let runtime = self.workspace.join("migration-runtime");
        self.write(
            "Cargo.toml",
            &format!(
                "[package]\nname = \"autogenerate-cases\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
                 [dependencies]\nmigration-runtime = {{ path = {:?} }}\n\n[workspace]\n",
                runtime.display().to_string()
            ),
        );
        std::fs::copy(self.workspace.join("Cargo.lock"), self.path("Cargo.lock"))
            .expect("copy Cargo.lock");
        std::fs::copy(
            self.workspace.join("rust-toolchain.toml"),
            self.path("rust-toolchain.toml"),
        )
        .expect("copy rust-toolchain.toml");
        let mut main = String::new();
        for case in cases {
            main.push_str(&format!("mod case_{};\n", case.name));
        }
        main.push_str(
            "\nfn main() -> std::process::ExitCode {\n    let case = std::env::var(\"AUTOGEN_CASE\").unwrap_or_default();\n    \
             let set = match case.as_str() {\n",
        );
        for case in cases {
            main.push_str(&format!(
                "        {:?} => case_{}::history::MIGRATIONS,\n",
                case.name, case.name
            ));
        }
        main.push_str(
            "        _ => return std::process::ExitCode::from(2),\n    };\n    \
             migration_runtime::cli::main(set, \"unused.db\", \"unused.rs\")\n}\n",
        );
        self.write("src/main.rs", &main);
        let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["build", "--offline", "--quiet", "--message-format", "short"])
            .env("CARGO_TARGET_DIR", &target)
            .current_dir(&self.dir)
            .output()
            .expect("run cargo");
        let messages = String::from_utf8_lossy(&output.stderr).into_owned();
        if output.status.success() {
            assert!(expect_success, "the project compiled:\n{messages}");
            Ok(target.join("debug").join("autogenerate-cases"))
        } else {
            Err(messages)
        }
    }
}

/// Runs the built command line for `case` on `url`; whether it succeeded,
/// and what it printed (stdout, then stderr).
pub fn run_case(binary: &Path, case: &str, url: &str, args: &[&str]) -> (bool, String) {
    let output = Command::new(binary)
        .env("AUTOGEN_CASE", case)
        .env_remove("DATABASE_URL")
        .args(["--database-url", url])
        .args(args)
        .output()
        .expect("run the case binary");
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}
