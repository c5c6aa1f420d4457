//! The bytes of uploaded PO documents (R-INV-5), kept as files under the data directory
//! (`<data dir>/documents/<key>`); the database holds what they are. A key is 32 hex digits the
//! portal made, never a name a user typed, so no path a request carries reaches the file system.
//!
//! A file is written under a temporary name, flushed to disk and renamed, so a crash leaves no
//! half-written document behind a key. Several server processes share the directory (on one
//! machine, or on a shared volume; see docs/operations.md).

use std::io;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Where the documents are, inside the data directory.
pub fn documents_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("documents")
}

/// A stored file's key and the SHA-256 of its bytes (hex).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub key: String,
    pub sha256: String,
}

fn valid_key(key: &str) -> bool {
    key.len() == 32 && key.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

fn path_of(dir: &Path, key: &str) -> io::Result<PathBuf> {
    if valid_key(key) {
        Ok(dir.join(key))
    } else {
        Err(io::Error::new(io::ErrorKind::InvalidInput, format!("not a document key: {key:?}")))
    }
}

/// Writes `bytes` under a new key, durably.
pub async fn save(dir: &Path, bytes: &[u8]) -> io::Result<Stored> {
    use tokio::io::AsyncWriteExt;
    let key = uuid::Uuid::new_v4().simple().to_string();
    tokio::fs::create_dir_all(dir).await?;
    let target = path_of(dir, &key)?;
    let part = dir.join(format!("{key}.part"));
    let mut file = tokio::fs::File::create(&part).await?;
    file.write_all(bytes).await?;
    file.sync_all().await?;
    drop(file);
    tokio::fs::rename(&part, &target).await?;
    let sha256 = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
    Ok(Stored { key, sha256 })
}

/// The bytes stored under `key`.
pub async fn read(dir: &Path, key: &str) -> io::Result<Vec<u8>> {
    tokio::fs::read(path_of(dir, key)?).await
}

/// Removes the file under `key`; one already gone is not an error.
pub async fn remove(dir: &Path, key: &str) -> io::Result<()> {
    match tokio::fs::remove_file(path_of(dir, key)?).await {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_saved_file_reads_back_and_is_removed_once() {
        let dir = std::env::temp_dir().join(format!("portal-files-{}", uuid::Uuid::new_v4().simple()));
        let stored = save(&dir, b"%PDF-1.7 hello").await.unwrap();
        assert!(valid_key(&stored.key));
        assert_eq!(read(&dir, &stored.key).await.unwrap(), b"%PDF-1.7 hello");
        assert_eq!(stored.sha256.len(), 64);
        assert!(!dir.join(format!("{}.part", stored.key)).exists(), "no temporary file stays");
        remove(&dir, &stored.key).await.unwrap();
        remove(&dir, &stored.key).await.unwrap();
        assert_eq!(read(&dir, &stored.key).await.unwrap_err().kind(), io::ErrorKind::NotFound);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn keys_that_are_not_the_portals_never_reach_the_file_system() {
        let dir = std::env::temp_dir();
        for key in ["../etc/passwd", "", "ABCDEF0123456789ABCDEF0123456789", "0123456789abcdef0123456789abcde/"] {
            assert_eq!(read(&dir, key).await.unwrap_err().kind(), io::ErrorKind::InvalidInput, "{key}");
        }
    }
}
