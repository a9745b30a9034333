use kata::prelude::*;

#[derive(Choices)]
#[kata(rename_all = "lowercase")]
enum Status {
    Draft,
    #[kata(value = "draft")]
    OldDraft,
    Published,
}

fn main() {}
