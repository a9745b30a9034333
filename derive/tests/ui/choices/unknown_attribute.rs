use kata::prelude::*;

#[derive(Choices)]
#[kata(rename_all = "snake", table = "status")]
enum Status {
    Draft,
    #[kata(label = "Published", value = 1)]
    Published,
}

fn main() {}
