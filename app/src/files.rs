//! Files the hotline writes beside its database: written whole or not at all.

use std::path::Path;

/// Puts `bytes` at `path`, replacing what was there: written beside under a name of its own,
/// then moved over, so that a reader (or a crash) never sees half a file and two writers at
/// once each leave a whole one. The partial file is removed on failure.
pub fn replace(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.partial", crate::crypto::random_token()));
    let written = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}
