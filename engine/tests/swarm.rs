//! Swarm configurations: a menu without an operation kind never draws it,
//! pinned configuration survives generation and mutation, the full menu is
//! the target's own, and the swarm strategy runs and finds races.

use pagelife_core::case::OpKind;
use pagelife_core::profile::Profile;
use pagelife_engine::fuzzer::{FuzzConfig, Fuzzer, Outcome1, Strategy};
use pagelife_engine::generate::random_case;
use pagelife_engine::mutate::mutate;
use pagelife_engine::rng::Rng;
use pagelife_engine::swarm::Menu;
use pagelife_engine::target::Target;

fn without(target: Target, k: OpKind) -> Menu {
    let i = OpKind::ALL.iter().position(|&x| x == k).unwrap();
    Menu {
        ops: !(1u64 << i),
        ..Menu::full(target)
    }
}

#[test]
fn a_kind_the_menu_leaves_out_is_never_drawn() {
    // The lifecycle target draws every task operation by weight.
    for k in [OpKind::Unlink, OpKind::Migrate, OpKind::Reclaim] {
        let menu = without(Target::Lifecycle, k);
        let mut rng = Rng::new(5, 0);
        let mut seen_full = false;
        for _ in 0..300 {
            let mut c = random_case(&mut rng, menu);
            mutate(&mut rng, &mut c, menu);
            for op in c.tasks.iter().flat_map(|t| &t.ops) {
                assert_ne!(op.kind(), k, "{k:?} drawn");
            }
            let full = random_case(&mut rng, Target::Lifecycle);
            seen_full |= full
                .tasks
                .iter()
                .flat_map(|t| &t.ops)
                .any(|o| o.kind() == k);
        }
        assert!(seen_full, "the full menu never drew {k:?}");
    }
}

#[test]
fn pinned_configuration_survives_generation_and_mutation() {
    let menu = Menu {
        frames: 3,
        bh_per_page: 2,
        unfairness: 1,
        ..Menu::full(Target::Mainline)
    };
    let mut rng = Rng::new(9, 0);
    for _ in 0..200 {
        let mut c = random_case(&mut rng, menu);
        for _ in 0..3 {
            mutate(&mut rng, &mut c, menu);
            assert_eq!(c.config.frames, 3);
            assert_eq!(c.config.bh_per_page, 2);
            assert_eq!(c.config.page_lock_unfairness, 1);
        }
    }
}

#[test]
fn the_full_menu_draws_what_the_target_draws() {
    let (mut a, mut b) = (Rng::new(3, 1), Rng::new(3, 1));
    for t in Target::ALL {
        for _ in 0..50 {
            let x = random_case(&mut a, *t);
            let y = random_case(&mut b, Menu::full(*t));
            assert_eq!(format!("{x:?}"), format!("{y:?}"));
        }
    }
}

#[test]
fn swarm_menus_are_drawn_from_the_seed() {
    let m1 = Menu::swarm(&mut Rng::new(4, 2), Target::Iomap);
    let m2 = Menu::swarm(&mut Rng::new(4, 2), Target::Iomap);
    assert_eq!(m1, m2);
    let others = (0..20).any(|j| Menu::swarm(&mut Rng::new(4, j), Target::Iomap) != m1);
    assert!(others);
}

#[test]
fn the_swarm_strategy_finds_v5_8_races() {
    let mut f = Fuzzer::new(FuzzConfig {
        target: Target::Writeback,
        seed: 1,
        job: 0,
        interleaving_cov: true,
        strategy: Strategy::Swarm,
        profile: Some(Profile::named("v5.8").unwrap()),
        keep_duplicates: false,
    });
    let n = (0..20_000)
        .filter(|_| matches!(f.step(), Outcome1::New(_)))
        .count();
    assert!(n > 0);
}
