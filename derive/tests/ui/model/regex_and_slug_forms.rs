use kata::prelude::*;

#[derive(Model)]
struct Page {
    #[kata(primary_key)]
    id: i64,
    #[kata(slug(ascii))]
    a: String,
    #[kata(regex(message = "no pattern"))]
    b: String,
    #[kata(regex(pattern = "[a-z", code = "x"))]
    c: String,
    #[kata(regex(pattern = "^a$", flags = "i"))]
    d: String,
    #[kata(regex)]
    e: String,
    #[kata(slug = true)]
    f: String,
}

fn main() {}
