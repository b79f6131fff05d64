/**
 * The "Create API key" dialog (issue #12): name, TTL, preset chips above a searchable checklist of
 * scopes, dangerous scopes in their own section (each added on purpose, with its own
 * confirmation), a constraint, an IP allowlist checked as you type with the server's rules, API
 * errors at the field they point to — then the confirmation panel with the secret, once, and the
 * key as Terraform and CDKTF code.
 */
import { useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { ApiProblem, createKey, type KeyCreateBody, type KeyWithSecret } from './api';
import { CodeTabs } from './CodeTabs';
import { cdktfSnippet, terraformSnippet, type KeyAsCodeInput } from './key-as-code';
import {
  DANGEROUS_SCOPES,
  DEFAULT_TTL,
  ORDINARY_SCOPES,
  PRESET_CHIPS,
  TTL_CHOICES,
  allowlistEntries,
  allowlistProblems,
  fieldOfPointer,
  grantabilityOf,
  type FormField,
  type Signer,
} from './key-form';
import { Modal } from './Modal';
import { constraintOf, type Place, type PlaceKind } from './places';
import { SecretField } from './SecretField';

export interface CreateKeyDialogProps {
  readonly signer: Signer;
  readonly places: readonly Place[];
  readonly onClose: () => void;
  readonly onCreated: () => void;
}

type FieldErrors = Partial<Record<FormField, string[]>>;

const KIND_GROUPS: ReadonlyArray<{ kind: PlaceKind; label: string }> = [
  { kind: 'team', label: 'Teams' },
  { kind: 'project', label: 'Projects' },
  { kind: 'site', label: 'Sites' },
];

function matches(search: string, name: string, description: string): boolean {
  const needle = search.trim().toLowerCase();
  return needle === '' || name.toLowerCase().includes(needle) || description.toLowerCase().includes(needle);
}

export function CreateKeyDialog({ signer, places, onClose, onCreated }: CreateKeyDialogProps) {
  const id = useId();
  const [created, setCreated] = useState<{ key: KeyWithSecret; asCode: KeyAsCodeInput } | undefined>();
  return (
    <Modal labelledBy={`${id}-title`} className="create-dialog" onDismiss={onClose}>
      {created ? (
        <KeyCreatedPanel titleId={`${id}-title`} created={created} onDone={onClose} />
      ) : (
        <CreateKeyForm
          titleId={`${id}-title`}
          signer={signer}
          places={places}
          onCancel={onClose}
          onCreated={(key, asCode) => {
            setCreated({ key, asCode });
            onCreated();
          }}
        />
      )}
    </Modal>
  );
}

interface CreateKeyFormProps {
  readonly titleId: string;
  readonly signer: Signer;
  readonly places: readonly Place[];
  readonly onCancel: () => void;
  readonly onCreated: (key: KeyWithSecret, asCode: KeyAsCodeInput) => void;
}

function CreateKeyForm({ titleId, signer, places, onCancel, onCreated }: CreateKeyFormProps) {
  const id = useId();
  const [name, setName] = useState('');
  const [ttl, setTtl] = useState(DEFAULT_TTL);
  const [preset, setPreset] = useState<string | null>(null);
  const [extra, setExtra] = useState<ReadonlySet<string>>(new Set());
  const [dangerous, setDangerous] = useState<ReadonlySet<string>>(new Set());
  const [pendingDangerous, setPendingDangerous] = useState<string | undefined>();
  const [search, setSearch] = useState('');
  const [placeId, setPlaceId] = useState('');
  const [allowlist, setAllowlist] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [submitting, setSubmitting] = useState(false);
  const confirmButton = useRef<HTMLButtonElement>(null);

  const presetScopes = useMemo(() => new Set(PRESET_CHIPS.find((chip) => chip.name === preset)?.scopes ?? []), [preset]);
  const cidrProblems = useMemo(() => allowlistProblems(allowlist), [allowlist]);
  const grant = (scope: string) => grantabilityOf(scope, signer);
  const visibleOrdinary = ORDINARY_SCOPES.filter((scope) => matches(search, scope.name, scope.description));
  const visibleDangerous = DANGEROUS_SCOPES.filter((scope) => matches(search, scope.name, scope.description));
  const selectedCount = new Set([...presetScopes, ...extra, ...dangerous]).size;

  /** An API error stays at its field only until that field is edited. */
  const edited = (field: FormField) => {
    if (errors[field]?.length) setErrors({ ...errors, [field]: [] });
  };

  const toggle = (set: ReadonlySet<string>, scope: string, on: boolean) => {
    const next = new Set(set);
    if (on) next.add(scope);
    else next.delete(scope);
    return next;
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (cidrProblems.length > 0) {
      setErrors({ ip_allowlist: cidrProblems.map((problem) => `Line ${problem.line}: ${problem.message}`) });
      return;
    }
    const place = places.find((each) => each.id === placeId);
    const scopes = [...new Set([...extra, ...dangerous])].filter((scope) => !presetScopes.has(scope)).sort();
    const entries = allowlistEntries(allowlist);
    const body: KeyCreateBody = {
      name,
      ttl,
      ...(preset ? { preset } : {}),
      ...(scopes.length > 0 ? { scopes } : {}),
      ...(place ? { constraint: constraintOf(place) } : {}),
      ...(entries.length > 0 ? { ip_allowlist: entries } : {}),
    };
    setSubmitting(true);
    setErrors({});
    try {
      const key = await createKey(body);
      onCreated(key, { id: key.id, name: key.name, ttl, preset: key.preset, scopes: key.scopes, constraint: key.constraint, ipAllowlist: key.ip_allowlist });
    } catch (error) {
      if (!(error instanceof ApiProblem)) throw error;
      const byField: FieldErrors = {};
      for (const fieldError of error.problem.errors ?? []) {
        const field = fieldOfPointer(fieldError.pointer);
        (byField[field] ??= []).push(fieldError.suggestion ? `${fieldError.detail} (try "${fieldError.suggestion}")` : fieldError.detail);
      }
      if (!error.problem.errors?.length) byField.form = [error.problem.detail];
      setErrors(byField);
    } finally {
      setSubmitting(false);
    }
  }

  const errorList = (field: FormField) =>
    errors[field]?.length ? (
      <ul id={`${id}-${field}-error`} className="field-errors">
        {errors[field]!.map((message) => (
          <li key={message}>{message}</li>
        ))}
      </ul>
    ) : null;
  const describedBy = (field: FormField, ...others: string[]) => [...others, ...(errors[field]?.length ? [`${id}-${field}-error`] : [])].join(' ') || undefined;

  return (
    <form className="dialog-body" onSubmit={submit} noValidate>
      <header className="dialog-header">
        <div>
          <h2 id={titleId}>Create API key</h2>
          <p className="subtitle">Grant exactly what the job needs. The secret is shown once, with the key as code.</p>
        </div>
        <button type="button" className="icon-button" aria-label="Close" onClick={onCancel}>
          ×
        </button>
      </header>

      <div className="dialog-scroll">
        {errors.form?.length ? (
          <div role="alert" className="banner error">
            {errors.form.join(' ')}
          </div>
        ) : null}

        <div className="grid-2">
          <div className="field">
            <label htmlFor={`${id}-name`} className="field-label">
              Name
            </label>
            <input
              id={`${id}-name`}
              className="input"
              value={name}
              required
              maxLength={100}
              autoComplete="off"
              placeholder="ci-deploy-acme"
              aria-invalid={errors.name?.length ? true : undefined}
              aria-describedby={describedBy('name')}
              onChange={(event) => {
                setName(event.target.value);
                edited('name');
              }}
              data-autofocus
            />
            {errorList('name')}
          </div>
          <div className="field">
            <label htmlFor={`${id}-ttl`} className="field-label">
              TTL
            </label>
            <select
              id={`${id}-ttl`}
              className="input"
              value={ttl}
              aria-invalid={errors.ttl?.length ? true : undefined}
              aria-describedby={describedBy('ttl', `${id}-ttl-hint`)}
              onChange={(event) => {
                setTtl(event.target.value);
                edited('ttl');
              }}
            >
              {TTL_CHOICES.map((choice) => (
                <option key={choice.value} value={choice.value}>
                  {choice.label}
                </option>
              ))}
            </select>
            <p id={`${id}-ttl-hint`} className="hint">
              The key stops working after this. Longest: one year.
            </p>
            {errorList('ttl')}
          </div>
        </div>

        <fieldset className="field scopes" aria-describedby={describedBy('scopes', `${id}-scopes-hint`)}>
          <legend className="field-label">Permissions</legend>
          <p id={`${id}-scopes-hint`} className="hint">
            Start from a preset, then add individual scopes. {selectedCount} {selectedCount === 1 ? 'scope' : 'scopes'} selected.
          </p>
          <div className="chips" role="group" aria-label="Presets">
            {PRESET_CHIPS.map((chip) => {
              const blocked = chip.scopes.map(grant).find((each) => !each.grantable);
              return (
                <span key={chip.name} className="chip-wrap">
                  <button
                    type="button"
                    className="chip"
                    aria-pressed={preset === chip.name}
                    disabled={blocked !== undefined}
                    title={blocked ? blocked.reason : chip.description}
                    aria-describedby={`${id}-chip-${chip.name}`}
                    onClick={() => {
                      setPreset(preset === chip.name ? null : chip.name);
                      edited('scopes');
                    }}
                  >
                    {chip.label}
                  </button>
                  <span id={`${id}-chip-${chip.name}`} className="visually-hidden">
                    {blocked ? blocked.reason : chip.description}
                  </span>
                </span>
              );
            })}
          </div>
          {preset ? (
            <p className="hint preset-note">
              Preset <strong>{PRESET_CHIPS.find((chip) => chip.name === preset)?.label}</strong>:{' '}
              {PRESET_CHIPS.find((chip) => chip.name === preset)?.description}
            </p>
          ) : null}

          <div className="search">
            <label htmlFor={`${id}-search`} className="visually-hidden">
              Search scopes
            </label>
            <input
              id={`${id}-search`}
              type="search"
              className="input"
              placeholder="Search scopes"
              value={search}
              onChange={(event) => setSearch(event.target.value)}
            />
          </div>

          <div className="scope-list" role="group" aria-label="Scopes">
            {visibleOrdinary.length === 0 ? <p className="hint empty">No scope matches “{search}”.</p> : null}
            {visibleOrdinary.map((scope) => {
              const fromPreset = presetScopes.has(scope.name);
              const allowed = grant(scope.name);
              const checkboxId = `${id}-scope-${scope.name}`;
              return (
                <div key={scope.name} className={`scope-row${allowed.grantable ? '' : ' unavailable'}`}>
                  <input
                    id={checkboxId}
                    type="checkbox"
                    checked={fromPreset || extra.has(scope.name)}
                    disabled={fromPreset || !allowed.grantable}
                    aria-describedby={`${checkboxId}-about`}
                    onChange={(event) => {
                      setExtra(toggle(extra, scope.name, event.target.checked));
                      edited('scopes');
                    }}
                  />
                  <label htmlFor={checkboxId} className="scope-name mono">
                    {scope.name}
                  </label>
                  <span id={`${checkboxId}-about`} className="scope-about">
                    {allowed.grantable ? scope.description : allowed.reason}
                    {fromPreset ? <span className="tag">in preset</span> : null}
                  </span>
                </div>
              );
            })}
          </div>

          <div className="selected-scopes" aria-live="polite">
            {selectedCount === 0 ? (
              <span className="hint">No scope selected yet.</span>
            ) : (
              <>
                <span className="hint">This key will hold</span>
                <ul aria-label="Selected scopes">
                  {[...new Set([...presetScopes, ...extra, ...dangerous])].sort().map((scope) => (
                    <li key={scope} className={`pill mono${dangerous.has(scope) ? ' danger' : ''}`}>
                      {scope}
                    </li>
                  ))}
                </ul>
              </>
            )}
          </div>

          <section className="danger-zone" aria-labelledby={`${id}-danger-title`}>
            <h3 id={`${id}-danger-title`}>Dangerous scopes</h3>
            <p className="hint">Never part of a preset. Each one is added on its own, on purpose.</p>
            <div className="danger-list">
              {visibleDangerous.map((scope) => {
                const allowed = grant(scope.name);
                const checkboxId = `${id}-danger-${scope.name}`;
                return (
                  <div key={scope.name} className={`scope-row${allowed.grantable ? '' : ' unavailable'}`}>
                    <input
                      id={checkboxId}
                      type="checkbox"
                      checked={dangerous.has(scope.name)}
                      disabled={!allowed.grantable}
                      aria-describedby={`${checkboxId}-about`}
                      onChange={(event) => {
                        if (event.target.checked) {
                          setPendingDangerous(scope.name);
                          queueMicrotask(() => confirmButton.current?.focus());
                        } else {
                          setDangerous(toggle(dangerous, scope.name, false));
                        }
                      }}
                    />
                    <label htmlFor={checkboxId} className="scope-name mono">
                      {scope.name}
                    </label>
                    <span id={`${checkboxId}-about`} className="scope-about">
                      {allowed.grantable ? scope.description : allowed.reason}
                    </span>
                    {pendingDangerous === scope.name ? (
                      <div className="confirm-danger" role="group" aria-label={`Confirm ${scope.name}`}>
                        <p>
                          <strong className="mono">{scope.name}</strong>: {scope.description} Anyone holding this key can do that. Add it?
                        </p>
                        <div className="row">
                          <button
                            ref={confirmButton}
                            type="button"
                            className="button danger"
                            onClick={() => {
                              setDangerous(toggle(dangerous, scope.name, true));
                              setPendingDangerous(undefined);
                              document.getElementById(checkboxId)?.focus();
                            }}
                          >
                            Add {scope.name}
                          </button>
                          <button
                            type="button"
                            className="button"
                            onClick={() => {
                              setPendingDangerous(undefined);
                              document.getElementById(checkboxId)?.focus();
                            }}
                          >
                            Cancel
                          </button>
                        </div>
                      </div>
                    ) : null}
                  </div>
                );
              })}
            </div>
          </section>
          {errorList('scopes')}
        </fieldset>

        <div className="grid-2">
          <div className="field">
            <label htmlFor={`${id}-constraint`} className="field-label">
              Constraint
            </label>
            <select
              id={`${id}-constraint`}
              className="input"
              value={placeId}
              aria-invalid={errors.constraint?.length ? true : undefined}
              aria-describedby={describedBy('constraint', `${id}-constraint-hint`)}
              onChange={(event) => {
                setPlaceId(event.target.value);
                edited('constraint');
              }}
            >
              <option value="">No constraint (whole account)</option>
              {KIND_GROUPS.map(({ kind, label }) => {
                const ofKind = places.filter((place) => place.kind === kind);
                return ofKind.length === 0 ? null : (
                  <optgroup key={kind} label={label}>
                    {ofKind.map((place) => (
                      <option key={place.id} value={place.id}>
                        {place.name}
                      </option>
                    ))}
                  </optgroup>
                );
              })}
            </select>
            <p id={`${id}-constraint-hint`} className="hint">
              The key reaches this place and everything below it, nothing else.
            </p>
            {errorList('constraint')}
          </div>
          <div className="field">
            <label htmlFor={`${id}-allowlist`} className="field-label">
              IP allowlist
            </label>
            <textarea
              id={`${id}-allowlist`}
              className="input mono"
              rows={3}
              value={allowlist}
              spellCheck={false}
              placeholder={'203.0.113.0/24\n2001:db8::/32'}
              aria-invalid={cidrProblems.length > 0 || errors.ip_allowlist?.length ? true : undefined}
              aria-describedby={[`${id}-allowlist-hint`, `${id}-allowlist-live`, ...(errors.ip_allowlist?.length ? [`${id}-ip_allowlist-error`] : [])].join(
                ' ',
              )}
              onChange={(event) => {
                setAllowlist(event.target.value);
                edited('ip_allowlist');
              }}
            />
            <p id={`${id}-allowlist-hint`} className="hint">
              One CIDR per line. Empty: any address.
            </p>
            <ul id={`${id}-allowlist-live`} className="field-errors" aria-live="polite">
              {cidrProblems.map((problem) => (
                <li key={`${problem.line}-${problem.message}`}>
                  Line {problem.line}: {problem.message}
                  {problem.suggestion ? ` (did you mean ${problem.suggestion}?)` : ''}
                </li>
              ))}
            </ul>
            {errorList('ip_allowlist')}
          </div>
        </div>
      </div>

      <footer className="dialog-footer">
        <span className="hint">Created as {signer.keyName}; audited under that key.</span>
        <div className="row">
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={submitting}>
            Create key
          </button>
        </div>
      </footer>
    </form>
  );
}

function KeyCreatedPanel({ titleId, created, onDone }: { titleId: string; created: { key: KeyWithSecret; asCode: KeyAsCodeInput }; onDone: () => void }) {
  const { key, asCode } = created;
  return (
    <div className="dialog-body">
      <header className="dialog-header">
        <div>
          <h2 id={titleId}>API key created</h2>
          <p className="subtitle">
            <span className="mono">{key.name}</span> · <span className="mono">{key.id}</span> · expires{' '}
            {new Date(key.expires_at).toLocaleDateString('en', { dateStyle: 'medium' })}
          </p>
        </div>
      </header>
      <div className="dialog-scroll confirmation">
        <SecretField secret={key.secret} />
        <section aria-labelledby={`${titleId}-code`} className="as-code">
          <h3 id={`${titleId}-code`}>Manage it as code</h3>
          <CodeTabs
            tabs={[
              {
                label: 'Terraform',
                code: terraformSnippet(asCode),
                note: 'Add this to your configuration and run terraform apply: the import block adopts this key, and the next plan is clean.',
              },
              {
                label: 'CDKTF',
                code: cdktfSnippet(asCode),
                note: 'Add this to your stack: importFrom adopts this key on the next deploy instead of minting a new one.',
              },
            ]}
          />
        </section>
      </div>
      <footer className="dialog-footer">
        <span className="hint">The secret is not stored in this browser.</span>
        <button type="button" className="button primary" onClick={onDone}>
          Done
        </button>
      </footer>
    </div>
  );
}
