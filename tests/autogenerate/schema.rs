// @generated automatically by Diesel CLI.

diesel::table! {
    authors (id) {
        id -> Int8,
        #[max_length = 100]
        name -> Varchar,
        #[max_length = 255]
        email -> Nullable<Varchar>,
        bio -> Nullable<Text>,
    }
}

diesel::table! {
    posts (id) {
        id -> Int8,
        author_id -> Int8,
        #[max_length = 200]
        title -> Varchar,
        views -> Int4,
        #[max_length = 20]
        legacy_code -> Nullable<Varchar>,
    }
}

diesel::table! {
    tags (id) {
        id -> Int8,
        #[max_length = 50]
        label -> Varchar,
    }
}

diesel::joinable!(posts -> authors (author_id));

diesel::allow_tables_to_appear_in_same_query!(authors, posts, tags);
