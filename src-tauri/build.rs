//! Builds the app's context from `tauri.conf.json` (the repository root's, through the
//! symlink beside this file, so that the paths inside it are relative to this folder for this
//! script, `generate_context!` and the `tauri` CLI alike), and declares the app's own
//! commands, so that each needs a permission in `capabilities/` (`allow-<name>`).

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(&[
        "app_info",
        "operators_exist",
        "create_first_manager",
        "sign_in",
        "sign_out",
        "list_operators",
        "create_operator",
        "room_board",
        "timeline",
        "find_stays",
        "stay",
        "past_stay",
        "check_in_options",
        "check_in",
        "encode_cards",
        "add_guest",
        "duplicate_card",
        "move_stay",
        "change_dates",
        "reissue_stay",
        "remake_cards",
        "predict",
        "check_out",
        "mark_collected",
        "report_card_lost",
        "encode_cancel_card",
        "card_collected",
        "card_lost",
        "room_cards_out",
        "read_card",
        "warnings",
        "audit_log",
        "staff_access",
        "issue_staff_access",
        "staff_door_choices",
        "update_staff_access",
        "revoke_staff_access",
        "delete_staff_access",
        "report_staff_card_lost",
        "entrances",
        "simulator_cards",
        "plug_simulated_encoder",
        "present_card",
        "api_status",
        "set_api_enabled",
    ]);
    let attributes = tauri_build::Attributes::new().app_manifest(manifest);
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri-build: {error:#}");
    }
}
