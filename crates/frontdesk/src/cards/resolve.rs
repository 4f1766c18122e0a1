//! Encodes whose outcome was lost, settled by asking the encoder what became of them.

use encoder::protocol::OpState;
use serde::Serialize;
use store::EncodeState;
use uuid::Uuid;

use super::encode::record_written;
use super::station::CardStation;
use crate::{Context, Error, FrontDesk, Result, audit_ok};

/// What became of the encodes whose outcome was unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Resolution {
    /// Op ids the encoder had written: their cards are now recorded as issued.
    pub written: Vec<Uuid>,
    /// Op ids the encoder never wrote.
    pub failed: Vec<Uuid>,
    /// Op ids still unknown because the encoder could not be asked.
    pub unresolved: Vec<Uuid>,
}

impl FrontDesk {
    /// Asks the encoder what became of every encode whose outcome is unknown, and records
    /// the answer: a written card becomes issued, anything else failed. Run at start-up and
    /// before every encode; harmless when nothing is pending.
    pub fn resolve_pending_encodes(
        &self,
        context: &Context,
        station: &CardStation,
    ) -> Result<Resolution> {
        let pending = self
            .store
            .read(|r| Ok::<_, Error>(r.pending_encode_operations(station.encoder_id)?))?;
        let mut resolution = Resolution::default();
        if pending.is_empty() {
            return Ok(resolution);
        }
        let answers = station.with_encoder(|encoder| {
            let mut answers = Vec::new();
            for operation in &pending {
                let op_id = *operation.op_id.as_bytes();
                let mut answer = encoder.op_result(op_id)?;
                if answer.0 == OpState::Pending {
                    // A write this desk gave up on is still open on the encoder (its abort was
                    // lost with the connection it was made on). Nothing will commit it: close
                    // it, or every later write finds the encoder busy with it.
                    encoder.abort(op_id)?;
                    answer = encoder.op_result(op_id)?;
                }
                answers.push(answer);
            }
            Ok(Ok(answers))
        });
        let answers = match answers {
            Ok(answers) => answers,
            Err(Error::Encoder(_)) => {
                resolution.unresolved = pending.iter().map(|operation| operation.op_id).collect();
                return Ok(resolution);
            }
            Err(error) => return Err(error),
        };
        for (operation, (state, uid)) in pending.iter().zip(answers) {
            let written_uid =
                uid.filter(|uid| state == OpState::Written && uid.to_hex() == operation.card_uid);
            self.store.write(|w| match &written_uid {
                // Settled meanwhile by another caller that asked the same encoder (a
                // terminal's comes back while one of its operators encodes).
                _ if w
                    .encode_operation(operation.op_id)?
                    .is_none_or(|now| now.state != EncodeState::Pending) =>
                {
                    Ok(())
                }
                Some(uid) => record_written(w, context, operation, uid).map(|_| ()),
                None => {
                    let why = format!("the encoder reports this write as {state:?}");
                    w.resolve_encode_operation(
                        operation.op_id,
                        EncodeState::Failed,
                        Some(&why),
                        context.now,
                    )?;
                    w.audit(
                        &audit_ok(
                            context,
                            "card.encode_failed",
                            operation.op_id,
                            None,
                            Some(serde_json::json!({ "reason": why })),
                        ),
                        context.now,
                    )?;
                    Ok(())
                }
            })?;
            if written_uid.is_some() {
                resolution.written.push(operation.op_id);
            } else {
                resolution.failed.push(operation.op_id);
            }
        }
        Ok(resolution)
    }
}
