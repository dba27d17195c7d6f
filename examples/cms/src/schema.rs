//! The tables as the CMS application uses them, in diesel's `table!` form.
//! A test checks this file matches the head of the migration history.

diesel::table! {
    members (id) {
        id -> Uuid,
        #[max_length = 255]
        email -> Varchar,
        #[max_length = 50]
        phone_number -> Nullable<Varchar>,
        created_at -> Timestamptz,
        #[max_length = 255]
        emergency_contact -> Nullable<Varchar>,
        #[max_length = 20]
        status -> Varchar,
        #[max_length = 20]
        phone_secondary -> Nullable<Varchar>,
        #[max_length = 100]
        first_name -> Varchar,
        #[max_length = 155]
        last_name -> Varchar,
        notes -> Nullable<Text>,
        email_as_written -> Nullable<Text>,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        #[max_length = 255]
        email -> Varchar,
        #[max_length = 255]
        hashed_password -> Varchar,
        is_active -> Bool,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    events (id) {
        id -> Uuid,
        #[max_length = 255]
        name -> Varchar,
        starts_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        capacity -> Int4,
    }
}

diesel::table! {
    event_participants (id) {
        id -> Uuid,
        member_id -> Uuid,
        event_id -> Uuid,
    }
}

diesel::joinable!(event_participants -> members (member_id));
diesel::joinable!(event_participants -> events (event_id));
diesel::allow_tables_to_appear_in_same_query!(members, users, events, event_participants);
