#[migration_runtime::migrations]
mod history {
    #[migration(id = "2024_01_10_000001")]
    fn create_events(m: &mut Up) {
        m.create_table("events", |t| {
            t.id("id");
            t.column("starts_at", timestamptz());
            t.column("booked_at", timestamp());
        });
    }

    // PostgreSQL compares them through the session's time zone: not
    // immutable, so no index condition may do it.
    #[migration(id = "2024_01_11_000001")]
    fn index_late_bookings(m: &mut Up) {
        m.create_index("events", ["starts_at"])
            .only_where(col("booked_at").is_not_null().and(col("starts_at").gt(col("booked_at"))));
    }
}

fn main() {}
