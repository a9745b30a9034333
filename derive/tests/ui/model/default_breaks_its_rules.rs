use kata::prelude::*;

// A text default must pass the field's own rules: every row that took it would fail
// validation. (`default = ""` on an `email` field is allowed: it makes the field blank.)
#[derive(Model)]
struct User {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(email, default = "nobody")]
    email: String,
    #[kata(max_length = 3, default = "toolong")]
    code: String,
    #[kata(email, max_length = 254, default = "")]
    backup_email: String,
}

fn main() {}
