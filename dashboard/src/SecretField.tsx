/** The once-only secret: read-only field labelled "Secret", a Copy button, and the warning. */
import { useId, useState } from 'react';

export function SecretField({ secret }: { readonly secret: string }) {
  const id = useId();
  const [copied, setCopied] = useState<'no' | 'yes' | 'failed'>('no');
  return (
    <div className="secret">
      <label htmlFor={`${id}-secret`} className="field-label">
        Secret
      </label>
      <div className="secret-row">
        <input
          id={`${id}-secret`}
          className="input mono"
          readOnly
          value={secret}
          aria-describedby={`${id}-warning`}
          onFocus={(event) => event.currentTarget.select()}
        />
        <button
          type="button"
          className="button primary"
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(secret);
              setCopied('yes');
            } catch {
              setCopied('failed');
            }
          }}
        >
          Copy
        </button>
      </div>
      <p id={`${id}-warning`} className="warning">
        <span aria-hidden="true" className="warning-icon">
          !
        </span>
        <span>
          <strong>You won't see this again.</strong> Store it in your secret manager now; the server keeps only a hash.
        </span>
      </p>
      <p role="status" className="copy-status">
        {copied === 'yes' ? 'Secret copied to the clipboard.' : copied === 'failed' ? 'Copying failed: select the field and copy it by hand.' : ''}
      </p>
    </div>
  );
}
