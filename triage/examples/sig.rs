fn main() {
    for p in std::env::args().skip(1) {
        let t = std::fs::read_to_string(&p).unwrap();
        let c = pagelife_core::litmus::parse_str(&t, &p).unwrap();
        println!(
            "{p}: {:?}",
            pagelife_triage::signature::signature(&c).map(|s| s.to_string())
        );
    }
}
