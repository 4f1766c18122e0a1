//! The backup password, and the key backups seal the card keys to.
//!
//! A backup must be made unattended (on a schedule) yet only be opened by someone who knows
//! the password, so the desk keeps only the public half of a key pair derived from the
//! password (Argon2id, a random salt): it seals each backup's card keys to that public key
//! (a libsodium sealed box: X25519 and XSalsa20-Poly1305). Neither the database nor a backup
//! holds anything that unseals them without the password.

use argon2::{Algorithm, Argon2, Params, Version};
use crypto_box::aead::OsRng;
use crypto_box::{PublicKey, SecretKey};
use serde::{Deserialize, Serialize};

use crate::{Context, Error, FrontDesk, Permission, Result};

/// The setting that holds the backup key's public half and salt.
const BACKUP_KEY_SETTING: &str = "backup.key";
/// The shortest backup password: it alone guards the card keys of every backup.
pub const MIN_BACKUP_PASSWORD_CHARS: usize = 12;
const SALT_LEN: usize = 16;
/// How the backup key is derived from the password, named in every backup so that a later
/// version that derives it otherwise still opens the older ones: Argon2id 1.3, 19 MiB, two
/// passes, one lane (OWASP's recommendation).
pub(crate) const KDF: &str = "argon2id-v19-m19456-t2-p1";

/// The public half of the backup key, with the salt its secret half is derived with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BackupKey {
    pub kdf: String,
    pub salt: Vec<u8>,
    public: PublicKey,
}

#[derive(Serialize, Deserialize)]
struct StoredBackupKey {
    kdf: String,
    salt: String,
    public_key: String,
}

impl BackupKey {
    /// Seals `secret` so that only the backup password opens it.
    pub fn seal(&self, secret: &[u8]) -> Result<Vec<u8>> {
        self.public
            .seal(&mut OsRng, secret)
            .map_err(|_| Error::Internal("the card keys could not be sealed".to_owned()))
    }
}

/// Opens what [`BackupKey::seal`] sealed, with the password and how its key was derived.
pub(crate) fn unseal(password: &str, kdf: &str, salt: &[u8], sealed: &[u8]) -> Result<Vec<u8>> {
    if kdf != KDF {
        return Err(Error::invalid(
            "from",
            format!("was sealed with a key derivation this version does not know ({kdf})"),
        ));
    }
    derive_secret(password, salt)?.unseal(sealed).map_err(|_| {
        Error::invalid(
            "password",
            "does not open this backup: it is not the backup password the backup was made \
             with",
        )
    })
}

fn derive_secret(password: &str, salt: &[u8]) -> Result<SecretKey> {
    let mut seed = [0u8; 32];
    let params = Params::new(19_456, 2, 1, Some(seed.len()))
        .map_err(|error| Error::Internal(format!("the backup key's parameters: {error}")))?;
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(password.as_bytes(), salt, &mut seed)
        .map_err(|error| {
            Error::Internal(format!("the backup key could not be derived: {error}"))
        })?;
    Ok(SecretKey::from_bytes(seed))
}

impl FrontDesk {
    /// Sets the password every backup from now on is made under (a manager's, or the
    /// server's tools). Backups made before keep the password they were made with.
    pub fn set_backup_password(&self, context: &Context, password: &str) -> Result<()> {
        context.require(Permission::Manage)?;
        if password.chars().count() < MIN_BACKUP_PASSWORD_CHARS {
            return Err(Error::invalid(
                "password",
                format!(
                    "must be at least {MIN_BACKUP_PASSWORD_CHARS} characters: it alone guards \
                     the card keys in every backup"
                ),
            ));
        }
        let mut salt = [0u8; SALT_LEN];
        getrandom::fill(&mut salt)
            .map_err(|error| Error::Internal(format!("no randomness for the salt: {error}")))?;
        let public = derive_secret(password, &salt)?.public_key();
        let stored = StoredBackupKey {
            kdf: KDF.to_owned(),
            salt: hex::encode(salt),
            public_key: hex::encode(public.as_bytes()),
        };
        let value =
            serde_json::to_string(&stored).map_err(|error| Error::Internal(error.to_string()))?;
        self.set_setting(context, BACKUP_KEY_SETTING, &value)
    }

    /// Whether a backup password is set.
    pub fn has_backup_password(&self) -> Result<bool> {
        Ok(self.backup_key()?.is_some())
    }

    /// The key backups are sealed to; `None` until a backup password is set.
    pub(crate) fn backup_key(&self) -> Result<Option<BackupKey>> {
        let Some(value) = self.setting(BACKUP_KEY_SETTING)? else {
            return Ok(None);
        };
        let unreadable = || Error::Internal(format!("the setting {BACKUP_KEY_SETTING} is damaged"));
        let stored: StoredBackupKey = serde_json::from_str(&value).map_err(|_| unreadable())?;
        let salt = hex::decode(&stored.salt).map_err(|_| unreadable())?;
        let public: [u8; 32] = hex::decode(&stored.public_key)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or_else(unreadable)?;
        Ok(Some(BackupKey {
            kdf: stored.kdf,
            salt,
            public: PublicKey::from_bytes(public),
        }))
    }
}
