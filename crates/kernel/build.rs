//! Compiles the BPF programs (C, CO-RE) with clang and generates their
//! skeletons (libbpf-cargo). `src/bpf/vmlinux.h` is committed (made once with
//! `bpftool btf dump file /sys/kernel/btf/vmlinux format c`), so a build needs
//! clang but no bpftool and no kernel headers.

use std::path::PathBuf;

use libbpf_cargo::SkeletonBuilder;

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for (src, skel) in [
        ("src/bpf/capture.bpf.c", "capture.skel.rs"),
        ("src/bpf/floor.bpf.c", "floor.skel.rs"),
    ] {
        if let Err(e) = SkeletonBuilder::new()
            .source(src)
            .clang_args(["-Isrc/bpf", "-Wall", "-Werror"])
            .build_and_generate(out.join(skel))
        {
            // A build error names the file and what clang said.
            panic!("compiling {src} (needs clang: `make setup` installs it): {e:#}");
        }
        println!("cargo:rerun-if-changed={src}");
    }
    println!("cargo:rerun-if-changed=src/bpf/vmlinux.h");
}
