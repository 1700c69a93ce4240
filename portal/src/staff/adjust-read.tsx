// Correct a held bill's read: pick the read, give the register value, and the bill is rated again.
import { formatDate } from '../lib/i18n';
import type { Read } from './shared';

export function AdjustReadForm({
  id,
  reads,
  onSubmit,
}: {
  id: string;
  reads: Read[];
  onSubmit: (correction: { readId: string; value: string }) => void;
}) {
  return (
    <form
      data-testid="adjust-read"
      onSubmit={(e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget as HTMLFormElement);
        onSubmit({ readId: String(f.get('readId')), value: String(f.get('value')).trim() });
      }}
    >
      <label for={`read-${id}`}>Read to correct</label>
      <select id={`read-${id}`} name="readId">
        {reads.map((r) => (
          <option key={r.id} value={r.id}>
            {formatDate(r.readAt)} · {r.serialNumber} · {r.value} {r.unit} ({r.source})
          </option>
        ))}
      </select>
      <label for={`value-${id}`}>Corrected register value</label>
      <input id={`value-${id}`} name="value" inputMode="decimal" pattern="\d{1,12}(\.\d{1,9})?" required />
      <button type="submit">Correct and re-rate</button>
    </form>
  );
}
