/** Per-row actions: Revoke (behind an alert dialog) and Rotate (with a grace period, showing the new secret once). */
import { useId, useState } from 'react';
import { ApiProblem, revokeKey, rotateKey, type KeyRecord, type KeyWithSecret } from './api';
import { Modal } from './Modal';
import { SecretField } from './SecretField';

export function RevokeConfirm({ apiKey, onClose, onRevoked }: { apiKey: KeyRecord; onClose: () => void; onRevoked: () => void }) {
  const id = useId();
  const [error, setError] = useState<string | undefined>();
  return (
    <Modal alert labelledBy={`${id}-title`} describedBy={`${id}-text`} className="small-dialog" onDismiss={onClose}>
      <div className="dialog-body">
        <header className="dialog-header">
          <h2 id={`${id}-title`}>Revoke {apiKey.name}?</h2>
        </header>
        <div className="dialog-scroll">
          <p id={`${id}-text`}>
            Every request made with <span className="mono">{apiKey.id}</span> fails from now on, and its dashboard sessions end. The record stays readable for
            the audit trail. This cannot be undone.
          </p>
          {error ? (
            <p role="alert" className="banner error">
              {error}
            </p>
          ) : null}
        </div>
        <footer className="dialog-footer">
          <span />
          <div className="row">
            <button type="button" className="button" onClick={onClose} data-autofocus>
              Cancel
            </button>
            <button
              type="button"
              className="button danger"
              onClick={async () => {
                try {
                  await revokeKey(apiKey.id);
                  onRevoked();
                } catch (caught) {
                  setError(caught instanceof ApiProblem ? caught.problem.detail : String(caught));
                }
              }}
            >
              Revoke
            </button>
          </div>
        </footer>
      </div>
    </Modal>
  );
}

const GRACE_CHOICES = [
  { value: '0', label: 'None: the old secret stops now' },
  { value: '1h', label: '1 hour' },
  { value: '24h', label: '24 hours' },
  { value: '7d', label: '7 days (longest)' },
];

export function RotateDialog({ apiKey, onClose, onRotated }: { apiKey: KeyRecord; onClose: () => void; onRotated: () => void }) {
  const id = useId();
  const [grace, setGrace] = useState('24h');
  const [rotated, setRotated] = useState<KeyWithSecret | undefined>();
  const [error, setError] = useState<string | undefined>();
  return (
    <Modal labelledBy={`${id}-title`} className="small-dialog" onDismiss={onClose}>
      <div className="dialog-body">
        <header className="dialog-header">
          <h2 id={`${id}-title`}>{rotated ? `New secret for ${apiKey.name}` : `Rotate ${apiKey.name}`}</h2>
        </header>
        <div className="dialog-scroll">
          {rotated ? (
            <SecretField secret={rotated.secret} />
          ) : (
            <div className="field">
              <label htmlFor={`${id}-grace`} className="field-label">
                Grace period
              </label>
              <select id={`${id}-grace`} data-autofocus className="input" value={grace} onChange={(event) => setGrace(event.target.value)}>
                {GRACE_CHOICES.map((choice) => (
                  <option key={choice.value} value={choice.value}>
                    {choice.label}
                  </option>
                ))}
              </select>
              <p className="hint">A new secret is issued; the current one keeps working for the grace period so deployments can switch over.</p>
            </div>
          )}
          {error ? (
            <p role="alert" className="banner error">
              {error}
            </p>
          ) : null}
        </div>
        <footer className="dialog-footer">
          <span />
          <div className="row">
            {rotated ? (
              <button type="button" className="button primary" onClick={onClose}>
                Done
              </button>
            ) : (
              <>
                <button type="button" className="button" onClick={onClose}>
                  Cancel
                </button>
                <button
                  type="button"
                  className="button primary"
                  onClick={async () => {
                    try {
                      setRotated(await rotateKey(apiKey.id, grace));
                      onRotated();
                    } catch (caught) {
                      setError(caught instanceof ApiProblem ? caught.problem.detail : String(caught));
                    }
                  }}
                >
                  Rotate
                </button>
              </>
            )}
          </div>
        </footer>
      </div>
    </Modal>
  );
}
