// Asks before a destructive staff action: the question, a "yes" that does it and a "no" that goes back.
// An inline alert dialog (focus moves to it), so a screen reader hears the question at once.
import { useEffect, useRef } from 'preact/hooks';
import { t } from '../lib/i18n';

export function ConfirmAsk(props: {
  id: string;
  question: string;
  yes?: string;
  no?: string;
  busy?: boolean;
  onYes: () => void;
  onNo: () => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => box.current?.focus(), []);
  return (
    <div
      ref={box}
      role="alertdialog"
      aria-labelledby={`${props.id}-q`}
      class="confirm"
      tabIndex={-1}
      data-testid="confirm"
    >
      <p id={`${props.id}-q`}>{props.question}</p>
      <button type="button" class="danger" disabled={props.busy} onClick={props.onYes}>
        {props.yes ?? t('cqConfirmYes')}
      </button>{' '}
      <button type="button" class="secondary" onClick={props.onNo}>
        {props.no ?? t('cqConfirmNo')}
      </button>
    </div>
  );
}
