use kata::prelude::*;

#[derive(Choices)]
enum Level<T> {
    Low,
    High,
    #[allow(dead_code)]
    Other(std::marker::PhantomData<T>),
}

fn main() {}
