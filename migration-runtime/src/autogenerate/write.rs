//! Writing the steps as the body of a migration function, the way an
//! author writes them and rustfmt leaves them: a call on one line when it
//! fits rustfmt's widths, one argument per line when not.

use migration_model::ident::default_name;
use migration_model::op::ColumnSpec;
use migration_model::{Column, ColumnDefault, ForeignKey, Op, RefAction, Table};

use super::Change;

/// Where the steps of a migration function start in a history file
/// (`mod history { fn migration(m: &mut Up) { .. } }`).
pub const BODY_INDENT: usize = 8;

/// rustfmt's `max_width`.
const MAX_WIDTH: usize = 100;

/// rustfmt's `fn_call_width`: wider arguments go one per line.
const CALL_WIDTH: usize = 60;

/// The body of a migration function doing `changes`: its lines, indented
/// by [`BODY_INDENT`], each ending in a newline.
pub fn write(changes: &[Change]) -> String {
    let mut lines = Vec::new();
    for change in changes {
        for comment in &change.comments {
            comment_lines(comment, BODY_INDENT, &mut lines);
        }
        if let Some(decide) = &change.decide {
            call(
                BODY_INDENT,
                "todo!",
                &[format!("{decide:?}")],
                ";",
                &mut lines,
            );
        }
        if let Some(op) = &change.op {
            step(op, &mut lines);
        }
    }
    lines.iter().map(|line| format!("{line}\n")).collect()
}

/// `// text`, wrapped at words to stay within the line width.
fn comment_lines(text: &str, indent: usize, lines: &mut Vec<String>) {
    let room = MAX_WIDTH - indent - "// ".len();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > room {
            lines.push(format!("{}// {line}", spaces(indent)));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(format!("{}// {line}", spaces(indent)));
    }
}

fn step(op: &Op, lines: &mut Vec<String>) {
    let i = BODY_INDENT;
    match op {
        Op::CreateTable(table) => create_table(table, lines),
        Op::DropTable { table } => call(i, "m.drop_table", &[text(table)], ";", lines),
        Op::RenameTable { from, to } => {
            call(i, "m.rename_table", &[text(from), text(to)], ";", lines)
        }
        Op::AddColumn { table, column } => call(
            i,
            "m.add_column",
            &[text(table), text(&column.name), column_spec(column, &[])],
            ";",
            lines,
        ),
        Op::DropColumn { table, column, .. } => {
            call(i, "m.drop_column", &[text(table), text(column)], ";", lines)
        }
        Op::RenameColumn { table, from, to } => call(
            i,
            "m.rename_column",
            &[text(table), text(from), text(to)],
            ";",
            lines,
        ),
        Op::ChangeType {
            table, column, ty, ..
        } => call(
            i,
            "m.change_type",
            &[text(table), text(column), ty.to_string()],
            ";",
            lines,
        ),
        Op::SetNullable {
            table,
            column,
            nullable,
        } => {
            let method = if *nullable {
                "m.loosen_not_null"
            } else {
                "m.tighten_not_null"
            };
            call(i, method, &[text(table), text(column)], ";", lines)
        }
        Op::DropIndex { name } => call(i, "m.drop_index", &[text(name)], ";", lines),
        Op::AddForeignKey { table, key } => {
            let mut args = vec![text(table)];
            args.extend(foreign_key_args(key));
            call(
                i,
                "m.add_foreign_key",
                &args,
                &key_modifiers(table, key),
                lines,
            )
        }
        Op::DropForeignKey { table, name } => call(
            i,
            "m.drop_foreign_key",
            &[text(table), text(name)],
            ";",
            lines,
        ),
        // Never compared into being: schema.rs cannot say them.
        Op::SetDefault { .. }
        | Op::CreateIndex(_)
        | Op::Backfill { .. }
        | Op::Sql { .. }
        | Op::RunRust { .. } => lines.push(format!("{}// {op}", spaces(i))),
    }
}

fn create_table(table: &Table, lines: &mut Vec<String>) {
    let i = BODY_INDENT;
    lines.push(format!(
        "{}m.create_table({}, |t| {{",
        spaces(i),
        text(&table.name)
    ));
    let inner = i + 4;
    let key: Vec<&str> = table.primary_key.iter().map(|c| c.as_ref()).collect();
    for column in table.columns.iter() {
        let sole_key = key == [column.name.as_ref()];
        match (&column.default, column.ty, sole_key) {
            (Some(ColumnDefault::Identity), migration_model::SqlType::BigInt, true)
                if !column.nullable =>
            {
                call(inner, "t.id", &[text(&column.name)], ";", lines)
            }
            (Some(ColumnDefault::RandomUuid), migration_model::SqlType::Uuid, true)
                if !column.nullable =>
            {
                call(inner, "t.uuid_id", &[text(&column.name)], ";", lines)
            }
            _ => {
                let extra: &[&str] = if sole_key { &["primary_key()"] } else { &[] };
                call(
                    inner,
                    "t.column",
                    &[text(&column.name), column_spec(column, extra)],
                    ";",
                    lines,
                )
            }
        }
    }
    if key.len() > 1 {
        call(inner, "t.primary_key", &[list(&key)], ";", lines);
    }
    for key in table.foreign_keys.iter() {
        call(
            inner,
            "t.foreign_key",
            &foreign_key_args(key),
            &key_modifiers(&table.name, key),
            lines,
        );
    }
    lines.push(format!("{}}});", spaces(i)));
}

