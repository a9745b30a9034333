use kata::prelude::*;

// rustc reports the repeated discriminant itself; the derive adds nothing to it.
#[derive(Choices)]
#[repr(i32)]
enum Priority {
    Low = 1,
    Normal = 2,
    Urgent = 1,
}

fn main() {}
