//! Writes `ts/limits.generated.ts` from the kernel crates' constants.

use std::path::Path;

fn main() -> std::io::Result<()> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(fastkernels_codegen::OUTPUT_PATH);
    std::fs::write(&path, fastkernels_codegen::render())?;
    println!("wrote {}", fastkernels_codegen::OUTPUT_PATH);
    Ok(())
}
