//! The document kit (单证工具): the branch's branding (font, seal) and the signing key,
//! loaded once at start-up and carried in the service context.

use std::sync::Arc;

use super::Signer;
use crate::config::Config;
use crate::documents::{self, Branding, DocumentFont, FontSource};
use crate::services::{ServiceError, ServiceResult};
use crate::store::Db;

/// What documents are made with: the branch's branding (font, seal) and the signing key.
/// Built once at start-up.
#[derive(Debug, Clone)]
pub struct DocumentKit {
    pub branding: Branding,
    pub signer: Signer,
}

impl DocumentKit {
    /// Load the font and seal named in the configuration and the signing key.
    pub async fn load(config: &Config, db: &Db) -> ServiceResult<Arc<DocumentKit>> {
        let doc =
            |e: documents::DocumentError| ServiceError::internal_from("load the document kit", e);
        let font = DocumentFont::load(&FontSource {
            path: config.documents.font_path.clone(),
            face_index: config.documents.font_face_index,
        })
        .map_err(doc)?;
        let branding = Branding::new(
            config.insurer.name.clone(),
            config.insurer.branch.clone(),
            &config.documents.seal,
            font,
        )
        .map_err(doc)?;
        let signer = Signer::load(&config.certificates, db).await?;
        Ok(Arc::new(DocumentKit { branding, signer }))
    }
}
