//! Builds the app's context from `tauri.conf.json` (the repository root's, through the
//! symlink beside this file, so that the paths inside it are relative to this folder for this
//! script, `generate_context!` and the `tauri` CLI alike), and declares the app's own
//! commands, so that each needs a permission in `capabilities/` (`allow-<name>`).

include!("src/command_list.rs");

macro_rules! command_names {
    ($($name:ident),* $(,)?) => {
        &[$(stringify!($name)),*]
    };
}

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(with_commands!(command_names));
    let attributes = tauri_build::Attributes::new().app_manifest(manifest);
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri-build: {error:#}");
    }
}
