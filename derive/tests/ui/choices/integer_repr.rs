use kata::prelude::*;

#[derive(Choices)]
#[repr(u8)]
enum Small {
    A,
}

const BASE: i32 = 10;

#[derive(Choices)]
#[repr(i32)]
enum Priority {
    #[kata(value = "low")]
    Low,
    High = BASE + 1,
}

fn main() {}
