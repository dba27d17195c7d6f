//! Generates the benchmark's 200-migration history: ten tables, each grown
//! by a cycle of the steps real histories are made of.

use std::fmt::Write;

fn main() {
    let mut source = String::from(
        "/// A generated 200-migration history.\n#[migration_runtime::migrations]\npub mod history {\n",
    );
    let tables = 10;
    let mut n = 0;
    let mut id = || {
        n += 1;
        format!("2024_01_01_{n:06}")
    };
    for t in 0..tables {
        let _ = write!(
            source,
            "    #[migration(id = \"{}\")]\n    fn create_t{t}(m: &mut Up) {{\n        \
             m.create_table(\"t{t}\", |t| {{ t.id(\"id\"); t.column(\"name\", varchar(20)); t.column(\"parent_id\", bigint().nullable()); }});\n    }}\n",
            id()
        );
    }
    // 19 more migrations per table: 10 + 190 = 200.
    for round in 0..19 {
        for t in 0..tables {
            let body = match round % 7 {
                0 => format!("m.add_column(\"t{t}\", \"c{round}\", text().nullable());"),
                1 => format!("m.add_column(\"t{t}\", \"s{round}\", varchar(20).default(\"new\"));"),
                2 => format!(
                    "m.change_type(\"t{t}\", \"name\", varchar({}));",
                    20 + round * 10
                ),
                3 => format!("m.create_index(\"t{t}\", [\"name\"]).name(\"t{t}_name_{round}\");"),
                4 if round < 7 => format!(
                    "m.add_foreign_key(\"t{t}\", [\"parent_id\"], \"t{}\", [\"id\"]).name(\"t{t}_parent_{round}\");",
                    (t + 1) % tables
                ),
                5 => format!(
                    "m.add_column(\"t{t}\", \"u{round}\", text().nullable()); \
                     m.backfill(\"t{t}\", \"u{round}\", col(\"name\"));"
                ),
                _ => format!("m.add_column(\"t{t}\", \"n{round}\", integer().default({round}));"),
            };
            let _ = write!(
                source,
                "    #[migration(id = \"{}\")]\n    fn step_{round}_t{t}(m: &mut Up) {{\n        {body}\n    }}\n",
                id()
            );
        }
    }
    source.push_str("}\n");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(format!("{out}/history.rs"), source).expect("write the generated history");
}
