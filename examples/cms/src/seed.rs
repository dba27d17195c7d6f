//! Realistic members for the CMS, generated from a fixed pseudo-random
//! sequence so every run (and every backend) gets the same rows: one-, two-
//! and three-word names, first names of two words, empty names, non-ASCII
//! letters, apostrophes and hyphens.

use migration_runtime::AnyConnection;
use migration_runtime::dialect::quote_text;

/// How many members `cms seed` inserts unless told otherwise.
pub const MEMBERS: usize = 1000;

/// One member, as the first migration's `members` table holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// The first name: one word, two ("Jean Claude"), or empty.
    pub first_name: String,
    /// The last name: empty for a one-word name, or one to three words.
    pub last_name: String,
    /// Unique: `member0001@example.org`.
    pub email: String,
    /// A phone number, or none.
    pub phone_number: Option<String>,
}

impl Member {
    /// The name as `add_full_name` writes it: first and last name joined
    /// by a space, without a space left over when either is empty.
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
            .trim()
            .to_owned()
    }
}

const FIRST_NAMES: &[&str] = &[
    "Ada",
    "Grace",
    "Alan",
    "Zoë",
    "Seán",
    "José",
    "Łukasz",
    "Søren",
    "Anne-Marie",
    "Jean-Luc",
    "Mary Ann",
    "Jean Claude",
    "María José",
    "Ægir",
    "Niamh",
    "Chloé",
    "Björn",
    "Oğuz",
    "Ярослав",
    "Αθηνά",
    "美咲",
    "D'Arcy",
    "Li",
    "Émile",
];

const LAST_NAMES: &[&str] = &[
    "Lovelace",
    "Hopper",
    "Turing",
    "O'Brien",
    "Ñúñez",
    "Müller",
    "Smith-Jones",
    "Van Damme",
    "van der Berg",
    "García Márquez",
    "D'Angelo",
    "Ó Súilleabháin",
    "Kowalski",
    "Østergård",
    "Nakamura",
    "Ng",
    "de la Cruz",
    "Петров",
    "Παπαδόπουλος",
    "佐藤",
    "Abu Bakr",
    "St. John",
];

/// Names that are a single word: the last name stays empty.
const SINGLE_NAMES: &[&str] = &[
    "Cher",
    "Björk",
    "Zendaya",
    "Madonna",
    "Teller",
    "Ronaldinho",
];

/// A linear congruential generator (Knuth's MMIX constants): enough to pick
/// from lists, the same on every machine.
struct Sequence(u64);

impl Sequence {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, bound: usize) -> usize {
        // Bounds here are list lengths and percentages, far below 2^31.
        (self.next() % bound as u64) as usize
    }

    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.below(list.len())]
    }
}

/// `count` members, the same ones on every call.
pub fn members(count: usize) -> Vec<Member> {
    let mut sequence = Sequence(2024);
    (1..=count)
        .map(|number| {
            let (first_name, last_name) = match sequence.below(100) {
                0..=1 => (String::new(), String::new()),
                2..=6 => (sequence.pick(SINGLE_NAMES).to_owned(), String::new()),
                _ => (
                    sequence.pick(FIRST_NAMES).to_owned(),
                    sequence.pick(LAST_NAMES).to_owned(),
                ),
            };
            let phone_number = match sequence.below(4) {
                0 => None,
                _ => Some(format!("+44 20 7946 {:04}", sequence.below(10_000))),
            };
            Member {
                first_name,
                last_name,
                email: format!("member{number:04}@example.org"),
                phone_number,
            }
        })
        .collect()
}

/// `INSERT` statements for `members` into the `members` table (its first
/// columns, as `create_members` made them), a few hundred rows each.
pub fn insert_statements(members: &[Member]) -> Vec<String> {
    members
        .chunks(250)
        .map(|chunk| {
            let rows: Vec<String> = chunk
                .iter()
                .map(|m| {
                    format!(
                        "({}, {}, {}, {})",
                        quote_text(&m.first_name),
                        quote_text(&m.last_name),
                        quote_text(&m.email),
                        m.phone_number
                            .as_deref()
                            .map_or("NULL".to_owned(), quote_text)
                    )
                })
                .collect();
            format!(
                "INSERT INTO members (first_name, last_name, email, phone_number) VALUES {}",
                rows.join(", ")
            )
        })
        .collect()
}

/// Inserts the first `count` generated members in one transaction; the
/// database must have `members` with its first and last name columns (any
/// point of the history but between `consolidate_names` and `split_full_name`).
pub fn seed(conn: &mut AnyConnection, count: usize) -> Result<(), migration_runtime::Error> {
    let mut sql = "BEGIN;".to_owned();
    for statement in insert_statements(&members(count)) {
        sql.push_str(&statement);
        sql.push(';');
    }
    sql.push_str("COMMIT;");
    conn.batch_execute(&sql)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(name: &str) -> usize {
        name.split_whitespace().count()
    }

    #[test]
    fn the_same_members_every_time() {
        assert_eq!(members(MEMBERS), members(MEMBERS));
        assert_eq!(members(10), members(MEMBERS)[..10]);
    }

    #[test]
    fn names_of_every_shape_are_there() {
        let all = members(MEMBERS);
        let names: Vec<String> = all.iter().map(Member::full_name).collect();
        let count = |test: &dyn Fn(&str) -> bool| names.iter().filter(|n| test(n)).count();
        assert!(count(&|n| n.is_empty()) >= 5, "empty names");
        assert!(count(&|n| words(n) == 1) >= 20, "one-word names");
        assert!(count(&|n| words(n) == 2) >= 200, "two-word names");
        assert!(count(&|n| words(n) >= 3) >= 200, "three-word names");
        assert!(count(&|n| !n.is_ascii()) >= 200, "non-ASCII names");
        assert!(count(&|n| n.contains('\'')) >= 50, "apostrophes");
        assert!(count(&|n| n.contains('-')) >= 50, "hyphens");
        let emails: std::collections::BTreeSet<&str> =
            all.iter().map(|m| m.email.as_str()).collect();
        assert_eq!(emails.len(), MEMBERS, "emails are unique");
        assert!(all.iter().any(|m| m.phone_number.is_none()));
    }
}
