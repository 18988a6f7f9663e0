//! An annotated `async fn`'s unused parameter and needless `mut` are reported as a plain one's,
//! and the lint attributes on its parameters apply as they do there.
#![deny(unused_variables, unused_mut, unfulfilled_lint_expectations)]

#[aiocop::monitor]
async fn annotated(
    unused: u32,
    mut never_changed: u32,
    #[allow(unused_variables)] allowed: u32,
    #[expect(unused_variables)] expected: u32,
) -> u32 {
    never_changed
}

async fn plain(
    unused: u32,
    mut never_changed: u32,
    #[allow(unused_variables)] allowed: u32,
    #[expect(unused_variables)] expected: u32,
) -> u32 {
    never_changed
}

fn main() {
    drop(annotated(1, 2, 3, 4));
    drop(plain(1, 2, 3, 4));
}
