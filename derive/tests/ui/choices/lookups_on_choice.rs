use kata::prelude::*;

#[derive(Choices)]
enum Status {
    Draft,
    Published,
}

#[derive(Model)]
struct Post {
    #[kata(primary_key, auto)]
    id: i64,
    status: Status,
}

fn main() {
    let _ = Post::status.icontains("dra");
    let _ = Post::status.range(Status::Draft, Status::Published);
}
