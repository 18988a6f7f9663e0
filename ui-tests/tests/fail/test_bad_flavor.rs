#[aiocop::test(flavor = "multi")]
async fn bad_flavor() {}

fn main() {}
