//! One migration as the `#[migrations]` macro emits it: constant data.

use migration_model::Op;

use crate::data_step::DataStep;

/// How a migration is undone.
#[derive(Clone, Copy, Debug)]
pub enum Downgrade {
    /// Derived by the macro from the upgrade's steps.
    Derived(&'static [Op]),
    /// Written by the author, and checked by the macro to restore the schema.
    Written(&'static [Op]),
    /// Cannot be undone, for the reason the author gave.
    Irreversible(&'static str),
}

/// One migration: its place in the history and its steps both ways.
#[derive(Clone, Copy, Debug)]
pub struct Migration {
    id: &'static str,
    name: &'static str,
    description: &'static str,
    parents: &'static [&'static str],
    up: &'static [Op],
    down: Downgrade,
    data_steps: &'static [DataStep],
    reviewed: &'static [(usize, &'static str)],
}

impl Migration {
    #[doc(hidden)]
    /// Used by the code `#[migrations]` generates.
    pub const fn __new(
        id: &'static str,
        name: &'static str,
        description: &'static str,
        parents: &'static [&'static str],
        up: &'static [Op],
        down: Downgrade,
        data_steps: &'static [DataStep],
    ) -> Self {
        Migration {
            id,
            name,
            description,
            parents,
            up,
            down,
            data_steps,
            reviewed: &[],
        }
    }

    #[doc(hidden)]
    /// Used by the code `#[migrations]` generates: the steps marked
    /// `.reviewed("why")`, by their index in the upgrade.
    pub const fn __reviewed(self, reviewed: &'static [(usize, &'static str)]) -> Self {
        Migration { reviewed, ..self }
    }

    /// The id, as written in `#[migration(id = "...")]`; recorded in the history table.
    pub fn id(&self) -> &'static str {
        self.id
    }

    /// The name of the function the migration was written as.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The migration's doc comment.
    pub fn description(&self) -> &'static str {
        self.description
    }

    /// The ids of the migrations this one comes after (two for a merge, none for the first).
    pub fn parents(&self) -> &'static [&'static str] {
        self.parents
    }

    /// The upgrade's steps.
    pub fn up(&self) -> &'static [Op] {
        self.up
    }

    /// The functions its Rust steps call (`run_rust(..)`, both ways).
    pub fn data_steps(&self) -> &'static [DataStep] {
        self.data_steps
    }

    /// Why the author accepts the danger the review finds in the upgrade's
    /// step at `step` (its index in [`Migration::up`]), as written with
    /// `.reviewed("why")`; `None` when the step carries no such note.
    ///
    /// Not part of the checksum: it changes nothing that runs.
    pub fn reviewed(&self, step: usize) -> Option<&'static str> {
        self.reviewed
            .iter()
            .find(|(index, _)| *index == step)
            .map(|(_, reason)| *reason)
    }

    /// How the migration is undone.
    pub fn downgrade(&self) -> Downgrade {
        self.down
    }

    /// The downgrade's steps, or why there are none.
    pub fn down(&self) -> Result<&'static [Op], &'static str> {
        match self.down {
            Downgrade::Derived(ops) | Downgrade::Written(ops) => Ok(ops),
            Downgrade::Irreversible(reason) => Err(reason),
        }
    }
}
