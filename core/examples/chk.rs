use pagelife_core::{
    exec::check::{check, CheckOptions},
    litmus,
    profile::Profile,
};
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let prof = std::env::args().nth(2).unwrap();
    let bound: u8 = std::env::args()
        .nth(3)
        .map(|s| s.parse().unwrap())
        .unwrap_or(3);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut l = litmus::parse(&text, &path).unwrap();
    l.case.profile = Profile::parse(&prof).unwrap();
    let t = std::time::Instant::now();
    let r = check(
        &l.case,
        CheckOptions {
            bound,
            max_states: 5_000_000,
        },
    );
    println!(
        "{path} {prof} bound={bound}: interleavings={} states={} truncated={} time={:?}",
        r.interleavings,
        r.states,
        r.truncated,
        t.elapsed()
    );
    if let Some(v) = r.violation {
        for f in v.findings.iter() {
            println!("  {}", f.oracle);
        }
        println!("{}", litmus::print_case(&v.case));
    }
}
