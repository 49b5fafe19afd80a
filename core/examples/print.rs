//! Print a byte-encoded case as litmus (debug helper).
fn main() {
    let p = std::env::args().nth(1).expect("file");
    let c = pagelife_core::codec::decode(&std::fs::read(p).expect("read"));
    print!("{}", pagelife_core::litmus::print_case(&c));
}
