/** Tabs "Terraform" and "CDKTF" with the new key as code (WAI-ARIA tabs: arrows move, Tab enters the panel). */
import { useId, useRef, useState } from 'react';

export interface CodeTab {
  readonly label: string;
  readonly code: string;
  readonly note: string;
}

export function CodeTabs({ tabs }: { readonly tabs: readonly CodeTab[] }) {
  const id = useId();
  const [selected, setSelected] = useState(0);
  const [copied, setCopied] = useState<string | undefined>();
  const buttons = useRef<Array<HTMLButtonElement | null>>([]);
  const select = (index: number) => {
    const next = (index + tabs.length) % tabs.length;
    setSelected(next);
    buttons.current[next]?.focus();
  };
  const tab = tabs[selected]!;
  return (
    <div className="code-tabs">
      <div role="tablist" aria-label="The key as code" className="tablist">
        {tabs.map((each, index) => (
          <button
            key={each.label}
            ref={(element) => {
              buttons.current[index] = element;
            }}
            type="button"
            role="tab"
            id={`${id}-tab-${index}`}
            aria-selected={index === selected}
            aria-controls={`${id}-panel-${index}`}
            tabIndex={index === selected ? 0 : -1}
            className="tab"
            onClick={() => setSelected(index)}
            onKeyDown={(event) => {
              if (event.key === 'ArrowRight') select(index + 1);
              else if (event.key === 'ArrowLeft') select(index - 1);
              else if (event.key === 'Home') select(0);
              else if (event.key === 'End') select(tabs.length - 1);
              else return;
              event.preventDefault();
            }}
          >
            {each.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${id}-panel-${selected}`} aria-labelledby={`${id}-tab-${selected}`} className="tabpanel">
        <p className="hint">{tab.note}</p>
        <pre className="code" tabIndex={0} aria-label={`${tab.label} code`}>
          <code>{tab.code}</code>
        </pre>
        <div className="code-actions">
          <button
            type="button"
            className="button"
            onClick={async () => {
              try {
                await navigator.clipboard.writeText(tab.code);
                setCopied(tab.label);
              } catch {
                setCopied(undefined);
              }
            }}
          >
            Copy {tab.label}
          </button>
          <span role="status" className="copy-status">
            {copied === tab.label ? `${tab.label} copied.` : ''}
          </span>
        </div>
      </div>
    </div>
  );
}
