use pagelife_core::{exec::replay::replay, litmus, profile::Profile, world::ctx_name};
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let prof = std::env::args().nth(2);
    let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).to_string();
    let bytes = std::fs::read(&path).unwrap();
    let mut l = if path.ends_with(".litmus") {
        litmus::parse(&text, &path)
    } else {
        Ok(litmus::Litmus {
            case: pagelife_core::codec::decode(&bytes),
            title: None,
            expect: vec![],
        })
    };
    let mut l = l.unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2)
    });
    if let Some(p) = prof {
        l.case.profile = Profile::parse(&p).unwrap();
    }
    let out = replay(&l.case);
    let t = out.trace.unwrap();
    let names = l.case.names();
    let mut ri = 0;
    for e in &t.steps {
        while ri < t.remarks.len() && t.remarks[ri].0 <= e.step_no {
            println!("   -- {}", t.remarks[ri].1);
            ri += 1;
        }
        println!(
            "{:4} {:?} {:8} {:28} {:?} {:?}",
            e.step_no,
            e.phase,
            ctx_name(e.ctx, &names),
            e.step.name(),
            e.frame_state,
            e.events
        );
    }
    for f in out.findings.iter() {
        println!(
            "FINDING {} ctx={} step={} frame={} a={} b={}",
            f.oracle,
            ctx_name(f.ctx, &names),
            f.step_no,
            f.frame,
            f.a,
            f.b
        );
    }
}
