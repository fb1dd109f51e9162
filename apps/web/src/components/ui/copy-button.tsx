import { useState } from 'react';
import { Button } from './button';
import { t } from '../../lib/i18n';

export function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      window.setTimeout(() => setCopied(false), 1500);
    } catch {
      // Clipboard refused (insecure context): the text stays selectable.
      setCopied(false);
    }
  };
  return (
    <Button aria-label={label} onClick={() => void copy()}>
      {copied ? t('Copied') : t('Copy')}
    </Button>
  );
}
