/** The keys page: heading "API keys", one table row per key, Create key / Revoke / Rotate. */
import { useCallback, useEffect, useState } from 'react';
import { listKeys, type KeyRecord, type Whoami } from './api';
import { CreateKeyDialog } from './CreateKeyDialog';
import { RevokeConfirm, RotateDialog } from './KeyActions';
import { PRESET_CHIPS, type Signer } from './key-form';
import { placeIdOf, visiblePlaces, type Place } from './places';

const dateFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium' });
const dateTimeFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });

function accessSummary(key: KeyRecord): string {
  const preset = key.preset ? (PRESET_CHIPS.find((chip) => chip.name === key.preset)?.label ?? key.preset) : undefined;
  const parts = [...(preset ? [preset] : []), ...key.scopes];
  if (parts.length <= 3) return parts.join(' + ') || 'nothing';
  return `${parts.slice(0, 2).join(' + ')} + ${parts.length - 2} more`;
}

export function KeysPage({ me }: { me: Whoami }) {
  const [keys, setKeys] = useState<readonly KeyRecord[] | undefined>();
  const [places, setPlaces] = useState<readonly Place[]>([]);
  const [error, setError] = useState<string | undefined>();
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<KeyRecord | undefined>();
  const [rotating, setRotating] = useState<KeyRecord | undefined>();
  const [notice, setNotice] = useState('');

  const canRead = me.effective_scopes.includes('keys:read');
  const canWrite = me.effective_scopes.includes('keys:write');
  const signer: Signer = { keyName: me.key_name, role: me.role, preset: me.preset, scopes: me.scopes, effectiveScopes: me.effective_scopes };

  const refresh = useCallback(async () => {
    if (!canRead) return setKeys([]);
    try {
      setKeys(await listKeys());
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    }
  }, [canRead]);

  useEffect(() => {
    void refresh();
    visiblePlaces(me.constraint).then(setPlaces, () => setPlaces([]));
  }, [refresh, me.constraint]);

  const placeName = (key: KeyRecord) => {
    const id = placeIdOf(key.constraint);
    if (!id) return 'Whole account';
    const place = places.find((each) => each.id === id);
    return place ? `${place.kind === 'team' ? 'Team' : place.kind === 'project' ? 'Project' : 'Site'} ${place.name}` : id;
  };

  return (
    <main id="main" className="page">
      <div className="page-header">
        <div>
          <h1>API keys</h1>
          <p className="subtitle">Keys for CI, bots and scripts. Each holds only the scopes it was given, inside its constraint.</p>
        </div>
        <button
          type="button"
          className="button primary"
          onClick={() => setCreating(true)}
          disabled={!canWrite}
          aria-describedby={canWrite ? undefined : 'create-disabled'}
        >
          Create key
        </button>
      </div>
      {!canWrite ? (
        <p id="create-disabled" className="banner">
          The key you signed in with cannot create keys (it lacks keys:write).
        </p>
      ) : null}
      {error ? (
        <p role="alert" className="banner error">
          {error}
        </p>
      ) : null}
      <p role="status" className="visually-hidden">
        {notice}
      </p>
      <div className="table-card">
        <table className="keys">
          <caption className="visually-hidden">API keys of this account</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Access</th>
              <th scope="col">Constraint</th>
              <th scope="col">Status</th>
              <th scope="col">Expires</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys === undefined ? (
              <tr>
                <td colSpan={7} className="empty">
                  Loading…
                </td>
              </tr>
            ) : keys.length === 0 ? (
              <tr>
                <td colSpan={7} className="empty">
                  {canRead ? 'No keys yet.' : 'The key you signed in with cannot list keys (it lacks keys:read).'}
                </td>
              </tr>
            ) : (
              keys.map((key) => (
                <tr key={key.id} data-key-id={key.id}>
                  <th scope="row">
                    <span className="key-name">{key.name}</span>
                    <span className="mono muted">{key.id}</span>
                  </th>
                  <td>{accessSummary(key)}</td>
                  <td>{placeName(key)}</td>
                  <td className="nowrap">
                    <span className={`status ${key.status}`}>{key.status}</span>
                  </td>
                  <td className="nowrap">{dateFormat.format(new Date(key.expires_at))}</td>
                  <td className="nowrap">{key.last_used_at ? dateTimeFormat.format(new Date(key.last_used_at)) : 'Never'}</td>
                  <td className="actions">
                    {key.status === 'active' && canWrite ? (
                      <>
                        <button type="button" className="button small" aria-label={`Rotate ${key.name}`} onClick={() => setRotating(key)}>
                          Rotate
                        </button>
                        <button type="button" className="button small danger-outline" aria-label={`Revoke ${key.name}`} onClick={() => setRevoking(key)}>
                          Revoke
                        </button>
                      </>
                    ) : null}
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      {creating ? <CreateKeyDialog signer={signer} places={places} onClose={() => setCreating(false)} onCreated={() => void refresh()} /> : null}
      {revoking ? (
        <RevokeConfirm
          apiKey={revoking}
          onClose={() => setRevoking(undefined)}
          onRevoked={() => {
            setNotice(`${revoking.name} revoked.`);
            setRevoking(undefined);
            void refresh();
          }}
        />
      ) : null}
      {rotating ? <RotateDialog apiKey={rotating} onClose={() => setRotating(undefined)} onRotated={() => void refresh()} /> : null}
    </main>
  );
}