/// `varchar(20).nullable()` and the like.
fn column_spec(column: &Column, extra: &[&str]) -> String {
    let mut spec = ColumnSpec(column).to_string();
    for option in extra {
        spec.push('.');
        spec.push_str(option);
    }
    spec
}

/// What follows a foreign key's arguments: its name when it is not the
/// default, its actions when they are not `NO ACTION`, then `;`.
fn key_modifiers(table: &str, key: &ForeignKey) -> String {
    let mut modifiers = String::new();
    if key.name != default_name(table, &key.columns, "fkey") {
        modifiers.push_str(&format!(".name({})", text(&key.name)));
    }
    for (method, action) in [("on_delete", key.on_delete), ("on_update", key.on_update)] {
        let name = match action {
            RefAction::NoAction => continue,
            RefAction::Restrict => "restrict",
            RefAction::Cascade => "cascade",
            RefAction::SetNull => "set_null",
            RefAction::SetDefault => "set_default",
        };
        modifiers.push_str(&format!(".{method}({name})"));
    }
    modifiers.push(';');
    modifiers
}

fn foreign_key_args(key: &ForeignKey) -> Vec<String> {
    let columns: Vec<&str> = key.columns.iter().map(|c| c.as_ref()).collect();
    let ref_columns: Vec<&str> = key.ref_columns.iter().map(|c| c.as_ref()).collect();
    vec![list(&columns), text(&key.ref_table), list(&ref_columns)]
}

/// A call laid out as rustfmt does: `prefix(args)` then `tail` (`;`, or a
/// `.name(..);` chained on). On one line when the arguments fit
/// `fn_call_width` (a lone string literal always does), a chain fits
/// `chain_width` and the line fits `max_width`; otherwise one argument per
/// line (with a trailing comma, except in a macro).
fn call(indent: usize, prefix: &str, args: &[String], tail: &str, lines: &mut Vec<String>) {
    let chained = tail.strip_suffix(';').unwrap_or(tail);
    let end = &tail[chained.len()..];
    let joined = args.join(", ");
    let head = format!("{prefix}({joined})");
    let lone_literal = matches!(args, [one] if one.starts_with('"'));
    let args_fit = lone_literal || joined.len() <= CALL_WIDTH;
    let pad = spaces(indent);
    if args_fit && indent + head.len() + tail.len() <= MAX_WIDTH {
        if chained.is_empty() || head.len() + chained.len() <= CALL_WIDTH {
            lines.push(format!("{pad}{head}{tail}"));
            return;
        }
        if joined.len() <= CALL_WIDTH {
            lines.push(format!("{pad}{head}"));
            lines.push(format!("{pad}    {tail}"));
            return;
        }
    }
    lines.push(format!("{pad}{prefix}("));
    let comma = if prefix.ends_with('!') { "" } else { "," };
    for (index, arg) in args.iter().enumerate() {
        let last = index + 1 == args.len();
        lines.push(format!("{pad}    {arg}{}", if last { comma } else { "," }));
    }
    if chained.is_empty() {
        lines.push(format!("{pad}){end}"));
    } else {
        lines.push(format!("{pad})"));
        lines.push(format!("{pad}{tail}"));
    }
}

/// A Rust string literal.
fn text(value: &str) -> String {
    format!("{value:?}")
}

/// `["a", "b"]`.
fn list(values: &[&str]) -> String {
    let items: Vec<String> = values.iter().map(|v| text(v)).collect();
    format!("[{}]", items.join(", "))
}

fn spaces(count: usize) -> String {
    " ".repeat(count)
}

#[cfg(test)]
mod tests {
    use migration_model::{ForeignKey, RefAction};

    use super::key_modifiers;

    fn key(name: &str, on_delete: RefAction) -> ForeignKey {
        ForeignKey {
            name: name.to_owned().into(),
            columns: vec!["author_id".into()].into(),
            ref_table: "authors".into(),
            ref_columns: vec!["id".into()].into(),
            on_delete,
            on_update: RefAction::NoAction,
        }
    }

    #[test]
    fn a_key_written_again_keeps_its_name_and_actions() {
        assert_eq!(
            key_modifiers("posts", &key("posts_author_id_fkey", RefAction::NoAction)),
            ";"
        );
        assert_eq!(
            key_modifiers("posts", &key("posts_author_id_fkey", RefAction::Cascade)),
            ".on_delete(cascade);"
        );
        assert_eq!(
            key_modifiers("posts", &key("by_author", RefAction::SetNull)),
            ".name(\"by_author\").on_delete(set_null);"
        );
    }
}
