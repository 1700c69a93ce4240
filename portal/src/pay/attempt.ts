// A step the customer started: busy while it runs, and what went wrong kept to show.
import { useState } from 'preact/hooks';

export function useAttempt() {
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<unknown>(null);
  const attempt = async (work: () => Promise<void>) => {
    setErr(null);
    setBusy(true);
    try {
      await work();
    } catch (e) {
      setErr(e);
    } finally {
      setBusy(false);
    }
  };
  return { busy, err, setErr, attempt };
}
